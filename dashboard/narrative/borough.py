"""Summaries for the borough profile (pure functions).

Every sentence is built from the kpi_values rows it is given, so it always says what the page
shows: published figures as they are displayed elsewhere, '*' figures as suppressed, and
immature figures as not yet available with the date they will be.
"""

from __future__ import annotations

import polars as pl

from dashboard import words
from dashboard.charts.trends import ENGLAND_SERIES, LONDON_SERIES
from dashboard.formatting import display_value, england_missing_text, once_loaded_text
from pipelines.definitions import registry
from pipelines.definitions.published import (
    BETTER,
    IMMATURE,
    NOT_COMPARED,
    PUBLISHED,
    SUPPRESSED,
    TREND_CANNOT,
    WORSE,
)

COC = registry.PRIMARY_KPI
TIER4 = registry.TIER4_KPI
SECONDARY_NOTE_WORDS = "worked out"  # kpi_values' note for a cell hidden to protect another
SMALL_COUNT_MAX = 4  # counts of 1 to 4 are suppressed for being small
NO_TREND = {None, TREND_CANNOT}
SERVICE_KINDS: dict[str, str] = {
    "one_stop_shop": "One stop shop",
    "womens_service": "Women's service",
    "peer_support": "Peer support",
    "residential_rehab": "Residential rehab",
    "community_treatment": "Community treatment",
}


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _rows_by_kpi(rows: pl.DataFrame) -> dict[str, dict]:
    return {row["kpi_id"]: row for row in rows.iter_rows(named=True)}


def _comparison(token: str | None, comparator: str) -> str | None:
    """'similar to London' for ('similar', 'London'); None when not compared."""
    if token in (None, NOT_COMPARED):
        return None
    label = words.comparison(token, comparator) or ""
    return label[0].lower() + label[1:]


def _value(row: dict | None, unit: str) -> str:
    if row is None:
        return "No data"
    return display_value(row["value"], row["status"], unit, row["available_from"])


def released_text(count: int | None) -> str:
    return "*" if count is None else f"{count:,}"


def suppressed_total_text(area_name: str, period: str, at_least: int | None,
                          reason_note: str | None = None) -> str:
    """Why the number released is hidden, and the lower bound the prisons chart does show: the
    published prison counts, so the sentence never calls 'small' a number the page shows is at
    least 14."""
    secondary = bool(reason_note) and SECONDARY_NOTE_WORDS in reason_note
    reason = ("so that a small count elsewhere cannot be worked out from it" if secondary
              or (at_least or 0) > SMALL_COUNT_MAX else "to protect small numbers")
    text = (f"the total number of {area_name} residents released from prison in {period} is "
            f"suppressed (*) {reason}")
    if at_least:
        text += (f"; the published counts by prison add up to {at_least:,}, so at least "
                 f"{at_least:,} were released")
    return text


