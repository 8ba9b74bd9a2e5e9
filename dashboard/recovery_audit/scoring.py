"""Recovery Audit results from the ratings: domain scores for both views by service, borough and
London; where the two views disagree; strengths and areas for improvement in plain English;
change since the previous round; and best practice on each domain.

Pure functions of frames (no Streamlit, no store), so the page, the board pack, the workbook and
the tests compute the same figures.

- A service's domain score for one view is the mean of its ratings on the domain's questions
  (1 not in place to 4 embedded); unanswered questions are left out, and `answered` says how
  many were rated.
- A borough's (or London's) score is the mean of its services' domain scores, each service
  counting once. Prisons are their own places.
- The views disagree on a domain when both scored it and they differ by DISAGREE_AT or more.
- Best practice on a domain: the services whose lower view score is the highest of the round,
  when that lower score is at least STRENGTH_AT (both views agree it is in place).
"""

from __future__ import annotations

import polars as pl

from dashboard.recovery_audit.framework import Framework
from dashboard.store.audit_contracts import EBE, SCALE, SELF, VIEW_TITLES
from pipelines.definitions.published import LONDON as LONDON_LEVEL

DISAGREE_AT = 1.0  # points on the 1-4 scale
STRENGTH_AT = 3.0  # "in place" or better
IMPROVE_BELOW = 2.5  # nearer "planned or partly in place" than "in place"
CHANGE_AT = 0.5  # a change worth a sentence
LONDON = "London"

SCORE_SCHEMA = {"round_id": pl.String, "service_id": pl.String, "service_name": pl.String,
                "setting": pl.String, "area_code": pl.String, "area_name": pl.String,
                "domain_id": pl.String, "domain_title": pl.String, "audit_view": pl.String,
                "score": pl.Float64, "answered": pl.Int64, "questions": pl.Int64}
DIRECTORY_SCHEMA = {"service_id": pl.String, "service_name": pl.String, "setting": pl.String,
                    "area_code": pl.String, "area_name": pl.String}


def directory(services: pl.DataFrame, prisons: pl.DataFrame, las: pl.DataFrame
              ) -> pl.DataFrame:
    """Every service in scope: the services directory's services (in their borough) and the
    prisons of §7 (each its own place), with the id a template and a role use."""
    la_names = las.select(pl.col("code").alias("la"), pl.col("name").alias("area_name"))
    community = services.join(la_names, on="la", how="left").select(
        "service_id", pl.col("name").alias("service_name"), pl.lit("community").alias("setting"),
        pl.col("la").alias("area_code"), "area_name")
    prison_rows = prisons.select(
        pl.col("code").alias("service_id"), pl.format("HMP {}", "name").alias("service_name"),
        pl.lit("prison").alias("setting"), pl.col("code").alias("area_code"),
        pl.format("HMP {}", "name").alias("area_name"))
    return pl.concat([community.cast(DIRECTORY_SCHEMA), prison_rows.cast(DIRECTORY_SCHEMA)])


def question_frame(frameworks: dict[int, Framework], rounds: pl.DataFrame) -> pl.DataFrame:
    """Each round's questions with their domains."""
    rows = [{"round_id": r["round_id"], "question_id": q.id, "domain_id": d.id,
             "domain_title": d.title}
            for r in rounds.iter_rows(named=True)
            if r["framework_version"] in frameworks
            for d, q in frameworks[r["framework_version"]].questions]
    return pl.DataFrame(rows, schema={"round_id": pl.String, "question_id": pl.String,
                                      "domain_id": pl.String, "domain_title": pl.String})


def domain_scores(answers: pl.DataFrame, rounds: pl.DataFrame,
                  frameworks: dict[int, Framework], services: pl.DataFrame) -> pl.DataFrame:
    """One row per round, service, domain and view: the mean rating and how many were rated."""
    questions = question_frame(frameworks, rounds)
    per_domain = questions.group_by("round_id", "domain_id").agg(
        pl.len().cast(pl.Int64).alias("questions"))
    rated = answers.select("round_id", "service_id", "audit_view", "question_id",
                           pl.col("rating").cast(pl.Float64)).join(
        questions, on=["round_id", "question_id"], how="inner")
    scores = rated.group_by("round_id", "service_id", "domain_id", "domain_title",
                            "audit_view").agg(
        pl.col("rating").mean().alias("score"),
        pl.len().cast(pl.Int64).alias("answered"))
    return (scores.join(per_domain, on=["round_id", "domain_id"], how="left")
            .join(services, on="service_id", how="inner")
            .select(list(SCORE_SCHEMA)).cast(SCORE_SCHEMA)
            .sort("round_id", "service_id", "domain_id", "audit_view"))


