"""Plain-English summaries for the Recommendations page and the overview's "at a glance"
(pure functions).

Each sentence is built from the frame the chart shows. Only reference names (item titles,
places), codes turned into words and numbers go into these sentences: text people typed (a
milestone, a comment) is never put into Markdown; pages show it with st.text or st.dataframe.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard import tracker_terms as model
from dashboard import words
from dashboard.formatting import display_value
from pipelines.definitions.published import PUBLISHED, TREND_CANNOT


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _list(names: list[str]) -> str:
    """Every name, joined: a reader wants the names, not 'and 1 more'."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _month(on: date | None) -> str:
    return f"{on:%B %Y}" if on else "an unknown date"


def matrix_summary(matrix: pl.DataFrame) -> str:
    """Where updates exist, across London, its boroughs and its prisons."""
    recorded = matrix.filter(pl.col("status").is_not_null())
    london = recorded.filter(pl.col("scope_type") == "London")
    boroughs = recorded.filter(pl.col("scope_type") == "Local authority")
    prisons = recorded.filter(pl.col("scope_type") == "Prison")
    parts = [
        f"{london.height} of the 11 items have a London-wide update.",
        f"{_plural(boroughs.get_column('scope').n_unique(), 'borough')} and "
        f"{_plural(prisons.get_column('scope').n_unique(), 'prison')} have recorded at least "
        "one update of their own; every other cell says no update has been recorded.",
    ]
    done = london.filter(pl.col("status").is_in(["implemented", "embedded"]))
    if done.height:
        parts.append(f"London-wide, {_plural(done.height, 'item is', 'items are')} implemented "
                     "or embedded.")
    red = recorded.filter(pl.col("rag") == "red")
    if red.height:
        parts.append(f"{_plural(red.height, 'latest update is', 'latest updates are')} rated "
                     "red by the partners themselves.")
    return " ".join(parts)


def tracker_summary(tracker: pl.DataFrame, place: str) -> str:
    """What the 11 items look like in one place."""
    recorded = tracker.filter(pl.col("status").is_not_null())
    missing = tracker.height - recorded.height
    if recorded.is_empty():
        return (f"No update has been recorded for {place} on any of the 11 items yet. The "
                "table shows each item's London-wide status beside it.")
    by_status = [f"{_plural(n, 'item')} {title.lower()}" for title in model.STATUS_TITLES
                 .values() if (n := recorded.filter(pl.col("status_title") == title).height)]
    parts = [f"{recorded.height} of the 11 items have an update for {place}: "
             f"{_list(by_status)}."]
    red = recorded.filter(pl.col("rag") == "red").get_column("item").to_list()
    if red:
        parts.append(f"Rated red by partners: {_list(red)}.")
    if missing:
        parts.append(f"{_plural(missing, 'item has', 'items have')} no update recorded for "
                     f"{place}.")
    return " ".join(parts)


def agreement_summary(tracker: pl.DataFrame, place: str) -> str:
    """Where the partners' own rating and the EbE group's rating agree and disagree."""
    counts = {name: tracker.filter(pl.col("agreement") == name) for name in
              (model.DISAGREE, model.PARTLY, model.AGREE, model.CANNOT)}
    compared = tracker.height - counts[model.CANNOT].height
    if not compared:
        return (f"The partners' rating and the EbE group's rating cannot be compared for "
                f"{place} yet: an item needs both an update and a review.")
    parts = []
    disagree = counts[model.DISAGREE]
    if disagree.height:
        details = [f"{r['item']} (partners {r['rag_title'].lower()}, EbE group {r['rating']} "
                   "of 5)" for r in disagree.iter_rows(named=True)]
        parts.append(f"Partners and the EbE group disagree on "
                     f"{_plural(disagree.height, 'item')}: {_list(details)}.")
    else:
        parts.append("Partners and the EbE group do not disagree outright on any item.")
    parts.append(f"They agree on {counts[model.AGREE].height} and partly agree on "
                 f"{counts[model.PARTLY].height}.")
    if counts[model.CANNOT].height:
        parts.append(f"{_plural(counts[model.CANNOT].height, 'item')} cannot be compared "
                     "(no update or no review).")
    parts.append("A rating of 1 or 2 is read as not going well, 3 as mixed and 4 or 5 as going "
                 "well, against red, amber and green.")
    return " ".join(parts)


def history_summary(history: pl.DataFrame, place: str) -> str:
    """How the items moved over time in one place."""
    if history.is_empty():
        return f"No update has been recorded for {place} yet."
    first = history.get_column("reported_on").min()
    rank = {s: i for i, s in enumerate(model.STATUSES)}
    ends = history.sort("reported_on").group_by("item", maintain_order=True).agg(
        pl.col("status").first().alias("first"), pl.col("status").last().alias("last"))
    moved = sum(1 for r in ends.iter_rows(named=True)
                if rank.get(r["last"], 0) > rank.get(r["first"], 0))
    back = sum(1 for r in ends.iter_rows(named=True)
               if rank.get(r["last"], 0) < rank.get(r["first"], 0))
    text = (f"{_plural(history.height, 'update')} on {_plural(ends.height, 'item')} have been "
            f"recorded for {place} since {_month(first)}. Since their first update, "
            f"{_plural(moved, 'item has', 'items have')} moved forward")
    text += f" and {back} moved back." if back else "."
    return text