def borough_summary(area_name: str, period: str, area: pl.DataFrame, london: pl.DataFrame,
                    england: pl.DataFrame, definitions: pl.DataFrame,
                    released: int | None, released_at_least: int | None = None,
                    england_missing: str | None = None) -> str:
    """A plain-English paragraph on one LA in one year.

    `area`, `london`, `england`: kpi_values rows (breakdown 'all') for the year; `released`: the
    published number of releases (None when suppressed); `released_at_least`: the sum of the
    published counts by prison (what the prisons chart shows) when the total is suppressed;
    `england_missing`: why there is no England figure to compare with, when there is none.
    """
    if area.is_empty():
        return f"There are no figures for {area_name} in {period}."
    mine, theirs, national = _rows_by_kpi(area), _rows_by_kpi(london), _rows_by_kpi(england)
    kpis = {row["id"]: row for row in definitions.iter_rows(named=True)}
    parts: list[str] = []

    coc = mine.get(COC)
    if released is not None:
        opening = (f"In {period}, {released:,} {area_name} residents in drug or alcohol "
                   "treatment were released from prison")
    else:
        text = suppressed_total_text(area_name, period, released_at_least,
                                     coc["note"] if coc is not None else None)
        opening = text[0].upper() + text[1:]
    if coc is not None and coc["status"] == PUBLISHED:
        versus = [f"London {_value(theirs.get(COC), 'percent')}"]
        london_words = _comparison(coc["compared_to_london"], words.LONDON_WORD)
        if london_words:
            versus.append(london_words)
        england_row = national.get(COC)
        england_words = _comparison(coc["compared_to_england"], words.ENGLAND_WORD)
        if england_row is not None and england_row["status"] == PUBLISHED:
            versus.append(f"England {_value(england_row, 'percent')}"
                          + (f", {england_words}" if england_words else ""))
        elif england_missing:
            versus.append(england_missing)
        parts.append(f"{opening}, and {_value(coc, 'percent')} started community treatment "
                     f"within 3 weeks ({'; '.join(versus)}).")
    elif coc is not None and coc["status"] == IMMATURE:
        parts.append(f"{opening}. Whether they started treatment within 3 weeks is "
                     f"{_value(coc, 'percent').lower()}.")
    else:
        parts.append(f"{opening}. The share who started treatment within 3 weeks is "
                     "suppressed (*) to protect small numbers.")

    tier4 = mine.get(TIER4)
    if tier4 is not None and tier4["status"] == PUBLISHED:
        count = tier4["numerator"]
        parts.append(f"{count:,} release{' was' if count == 1 else 's were'} followed by a "
                     f"Tier 4 rehab entry within 12 weeks ({_value(tier4, 'rate_per_100')}; "
                     f"London {_value(theirs.get(TIER4), 'rate_per_100')}).")
    elif tier4 is not None and tier4["status"] == SUPPRESSED:
        parts.append("The number entering Tier 4 rehab is too small to publish for one year "
                     "(*); the 3-year and sub-region figures show more.")

    better, worse, waiting, hidden = [], [], [], []
    for kpi_id, kpi in kpis.items():
        row = mine.get(kpi_id)
        if row is None:
            continue
        title = kpi["title"].lower()
        if row["status"] == IMMATURE:
            when = row["available_from"]
            waiting.append(f"{title} ({once_loaded_text(when)})" if when else title)
        elif row["status"] == SUPPRESSED:
            if kpi_id not in (COC, TIER4):  # already said above
                hidden.append(title)
        elif kpi_id != COC:
            if row["compared_to_london"] == BETTER:
                better.append(f"{title} ({_value(row, kpi['unit'])})")
            elif row["compared_to_london"] == WORSE:
                worse.append(f"{title} ({_value(row, kpi['unit'])})")
    if better:
        parts.append(f"Significantly better than London: {_join(better)}.")
    if worse:
        parts.append(f"Significantly worse than London: {_join(worse)}.")
    if not better and not worse and any(
            r["status"] == PUBLISHED for k, r in mine.items() if k != COC):
        parts.append("On every other published indicator it was similar to London.")
    if hidden:
        parts.append(f"Also suppressed (*) to protect small numbers: {_join(hidden)}.")
    if waiting:
        parts.append(f"Not yet available because the follow-up is not complete: "
                     f"{_join(waiting)}.")
    if coc is not None and coc["trend"] not in NO_TREND:
        parts.append("Recent trend in continuity of care: "
                     f"{words.word('trend', coc['trend']).lower()}.")
    return " ".join(parts)


def nothing_published(area: pl.DataFrame) -> bool:
    """True when none of the area's figures for the year is published."""
    return area.filter(pl.col("status") == PUBLISHED).is_empty()


def suppressed_notice(area_name: str, period: str, subregion_name: str,
                      rolling_period: str | None, rolling: pl.DataFrame) -> str:
    """What to say when every figure for the LA and year is suppressed or not yet available."""
    text = (f"Every figure for {area_name} in {period} is suppressed or not yet available: "
            "so few people are involved that publishing them could identify someone.")
    published = rolling.filter(pl.col("status") == PUBLISHED).height if rolling_period \
        else 0
    if rolling_period and published:
        text += (f" The 3-year figures for {rolling_period} ({published} published) and the "
                 f"{subregion_name} sub-region figures below give the fuller picture.")
    else:
        text += f" The {subregion_name} sub-region figures below give the fuller picture."
    return text