def by_level(scores: pl.DataFrame, level: str) -> pl.DataFrame:
    """Domain scores by 'service', 'area' (borough or prison) or 'london': each service's domain
    score counts once. Columns: round_id, place, domain_id, domain_title, audit_view, score,
    services."""
    place = {"service": pl.col("service_name"), "area": pl.col("area_name"),
             LONDON_LEVEL: pl.lit(LONDON)}[level]
    return (scores.with_columns(place.alias("place"))
            .group_by("round_id", "place", "domain_id", "domain_title", "audit_view")
            .agg(pl.col("score").mean(), pl.col("service_id").n_unique().cast(pl.Int64)
                 .alias("services"))
            .sort("round_id", "place", "domain_id", "audit_view"))


def side_by_side(scores: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """Self-assessment and EbE scores in two columns, `self` and `ebe`."""
    wide = scores.select(*keys, "domain_id", "domain_title", "audit_view", "score").pivot(
        on="audit_view", index=[*keys, "domain_id", "domain_title"], values="score")
    for view in (SELF, EBE):
        if view not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(view))
    return wide.select(*keys, "domain_id", "domain_title", SELF, EBE).sort(*keys, "domain_id")


def disagreements(scores: pl.DataFrame, round_id: str, threshold: float = DISAGREE_AT
                  ) -> pl.DataFrame:
    """Services and domains of one round where both views scored and differ by `threshold` or
    more, largest difference first."""
    wide = side_by_side(scores.filter(pl.col("round_id") == round_id),
                        ("service_id", "service_name", "area_name"))
    return (wide.filter(pl.col(SELF).is_not_null() & pl.col(EBE).is_not_null())
            .with_columns((pl.col(SELF) - pl.col(EBE)).alias("difference"))
            .filter(pl.col("difference").abs() >= threshold - 1e-9)
            .with_columns(pl.when(pl.col("difference") > 0)
                          .then(pl.lit("The service rates itself higher"))
                          .otherwise(pl.lit("The EbE panel rates it higher")).alias("which"))
            .sort(pl.col("difference").abs(), "service_name", "domain_id",
                  descending=[True, False, False]))


def _score_words(score: float) -> str:
    nearest = min(SCALE, key=lambda point: abs(point - score))
    return SCALE[nearest].lower()


def sentences(wide: pl.DataFrame, place: str) -> tuple[list[str], list[str]]:
    """Strengths and areas for improvement of one place (its rows of `side_by_side`), in plain
    English, strongest and weakest first."""
    strengths: list[str] = []
    improve: list[str] = []
    rows = wide.with_columns(pl.min_horizontal(SELF, EBE).alias("low"),
                             pl.max_horizontal(SELF, EBE).alias("high")).sort(
        "low", descending=True, nulls_last=True)
    for row in rows.iter_rows(named=True):
        title, own, ebe = row["domain_title"], row[SELF], row[EBE]
        if own is not None and ebe is not None:
            pair = f"(self-assessment {own:.1f}, EbE panel {ebe:.1f} out of 4)"
            if row["low"] >= STRENGTH_AT:
                strengths.append(f"{title}: {place} and the EbE panel both rate it as "
                                 f"{_score_words(row['low'])} or better {pair}.")
            elif ebe < IMPROVE_BELOW or own < IMPROVE_BELOW:
                who = "the EbE panel" if ebe < own else place if own < ebe else "both views"
                improve.append(f"{title}: {who} rate{'' if who == 'both views' else 's'} it "
                               f"as {_score_words(row['low'])} {pair}.")
            if abs(own - ebe) >= DISAGREE_AT - 1e-9:
                higher = place if own > ebe else "the EbE panel"
                improve.append(f"{title}: {higher} rates it {abs(own - ebe):.1f} points higher "
                               "than the other view; talk through the evidence together.")
        else:
            view, score = (SELF, own) if own is not None else (EBE, ebe)
            if score is None:
                continue
            if score < IMPROVE_BELOW:
                improve.append(f"{title}: rated {_score_words(score)} ({score:.1f} out of 4) "
                               f"by the {VIEW_TITLES[view].lower()} only; the other view has "
                               "not rated it yet.")
    improve.sort(key=lambda text: "talk through" in text)
    return strengths, improve