def status_steps_summary(item_history: pl.DataFrame, item: str, place: str) -> str:
    if item_history.is_empty():
        return f"No update on {item} has been recorded for {place} yet."
    ordered = item_history.sort("reported_on")
    first, last = ordered.row(0, named=True), ordered.row(-1, named=True)
    text = (f"{item} in {place}: {first['status_title'].lower()} in {_month(first['reported_on'])}"
            f", {last['status_title'].lower()} at the latest update ({_month(last['reported_on'])}"
            f"), over {_plural(ordered.height, 'update')}.")
    if last["rag_title"]:
        text += f" The partners' latest rating is {last['rag_title'].lower()}."
    return text


def ratings_summary(item_reviews: pl.DataFrame, item: str) -> str:
    if item_reviews.is_empty():
        return f"The EbE group has not reviewed {item} yet."
    ordered = item_reviews.sort("reviewed_on")
    first, last = ordered.row(0, named=True), ordered.row(-1, named=True)
    text = (f"The EbE group has reviewed {item} {_plural(ordered.height, 'time')}. Its latest "
            f"rating is {last['rating']} of 5 ({_month(last['reviewed_on'])})")
    if ordered.height > 1:
        text += (f", against {first['rating']} of 5 at its first review "
                 f"({_month(first['reviewed_on'])}).")
    else:
        text += "."
    return text


def evidence_summary(evidence: pl.DataFrame, item: str, place: str) -> str:
    """The latest published figure of each KPI that evidences the item."""
    if evidence.is_empty():
        return f"There are no figures for the KPIs that evidence {item} in {place}."
    parts = []
    for title in evidence.get_column("title").unique(maintain_order=True).to_list():
        rows = evidence.filter((pl.col("title") == title) & (pl.col("status") == PUBLISHED))
        if rows.is_empty():
            parts.append(f"{title}: no published figure (suppressed or not yet available)")
            continue
        row = rows.sort("period_start").row(-1, named=True)
        trend = f"; {words.word('trend', row['trend']).lower()}" \
            if row["trend"] not in (None, TREND_CANNOT) else ""
        parts.append(f"{title} {display_value(row['value'], PUBLISHED, row['unit'])} in "
                     f"{row['period']}{trend}")
    return f"Evidence for {item} in {place}, latest published figures: " + "; ".join(parts) + "."


def no_evidence_text(item: str) -> str:
    return (f"No KPI measures {item}: its progress is shown by the partners' updates and the EbE "
            "group's reviews.")


def completers_summary(completers: pl.DataFrame, period: str, place: str) -> str:
    """R2: outcomes of people who completed a programme in prison against everyone else."""
    published = completers.filter(pl.col("status") == PUBLISHED)
    if published.is_empty():
        return (f"There are no published figures for programme completers in {place} in "
                f"{period}: they are suppressed or not yet available.")
    higher, lower, similar = [], [], []
    for title in published.get_column("title").unique(maintain_order=True).to_list():
        rows = {r["category"]: r for r in published.filter(pl.col("title") == title)
                .iter_rows(named=True)}
        yes, no = rows.get("yes"), rows.get("no")
        if yes is None or no is None:
            continue
        if yes["lower_95"] > no["upper_95"]:
            higher.append(title.lower())
        elif yes["upper_95"] < no["lower_95"]:
            lower.append(title.lower())
        else:
            similar.append(title.lower())
    parts = [f"In {place} in {period}, people who completed a programme in prison compared with "
             "those who did not:"]
    if higher:
        parts.append(f"clearly higher for {_list(higher)};")
    if lower:
        parts.append(f"clearly lower for {_list(lower)};")
    parts.append(f"no clear difference for {_list(similar) or 'the others'}." if similar
                 else "no other KPI to compare.")
    parts.append("'Clearly' means the 95% confidence intervals do not overlap.")
    return " ".join(parts)


def services_summary(frame: pl.DataFrame, kind_title: str, la_code: str | None, on: date
                     ) -> str:
    """R5/R6: open services of one kind across London's boroughs, and in the chosen one."""
    with_any = frame.filter(pl.col("services") > 0)
    text = (f"On {on:%-d %B %Y}, {with_any.height} of London's {frame.height} boroughs had at "
            f"least one {kind_title.lower().rstrip('s')} open ({int(frame['services'].sum())} in "
            "all).")
    if la_code is not None:
        chosen = frame.filter(pl.col("la") == la_code)
        if chosen.height:
            row = chosen.row(0, named=True)
            text += f" {row['name']} had {row['services']}."
    return text


def glance_summary(glance: pl.DataFrame) -> str:
    """The 11 items London-wide, in two or three sentences."""
    recorded = glance.filter(pl.col("status").is_not_null())
    done = recorded.filter(pl.col("status").is_in(["implemented", "embedded"])).height
    red = recorded.filter(pl.col("rag") == "red").get_column("item").to_list()
    disagree = glance.filter(pl.col("agreement") == model.DISAGREE).get_column("item").to_list()
    parts = [f"London-wide, {recorded.height} of the 11 items have an update; {done} "
             f"{'is' if done == 1 else 'are'} implemented or embedded."]
    if red:
        parts.append(f"Rated red by partners: {_list(red)}.")
    if disagree:
        parts.append(f"The EbE group's rating disagrees with the partners' on {_list(disagree)}.")
    else:
        parts.append("The EbE group's ratings do not contradict the partners' on any item.")
    parts.append("'Agree?' compares the expert-by-experience group's rating (1 to 5) with the "
                 "partners' own red/amber/green rating: 1 or 2 is read as red, 3 as amber and "
                 "4 or 5 as green; 'Partly agree' is one step apart.")
    return " ".join(parts)