def spine_summary(spine: pl.DataFrame, area_name: str, period: str,
                  peers_label: str = "London boroughs") -> str:
    """One sentence per group of the spine chart's rows, by benchmark against London."""
    published = spine.filter(pl.col("status") == PUBLISHED)
    if published.is_empty():
        return (f"None of {area_name}'s figures for {period} is published, so there is no "
                f"marker on the chart; the bars still show the range of {peers_label} and the "
                "line London.")
    counts = {c: published.filter(pl.col("category") == c).height
              for c in (words.BETTER, words.SIMILAR, words.WORSE)}
    text = (f"{published.height} of {spine.height} indicators for {area_name} in {period} are "
            f"published: {counts[words.BETTER]} significantly better than London, "
            f"{counts[words.SIMILAR]} similar and {counts[words.WORSE]} significantly worse. "
            "Each row "
            f"shows the range of {peers_label} (light bar; darker bar: the middle half), "
            "London (black line) and the area (coloured marker), with better to the right.")
    missing = spine.height - published.height
    if missing:
        text += f" {missing} indicator{'s are' if missing != 1 else ' is'} suppressed or not " \
                "yet available and shown in words only."
    return text


def trend_summary(trend: pl.DataFrame, area_label: str, kpi_title: str, unit: str,
                  suggest_rolling: bool = False) -> str:
    """First and latest published values of the area, against London, and the gaps; with
    `suggest_rolling`, a pointer to the 3-year figures when single years are suppressed."""
    area = trend.filter(pl.col("series") == area_label).sort("period_start")
    published = area.filter(pl.col("status") == PUBLISHED)
    title = kpi_title.lower()
    suppressed = area.filter(pl.col("status") == SUPPRESSED).get_column("period").to_list()
    hint = " Choose 3-year rolling above for figures that pool three years." \
        if suggest_rolling and suppressed else ""
    if published.is_empty():
        return (f"No single figure for {title} in {area_label} is published for these periods "
                f"(suppressed or not yet available).{hint}")
    first, last = published.row(0, named=True), published.row(-1, named=True)
    text = (f"{area_label}'s {title} was {display_value(first['value'], PUBLISHED, unit)} in "
            f"{first['period']}")
    if last["period"] != first["period"]:
        text += f" and {display_value(last['value'], PUBLISHED, unit)} in {last['period']}"
    london = trend.filter((pl.col("series") == LONDON_SERIES) & (pl.col("period") == last["period"])
                          & (pl.col("status") == PUBLISHED))
    if london.height:
        text += f" (London {display_value(london.item(0, 'value'), PUBLISHED, unit)})"
    text += "."
    if last["trend"] not in NO_TREND:
        text += f" Recent trend: {words.word('trend', last['trend']).lower()}."
    waiting = area.filter(pl.col("status") == IMMATURE).get_column("period").to_list()
    if suppressed:
        text += f" Suppressed (*): {_join(suppressed)}."
    if waiting:
        text += f" Not yet available: {_join(waiting)}."
    england = trend.filter(pl.col("series") == ENGLAND_SERIES)
    if england.height:
        text += " The dotted line is England."
        missing = england_missing_text(area.get_column("period").to_list()[-1],
                                       england.get_column("period").to_list())
        if missing:
            last = england.sort("period_start").item(-1, "period")
            text += f" {missing}, so its line stops at {last}."
    return text + hint


def funnel_summary(stages: pl.DataFrame, area_name: str, period: str) -> str:
    rows = stages.sort("order").to_dicts()
    released = rows[0]
    if released["status"] != PUBLISHED:
        head = (f"The number of {area_name} residents released in {period} is suppressed "
                "(*) to protect small numbers.")
    else:
        head = f"Of {released['count']:,} {area_name} residents released in {period}:"
    details = []
    for row in rows[1:]:
        stage = row["stage"][0].lower() + row["stage"][1:]
        if row["status"] == PUBLISHED:
            details.append(f"{row['label']} {stage}")
        elif row["status"] == SUPPRESSED:
            details.append(f"{stage}: suppressed (*)")
        elif row["status"] == IMMATURE:
            details.append(f"{stage}: {row['label'][0].lower()}{row['label'][1:]}")
        else:
            details.append(f"{stage}: no data")
    tail = (" Each stage counts people from the same releases; a Tier 4 entry can start after "
            "day 21, so the stages are not all nested.")
    body = "; ".join(details)
    if released["status"] != PUBLISHED:
        body = body[0].upper() + body[1:]
    return f"{head} {body}.{tail}"


