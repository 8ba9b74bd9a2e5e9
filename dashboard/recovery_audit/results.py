"""The Recovery Audit's results for one round and one place (London, a borough or prison, or a
service), as the page, the board pack and the workbook show them. Pure (frames in, frames and
sentences out); the figures come from dashboard.recovery_audit.scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard import formatting
from dashboard.recovery_audit import scoring
from dashboard.recovery_audit.framework import Framework
from dashboard.store.audit_contracts import EBE, SELF
from pipelines.definitions.published import IMMATURE, LONDON

AREA, SERVICE = "area", "service"
LEVEL_TITLES = {LONDON: "London", AREA: "A borough or prison", SERVICE: "A service"}
SELF_COLUMN, EBE_COLUMN = "Self-assessment (1-4)", "EbE panel (1-4)"
SCALE_NOTE = ("Scores are the mean rating on the domain's questions, 1 not in place, 2 planned "
              "or partly in place, 3 in place, 4 embedded; a borough's or London's score is the "
              "mean of its services' scores.")


@dataclass(frozen=True)
class Results:
    round_id: str
    place: str  # words: "London", "Hackney", "Hackney Recovery Service"
    level: str
    services: pl.DataFrame  # the services in the place that have ratings in the round
    scores: pl.DataFrame  # side by side: domain_id, domain_title, self, ebe
    disagreements: pl.DataFrame
    strengths: list[str]
    improvements: list[str]
    previous_round: str | None
    change: pl.DataFrame
    change_lines: list[str]
    best_practice: pl.DataFrame  # London-wide best practice of the round, by domain


def compute(answers: pl.DataFrame, rounds: pl.DataFrame, frameworks: dict[int, Framework],
            directory: pl.DataFrame, round_id: str, level: str, key: str | None) -> Results:
    """Results of one round for London, one area (key: area code) or one service (key: id)."""
    all_scores = scoring.domain_scores(answers, rounds, frameworks, directory)
    if level == SERVICE:
        chosen = all_scores.filter(pl.col("service_id") == key)
        names = directory.filter(pl.col("service_id") == key).get_column("service_name")
    elif level == AREA:
        chosen = all_scores.filter(pl.col("area_code") == key)
        names = directory.filter(pl.col("area_code") == key).get_column("area_name")
    else:
        chosen, names = all_scores, pl.Series([scoring.LONDON])
    place = names.item(0) if names.len() else str(key)
    grouped = scoring.by_level(chosen, {SERVICE: "service", AREA: "area",
                                        LONDON: LONDON}[level])
    now = grouped.filter(pl.col("round_id") == round_id)
    wide = scoring.side_by_side(now, ())
    strengths, improvements = scoring.sentences(wide, place)
    previous = scoring.previous_round(rounds, round_id)
    change = scoring.change_since_previous(grouped, rounds, round_id)
    questions = scoring.question_frame(frameworks, rounds)
    return Results(
        round_id=round_id, place=place, level=level,
        services=chosen.filter(pl.col("round_id") == round_id).select(
            "service_id", "service_name", "area_name").unique().sort("service_name"),
        scores=wide,
        disagreements=scoring.disagreements(chosen, round_id),
        strengths=strengths, improvements=improvements, previous_round=previous,
        change=change,
        change_lines=scoring.change_sentences(change, place, previous) if previous else [],
        best_practice=scoring.best_practice(all_scores, answers, round_id, questions))


def scores_table(results: Results) -> pl.DataFrame:
    return results.scores.select(
        pl.col("domain_title").alias("Domain"), pl.col(SELF).round(2).alias(SELF_COLUMN),
        pl.col(EBE).round(2).alias(EBE_COLUMN),
        (pl.col(SELF) - pl.col(EBE)).round(2).alias("Self minus EbE"))


def disagreements_table(results: Results) -> pl.DataFrame:
    return results.disagreements.select(
        pl.col("service_name").alias("Service"), pl.col("area_name").alias("Borough or prison"),
        pl.col("domain_title").alias("Domain"), pl.col(SELF).round(2).alias(SELF_COLUMN),
        pl.col(EBE).round(2).alias(EBE_COLUMN), pl.col("which").alias("Which view is higher"))


def change_table(results: Results) -> pl.DataFrame:
    return results.change.select(
        pl.col("domain_title").alias("Domain"),
        pl.col("audit_view").replace_strict({SELF: "Self-assessment", EBE: "EbE panel"})
        .alias("View"),
        pl.col("previous").round(2).alias(f"{results.previous_round} (1-4)"),
        pl.col("score").round(2).alias(f"{results.round_id} (1-4)"),
        pl.col("change").round(2).alias("Change"))


def best_practice_table(results: Results) -> pl.DataFrame:
    return results.best_practice.select(
        pl.col("domain_title").alias("Domain"), pl.col("service_name").alias("Service"),
        pl.col("area_name").alias("Borough or prison"),
        pl.col(SELF).round(2).alias(SELF_COLUMN), pl.col(EBE).round(2).alias(EBE_COLUMN),
        pl.col("evidence").fill_null("").alias("Evidence"))


def summary(results: Results) -> str:
    """One plain-English line for the domain scores."""
    rated = results.scores.filter(pl.col(SELF).is_not_null() | pl.col(EBE).is_not_null())
    if rated.is_empty():
        return f"No ratings have been recorded for {results.place} in round {results.round_id}."
    both = rated.filter(pl.col(SELF).is_not_null() & pl.col(EBE).is_not_null())
    count = results.services.height
    services = f"{count} service{'s' if count != 1 else ''}"
    if both.is_empty():
        return (f"{results.place}, round {results.round_id}: {services} rated on "
                f"{rated.height} domains by one view so far.")
    gap = (both.get_column(SELF) - both.get_column(EBE)).mean()
    higher = ("the services' own ratings are higher than the EbE panel's by "
              f"{gap:.1f} points on average" if gap > 0.05 else
              f"the EbE panel's ratings are higher by {-gap:.1f} points on average"
              if gap < -0.05 else "the two views agree on average")
    return (f"{results.place}, round {results.round_id}: {services}, {rated.height} domains "
            f"rated; {higher}.")


def training_by_place(sessions: pl.DataFrame, directory: pl.DataFrame) -> pl.DataFrame:
    """R8 training sessions per borough or prison and service: sessions, staff trained, the
    latest session."""
    return (sessions.join(directory, on="service_id", how="left")
            .group_by("area_name", "service_name")
            .agg(pl.len().cast(pl.Int64).alias("Sessions"),
                 pl.col("attendees").sum().cast(pl.Int64).alias("Staff trained"),
                 pl.col("reported_on").max().alias("Latest session"))
            .rename({"area_name": "Borough or prison", "service_name": "Service"})
            .sort("Borough or prison", "Service"))


def evidence_table(framework: Framework, values: pl.DataFrame, definitions: pl.DataFrame
                   ) -> pl.DataFrame:
    """For each domain, the KPIs that evidence it (from the framework, checked against the
    registry) with the place's latest financial year that is not still maturing: published
    values as the product shows them, suppressed ones as suppressed."""
    rows = []
    for domain in framework.domains:
        for kpi_id in domain.kpi_ids:
            definition = definitions.filter(pl.col("id") == kpi_id)
            title = definition.get_column("title").item() if definition.height else kpi_id
            unit = definition.get_column("unit").item() if definition.height else "percent"
            found = values.filter((pl.col("kpi_id") == kpi_id)
                                  & (pl.col("status") != IMMATURE))
            if found.is_empty():
                rows.append((domain.title, title, "", "No figure", "none"))
                continue
            latest = found.sort("period_start").row(-1, named=True)
            rows.append((domain.title, title, latest["period"],
                         formatting.display_value(latest["value"], latest["status"], unit),
                         latest["status"]))
    return pl.DataFrame(rows, schema={"Domain": pl.String, "KPI": pl.String,
                                      "Year": pl.String, "Value": pl.String,
                                      "Status": pl.String}, orient="row")