def change_since_previous(scores: pl.DataFrame, rounds: pl.DataFrame, round_id: str,
                          keys: tuple[str, ...] = ("place",)) -> pl.DataFrame:
    """Each place's domain scores in a round beside the previous round's (rounds ordered by the
    date they open), with the change, for places scored in both."""
    ordered = rounds.sort("opens_on").get_column("round_id").to_list()
    if round_id not in ordered or ordered.index(round_id) == 0:
        return pl.DataFrame(schema={**{k: pl.String for k in keys}, "domain_id": pl.String,
                                    "domain_title": pl.String, "audit_view": pl.String,
                                    "previous": pl.Float64, "score": pl.Float64,
                                    "change": pl.Float64})
    previous = ordered[ordered.index(round_id) - 1]
    now = scores.filter(pl.col("round_id") == round_id)
    before = scores.filter(pl.col("round_id") == previous).select(
        *keys, "domain_id", "audit_view", pl.col("score").alias("previous"))
    return (now.join(before, on=[*keys, "domain_id", "audit_view"], how="inner")
            .select(*keys, "domain_id", "domain_title", "audit_view", "previous", "score",
                    (pl.col("score") - pl.col("previous")).alias("change"))
            .sort(*keys, "domain_id", "audit_view"))


def previous_round(rounds: pl.DataFrame, round_id: str) -> str | None:
    ordered = rounds.sort("opens_on").get_column("round_id").to_list()
    index = ordered.index(round_id) if round_id in ordered else 0
    return ordered[index - 1] if index > 0 else None


def change_sentences(change: pl.DataFrame, place: str, previous: str) -> list[str]:
    """Plain-English lines for the changes of CHANGE_AT or more, largest first."""
    moved = change.filter(pl.col("change").abs() >= CHANGE_AT - 1e-9).sort(
        pl.col("change").abs(), descending=True)
    return [f"{r['domain_title']} ({VIEW_TITLES[r['audit_view']].lower()}): "
            f"{'up' if r['change'] > 0 else 'down'} {abs(r['change']):.1f} since {previous}, "
            f"from {r['previous']:.1f} to {r['score']:.1f}."
            for r in moved.iter_rows(named=True)]


def best_practice(scores: pl.DataFrame, answers: pl.DataFrame, round_id: str,
                  questions: pl.DataFrame) -> pl.DataFrame:
    """For each domain of a round, the services rated highest by both views (the highest lower
    score, at least STRENGTH_AT; ties all kept), with the evidence both views gave."""
    wide = side_by_side(scores.filter(pl.col("round_id") == round_id),
                        ("service_id", "service_name", "area_name"))
    both = wide.filter(pl.col(SELF).is_not_null() & pl.col(EBE).is_not_null()).with_columns(
        pl.min_horizontal(SELF, EBE).alias("low"))
    best = both.filter((pl.col("low") >= STRENGTH_AT)
                       & (pl.col("low") == pl.col("low").max().over("domain_id")))
    evidence = (answers.filter((pl.col("round_id") == round_id)
                               & pl.col("evidence").is_not_null()
                               & (pl.col("evidence").str.strip_chars() != ""))
                .join(questions.filter(pl.col("round_id") == round_id),
                      on=["round_id", "question_id"])
                .sort("audit_view", "question_id")
                .group_by("service_id", "domain_id")
                .agg(pl.format("{}: {}", pl.col("audit_view").replace_strict(VIEW_TITLES),
                               "evidence").str.join(" | ").alias("evidence")))
    return (best.join(evidence, on=["service_id", "domain_id"], how="left")
            .select("domain_id", "domain_title", "service_id", "service_name", "area_name",
                    SELF, EBE, "evidence")
            .sort("domain_id", "service_name"))