def residence_summary(rows: pl.DataFrame, area_name: str, period: str, total: int | None,
                      total_status: str) -> str:
    published = rows.filter((pl.col("status") == PUBLISHED) & (pl.col("releases") > 0))
    hidden = rows.filter(pl.col("status") == SUPPRESSED).height
    if total_status == SUPPRESSED:
        at_least = published.get_column("releases").sum() if published.height else None
        text = suppressed_total_text(area_name, period, at_least)
        head = text[0].upper() + text[1:] + "."
    else:
        head = f"In {period}, {total or 0:,} {area_name} residents were released from prison."
    if published.is_empty():
        return head + (" No prison's count is published." if hidden else "")
    top = published.row(0, named=True)
    text = (f"{head} The most came from {top['prison_name']} ({top['releases']:,}); "
            f"{published.height} prison{'s' if published.height != 1 else ''} had a published "
            "count.")
    if hidden:
        text += f" {hidden} prison count{'s are' if hidden != 1 else ' is'} suppressed (*)."
    return text


def services_table(services: pl.DataFrame) -> pl.DataFrame:
    """A borough's services as a readable table, by kind then name."""
    order = {kind: index for index, kind in enumerate(SERVICE_KINDS)}
    yes_no = {True: "Yes", False: "No"}
    return services.sort(
        pl.col("kind").replace_strict(order, default=len(order), return_dtype=pl.Int64), "name"
    ).select(
        pl.col("name").alias("Service"),
        pl.col("kind").replace_strict(SERVICE_KINDS, default=pl.col("kind"),
                                      return_dtype=pl.String).alias("Kind"),
        pl.col("drop_in").replace_strict(yes_no, default="", return_dtype=pl.String)
        .alias("Drop-in"),
        pl.col("women_only").replace_strict(yes_no, default="", return_dtype=pl.String)
        .alias("Women only"),
        pl.col("paid_peer_support_fte").alias("Paid peer support (FTE)"),
        pl.col("opened_on").dt.strftime("%-d %b %Y").alias("Opened"),
        pl.when(pl.col("closed_on").is_null()).then(pl.lit("Open"))
        .otherwise(pl.lit("Closed ") + pl.col("closed_on").dt.strftime("%-d %b %Y"))
        .alias("Status"),
    )


def services_summary(services: pl.DataFrame, area_name: str) -> str:
    open_services = services.filter(pl.col("closed_on").is_null())
    if services.is_empty():
        return f"No recovery services are listed for {area_name}."
    counts = open_services.group_by("kind").len()
    named = dict(zip(counts.get_column("kind"), counts.get_column("len"), strict=True))
    parts = [f"{named[k]} {SERVICE_KINDS[k].lower()}" for k in SERVICE_KINDS if k in named]
    text = (f"{area_name} lists {open_services.height} open recovery "
            f"service{'s' if open_services.height != 1 else ''}"
            + (f": {_join(parts)}." if parts else "."))
    fte = open_services.get_column("paid_peer_support_fte").sum()
    # Paid peer support staff often work inside other services: the sentence says where, so
    # "no peer support service" never reads as "no peer support".
    missing = [SERVICE_KINDS[k].lower() for k in ("one_stop_shop", "womens_service",
                                                  "peer_support") if k not in named]
    if missing:
        text += (" No " + " or ".join(f"{kind} service" if "service" not in kind else kind
                                      for kind in missing) + " is listed.")
    with_staff = open_services.filter(pl.col("paid_peer_support_fte") > 0) \
        .get_column("name").to_list()
    if fte > 0:
        text += (f" Paid peer support workers: {fte:.1f} full-time equivalent, working in "
                 f"{_join(with_staff)}.")
    else:
        text += " No paid peer support is listed."
    closed = services.height - open_services.height
    if closed:
        text += f" {closed} listed service{'s have' if closed != 1 else ' has'} closed."
    return text
