"""What goes into a board pack: assembled from the published tables, rendered elsewhere.

A pack is a cover, a contents list and a list of sections. Each section has a title, plain
English text, headed lists (the summary), figures (the same Altair chart builders the app
uses) and an optional table, so the PDF and the HTML renderers show exactly the same content.
Everything comes through dashboard.data, so disclosure control holds: a suppressed figure can
only ever appear as '*'. A borough pack leads with the borough: its summary, its own page (spine
chart), its trends against London and England, and the London charts with it highlighted;
London-wide items are labelled as such.

Over 400 lines because it is the pack's table of contents in code: one builder per section in
reading order (summary, borough pages, maps, R1, recommendations, definitions), each a short
query-and-assemble; the pack's model is exports/pack.py and the shared sections are
dashboard/sections.py.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from dashboard import data, formatting, sections, tracker, words
from dashboard.charts import palette
from dashboard.charts import recommendations as recommendation_charts
from dashboard.charts import recovery as recovery_charts
from dashboard.charts import tier4 as tier4_charts
from dashboard.charts.funnel import funnel_frame
from dashboard.charts.maps import tile_frame, tile_map
from dashboard.charts.ranked import ranked_chart, ranked_frame
from dashboard.charts.spine import spine_frame
from dashboard.charts.trends import trend_frame
from dashboard.exports import summary
from dashboard.exports.pack import (
    DISCLOSURE_TEXT,
    BoardPack,
    Figure,
    Section,
    printed,
    resolve_scope,
)
from dashboard.exports.summary import Finding
from dashboard.narrative import borough as borough_narrative
from dashboard.narrative import overview as overview_narrative
from dashboard.narrative import recommendations as recommendation_narrative
from dashboard.narrative import recovery as recovery_narrative
from pipelines.definitions import periods, reference, registry
from pipelines.definitions.published import (
    ENGLAND,
    IMMATURE,
    LA,
    LONDON,
    PUBLISHED,
    ROLLING_3Y,
    SUPPRESSED,
)
from pipelines.definitions.registry import definition_line

COC = registry.PRIMARY_KPI
VOICES_QUOTES = 6  # quotes about what would make services work, in the board pack
CHART_WIDTH = 520  # CSS px: vl-convert cannot size to a container
SPINE_WIDTH = 660  # room between the value and London's value written beside each row
HIGHLIGHT_COLOUR = palette.HIGHLIGHT_COLOUR


def _previous(period: str) -> str | None:
    years = data.periods("year")
    if period not in years:
        raise ValueError(f"no figures for {period!r}; years available: {', '.join(years)}")
    index = years.index(period)
    return years[index - 1] if index else None


def _interval(row: dict, unit: str) -> str:
    suffix = "%" if unit == "percent" else ""
    return f"{row['lower_95']:.1f}{suffix} to {row['upper_95']:.1f}{suffix}"


def headline_table(scope_code: str, period: str) -> pl.DataFrame:
    """Every KPI for the scope in the period: value with interval and counts, London (for a
    borough), England and the target, in words and units."""
    definitions = data.kpi_definitions().select(
        pl.col("id").alias("kpi_id"), "title", "unit", "target")
    rows = data.kpi_values(area_code=scope_code, period=period, breakdown="all")
    london = data.kpi_values(area_type=LONDON, period=period, breakdown="all").select(
        "kpi_id", pl.col("value").alias("london_value"), pl.col("status").alias("london_status"))
    england = data.kpi_values(area_type=ENGLAND, period=period).select(
        "kpi_id", pl.col("value").alias("england_value"))
    joined = definitions.join(rows, on="kpi_id", how="left").join(
        london, on="kpi_id", how="left").join(england, on="kpi_id", how="left")
    is_london = scope_code == reference.LONDON_CODE
    out = []
    for row in joined.iter_rows(named=True):
        status = row["status"] or "no_data"
        shown = status == PUBLISHED
        unit = row["unit"]
        london_text = formatting.display_value(row["london_value"], row["london_status"], unit) \
            if row["london_status"] else "No data"
        england_text = (f"{words.comparison(row['compared_to_england'], words.ENGLAND_WORD)} "
                        f"({formatting.display_value(row['england_value'], PUBLISHED, unit)})"
                        if row["england_value"] is not None and row["compared_to_england"]
                        else "Not published yet" if shown else "")
        out.append({
            "Indicator": row["title"],
            "Value": formatting.display_value(row["value"], status, unit, row["available_from"])
            if status != "no_data" else "No data",
            "95% interval": _interval(row, unit) if shown else "",
            "Count": formatting.display_count(row["numerator"], status)
            if status in (PUBLISHED, SUPPRESSED) else "",
            "Releases": formatting.display_count(row["denominator"], status)
            if status in (PUBLISHED, SUPPRESSED) else "",
            "London": london_text if not is_london else "",
            "Compared with London": (words.comparison(row["compared_to_london"],
                                                      words.LONDON_WORD) or "") if shown else "",
            "Compared with England": england_text,
            "Target": (f"{row['target']:.0f}%: " + ("met" if row["value"] >= row["target"]
                                                    else "not met"))
            if row["target"] is not None and shown else "",
            "Recent trend": (words.word("trend", row["trend"]) or "") if shown else "",
        })
    table = pl.DataFrame(out)
    return table.drop("London", "Compared with London") if is_london else table


# --- The summary page ---------------------------------------------------------------------------

def summary_findings(scope_code: str, scope_name: str, period: str, previous: str | None
                     ) -> list[Finding]:
    """What changed and what needs attention, for London or one borough, from the figures."""
    definitions = data.kpi_definitions()
    years = [p for p in (period, previous) if p]
    area = data.kpi_values(area_code=scope_code, period=years, breakdown="all",
                           period_type="year")
    quarters = data.kpi_values(area_code=scope_code, period_type="quarter", breakdown="all")
    is_london = scope_code == reference.LONDON_CODE
    changes = summary.significant_changes(area, period, previous, definitions)
    signals = summary.spc_signals(quarters, period, definitions)
    attention = [s for s, verdict in changes if verdict == "a deterioration"]
    attention += [s for s, concern in signals if concern]
    attention += summary.targets_missed(area, definitions, scope_name, period)
    if is_london:
        las = data.kpi_values(kpi_id=COC, area_type=LA, breakdown="all", period=years,
                              period_type="year")
        worse = summary.worse_boroughs(las, data.kpi_definition(COC)["title"], "percent",
                                       period)
        attention += [worse] if worse else []
        moved = summary.benchmark_changes(las, period, previous)
        moved_heading = ("Boroughs whose continuity of care (21 days) changed benchmark against "
                         f"London since {previous}")
    else:
        attention += summary.compared_worse(area, definitions, scope_name, period)
        moved = summary.own_benchmark_changes(area, period, previous, definitions)
        moved_heading = f"{scope_name}'s indicators that changed benchmark against London " \
                        f"since {previous}"
    since = f"since {previous}" if previous else "(no earlier year to compare with)"
    who = scope_name
    published_now = area.filter((pl.col("period") == period)
                                & (pl.col("status") == PUBLISHED)).height
    hidden = (f"{scope_name}'s figures are suppressed (small numbers) or not yet available, "
              "so ")
    published_quarters = quarters.filter(
        (periods.financial_year_expr(pl.col("period")) == period)
        & (pl.col("status") == PUBLISHED)).height
    findings = [
        Finding(f"Significant changes in {who} {since}", [s for s, _ in changes],
                "No indicator changed significantly: every 95% confidence interval overlaps "
                "last year's." if summary.comparable(area, period, previous)
                else hidden + "no change can be tested."),
        Finding(f"Needs attention in {who}", attention, "Nothing: no significant "
                "deterioration, special-cause concern, missed target or figure significantly "
                "worse than its comparators." if published_now
                else hidden + f"nothing can be assessed for {period}"
                + ("; see the 3-year figures." if periods.window_ending(
                    period, data.periods(ROLLING_3Y)) else ".")),
        Finding(f"Statistical process control: {who}, quarters of {period}",
                [s for s, _ in signals],
                "No special-cause signals: quarterly variation is common cause."
                if published_quarters else hidden + "no quarterly chart can be drawn."),
    ]
    if previous:
        findings.append(Finding(moved_heading, moved, "None."))
    if not is_london:
        own = tracker.tracker_frame(
            tracker.updates(), tracker.reviews(), data.recommendations(), scope_code)
        findings.append(Finding(
            f"Recommendations in {scope_name}: partners and the EbE group disagree",
            summary.disagreements(own),
            f"None: no item recorded for {scope_name} has partners' RAG and the EbE group's "
            "rating pointing opposite ways."))
    findings.append(Finding(
        "London-wide recommendations: partners and the EbE group disagree"
        if not is_london else "Recommendations: partners and the EbE group disagree",
        summary.disagreements(tracker.glance()),
        "None: the EbE group's ratings do not contradict partners' RAG on any item."))
    waiting = summary.not_yet(area, period, definitions)
    england = summary.england_note(
        data.kpi_values(area_type=ENGLAND, period_type="year"), period, definitions)
    if waiting or england:
        findings.append(Finding("Not in this pack yet", waiting + ([england] if england else [])))
    return findings


def summary_section(scope_code: str, scope_name: str, period: str, previous: str | None
                    ) -> Section:
    return Section(f"Summary: what changed and what needs attention, {period}",
                   findings=summary_findings(scope_code, scope_name, period, previous))


# --- Borough sections -------------------------------------------------------------------------

def borough_page(scope_code: str, scope_name: str, period: str) -> Section:
    """The borough's own page: its summary in words and its spine chart against London."""
    definitions = data.kpi_definitions()
    year = data.kpi_values(area_type=[LA, LONDON, ENGLAND], period=period,
                           period_type="year", breakdown="all")
    area = year.filter(pl.col("area_code") == scope_code)
    london = year.filter(pl.col("area_type") == LONDON)
    england = year.filter(pl.col("area_type") == ENGLAND)
    released = funnel_frame(area, definitions).item(0, "count")
    spine = spine_frame(area, year.filter(pl.col("area_type") == LA), london, definitions)
    la = data.local_authorities().filter(pl.col("code") == scope_code).row(0, named=True)
    return printed(
        sections.spine_section(spine, scope_name, period), f"{scope_name} at a glance, {period}",
        before=[f"{scope_name} is in the {la['subregion_name']} sub-region of London.",
                borough_narrative.borough_summary(scope_name, period, area, london, england,
                                                  definitions, released)],
        size={"width": SPINE_WIDTH, "autosize": alt.AutoSizeParams(type="pad")}, width_mm=180,
        with_table=False)


def larger_groupings_section(scope_code: str, scope_name: str, period: str) -> Section | None:
    """Where the borough's single-year figures are suppressed: its 3-year figures against the
    London boroughs' (fewer of them are suppressed), as on the app's borough profile."""
    area = data.kpi_values(area_code=scope_code, period=period, period_type="year",
                           breakdown="all")
    rolling_period = periods.window_ending(period, data.periods(ROLLING_3Y))
    if rolling_period is None or area.filter(pl.col("status") == SUPPRESSED).is_empty():
        return None
    definitions = data.kpi_definitions()
    rolling = data.kpi_values(area_type=[LA, LONDON], period=rolling_period,
                              period_type="rolling_3y", breakdown="all")
    spine = spine_frame(rolling.filter(pl.col("area_code") == scope_code),
                        rolling.filter(pl.col("area_type") == LA),
                        rolling.filter(pl.col("area_type") == LONDON), definitions)
    return printed(
        sections.spine_section(spine, scope_name, rolling_period, key="spine-rolling"),
        f"{scope_name} over three years, {rolling_period}",
        before=[f"Some of {scope_name}'s figures for {period} are suppressed because the "
                "numbers are small. Three years together give larger numbers."],
        size={"width": SPINE_WIDTH, "autosize": alt.AutoSizeParams(type="pad")}, width_mm=180,
        with_table=False, new_page=False)


def trend_section(scope_code: str, scope_name: str) -> Section:
    """The borough's trend against London and England for the headline indicators."""
    trend_kpis = data.kpi_ids(registry.PACK_TREND)
    yearly = data.kpi_values(kpi_id=trend_kpis, area_type=[LA, LONDON, ENGLAND],
                             period_type="year", breakdown="all")
    shared = []
    for kpi_id in data.kpi_ids(registry.PACK_TREND):
        kpi = data.kpi_definition(kpi_id)
        rows = yearly.filter(pl.col("kpi_id") == kpi_id)
        trend = trend_frame(rows.filter(pl.col("area_code") == scope_code),
                            rows.filter(pl.col("area_type") == LONDON),
                            rows.filter(pl.col("area_type") == ENGLAND), scope_name,
                            kpi["unit"])
        shared.append(printed(sections.trend_section(trend, scope_name, kpi), "",
                              size={"width": CHART_WIDTH, "height": 200}, width_mm=150,
                              with_table=False))
    return Section(f"{scope_name} over time, against London and England",
                   text=[t for s in shared for t in s.text],
                   figures=[f for s in shared for f in s.figures])


# --- London charts ----------------------------------------------------------------------------

def _highlight_tile(chart: alt.LayerChart, tiles: pl.DataFrame, code: str) -> alt.LayerChart:
    """The borough's tile outlined in black on the London tile map."""
    mine = tiles.filter(pl.col("code") == code).select("tile_x", "tile_y")
    outline = alt.Chart(mine).mark_rect(filled=False, stroke=HIGHLIGHT_COLOUR, strokeWidth=4,
                                        cornerRadius=4).encode(
        x=alt.X("tile_x:O", axis=None, scale=alt.Scale(domain=list(range(8)))),
        y=alt.Y("tile_y:O", axis=None, scale=alt.Scale(domain=list(range(7)))))
    chart.layer = [*chart.layer, outline]
    return chart


def _highlight_rank(chart: alt.LayerChart, published: pl.DataFrame, name: str
                    ) -> alt.LayerChart:
    """The borough's marker in the ranked chart ringed in black (its name is on the axis)."""
    mine = published.filter(pl.col("name") == name).select("name", "value")
    if mine.is_empty():
        return chart
    # The same order as the chart's own rows, or Vega-Lite would fall back to A to Z.
    y = alt.Y("name:N", sort=published.sort("value", descending=True).get_column("name")
              .to_list())
    ring = alt.Chart(mine).mark_point(size=380, filled=False, stroke=HIGHLIGHT_COLOUR,
                                      strokeWidth=3).encode(x="value:Q", y=y)
    chart.layer = [*chart.layer, ring]
    return chart


def _place_in_rank(published: pl.DataFrame, name: str, unit: str) -> str | None:
    ordered = published.sort("value", descending=True).get_column("name").to_list()
    if name not in ordered:
        return None
    row = published.filter(pl.col("name") == name).row(0, named=True)
    position = ordered.index(name) + 1
    return (f"{name} (outlined on the map, ringed on the chart): "
            f"{formatting.display_value(row['value'], PUBLISHED, unit)}, "
            f"{row['category'].lower()} {'to' if row['category'] == words.SIMILAR else 'than'} "
            f"London, {position} of {len(ordered)} from the highest.")


def map_sections(period: str, scope_code: str | None = None,
                 scope_name: str | None = None) -> list[Section]:
    """One page per KPI: boroughs on the tile map beside the ranked chart; in a borough pack
    the borough is outlined and ringed."""
    sections = []
    las_reference = data.local_authorities()
    for kpi_id in data.kpi_ids(registry.PACK_MAP):
        kpi = data.kpi_definition(kpi_id)
        unit = kpi["unit"]
        las = data.kpi_values(kpi_id=kpi_id, period=period, area_type=LA, breakdown="all")
        london = data.kpi_values(kpi_id=kpi_id, period=period, area_type=LONDON,
                                 breakdown="all")
        london_value = london.row(0, named=True)["value"] if london.height else None
        title = f"{kpi['title']}: boroughs compared with London, {period}"
        if not las.is_empty() and (las.get_column("status") == IMMATURE).all():
            available = las.get_column("available_from").max()
            sections.append(Section(title, new_page=False, text=[
                f"Not yet available for {period}: the follow-up period ends after the data "
                f"cut-off. The figures will be shown once data to "
                f"{formatting.date_words(available)} is loaded."]))
            continue
        text = [overview_narrative.benchmark_summary(las, kpi["title"], unit, period,
                                                     london_value)]
        tiles = tile_frame(las_reference, las, unit)
        tile_chart = tile_map(tiles, f"{kpi['title']}{formatting.unit_title(unit)}")
        published = ranked_frame(las, unit)
        rank = ranked_chart(published, f"Ranked, {period}", "Per cent" if unit == "percent"
                            else "Per 100 releases", london_value).properties(width=300)
        if scope_name and scope_code and scope_code != reference.LONDON_CODE:
            tile_chart = _highlight_tile(tile_chart, tiles, scope_code)
            rank = _highlight_rank(rank, published, scope_name)
            place = _place_in_rank(published, scope_name, unit)
            text.append(place or f"{scope_name}'s figure is suppressed or not yet available, "
                                 "so it is outlined on the map but not ranked.")
        figures = [Figure(tile_chart, f"Tile map of London boroughs coloured by "
                                      f"{kpi['title'].lower()} compared with London.",
                          width_mm=96)]
        if not published.is_empty():
            text.append(overview_narrative.ranked_summary(published, london_value, unit))
            figures.append(Figure(rank, f"Boroughs ranked by {kpi['title'].lower()} with 95% "
                                        "intervals.", width_mm=82))
        sections.append(Section(title, text=text, figures=figures, side_by_side=True))
    return sections


# --- R1, recommendations, definitions ---------------------------------------------------------

def tier4_section(scope_code: str, scope_name: str, period: str) -> Section:
    rows = data.kpi_values(kpi_id=registry.TIER4_KPI, area_code=scope_code, breakdown="all",
                           period_type="year")
    ambition = tier4_charts.AMBITION_PER_100
    return printed(
        sections.tier4_trend_section(rows, scope_name, period,
                                     data.kpi_definition("tier4_on_release"), ambition),
        f"Tier 4 rehab entries on release (R1), {scope_name}",
        after=[tier4_charts.ambition_note(ambition) + "."],
        size={"width": CHART_WIDTH, "height": 220}, width_mm=150, new_page=False)


def _for_area(text: str, area_name: str) -> str:
    """The recovery narrative names London (the Long-term recovery page is London's); in a
    borough pack the same sentences are about the borough's rows, so they name the borough."""
    return text.replace("London residents", f"{area_name} residents").replace(
        " London figure", f" {area_name} figure")


def recovery_section(scope_code: str, scope_name: str, period: str) -> Section:
    kpi_ids = list(recovery_charts.RECOVERY_KPIS)
    rows = data.kpi_values(kpi_id=kpi_ids, area_code=scope_code, breakdown="all",
                           period_type="year")
    titles = dict(data.kpi_definitions().select("id", "title").iter_rows())
    return Section(
        f"Long-term recovery (R1), {scope_name}",
        text=[_for_area(recovery_narrative.cohort_summary(rows, period, titles), scope_name),
              _for_area(recovery_narrative.maturity_summary(rows, titles), scope_name)],
        figures=[Figure(recovery_charts.cohort_chart(
            rows, f"{scope_name}: outcome at each milestone, by year").properties(
            width=CHART_WIDTH, height=230),
            f"Continuity of care, treatment at 6 months, completion at 12 months and return to "
            f"custody for {scope_name}, by year.", width_mm=150)],
        table=recovery_charts.values_table(rows.filter(pl.col("period") == period), titles),
        new_page=False,
    )


def _with_date_words(table: pl.DataFrame) -> pl.DataFrame:
    return table.with_columns(
        pl.col(c).map_elements(formatting.date_words, return_dtype=pl.String)
        for c, dtype in table.schema.items() if dtype == pl.Date)


def borough_recommendations_section(scope_code: str, scope_name: str) -> Section:
    own = tracker.tracker_frame(
        tracker.updates(), tracker.reviews(), data.recommendations(), scope_code)
    table = own.select(
        pl.col("item").alias("Item"),
        pl.col("status_title").fill_null(tracker.NO_UPDATE).alias(
            f"Status in {scope_name}"),
        pl.col("rag_title").fill_null("").alias("Partners' RAG"),
        pl.col("london_status").alias("London-wide status"),
        pl.col("rating").cast(pl.String).fill_null("").alias("EbE rating (1-5)"),
        pl.col("review_scope").fill_null(tracker.NO_REVIEW).alias(
            "EbE review for"),
        pl.col("agreement").alias("Partners and EbE group"))
    return Section(
        f"Recommendations in {scope_name}",
        text=[recommendation_narrative.tracker_summary(own, scope_name),
              recommendation_narrative.agreement_summary(own, scope_name)],
        table=table)


def recommendations_section(borough: str | None = None) -> Section:
    glance = tracker.glance()
    title = "Recommendations: status, partners' RAG and the EbE group's rating"
    text = [recommendation_narrative.glance_summary(glance),
            recommendation_charts.GLANCE_DEFINITION]
    if borough:
        title = "London-wide recommendations (not specific to " + borough + ")"
        text.insert(0, f"These are London-wide: the status partners report for London as a "
                       f"whole, not for {borough}. {borough}'s own items are on the previous "
                       "page.")
    return Section(
        title, text=text,
        figures=[Figure(recommendation_charts.glance_chart(
            glance, "London-wide: status, partners' RAG and EbE rating").properties(width=420),
            "The two foundations and nine recommendations with their London-wide status, "
            "partners' RAG rating and the expert-by-experience group's rating.",
            width_mm=150)],
        table=_with_date_words(recommendation_charts.glance_table(glance)),
    )


def recovery_audit_sections(scope_code: str, scope_name: str) -> list[Section]:
    """The Recovery Audit (R7) of the current round for the scope, and EbE training (R8):
    none when no round has been opened."""
    from dashboard.charts import recovery_audit as audit_charts
    from dashboard.recovery_audit import report
    from dashboard.recovery_audit import results as audit

    latest = report.latest(scope_code)
    if latest is None:
        return []
    found, training, sample = latest
    scores = audit.scores_table(found)
    text = [audit.summary(found), audit.SCALE_NOTE]
    if sample:
        text.insert(0, "The audit ratings and training sessions here are a synthetic sample, "
                       "not real services' ratings.")
    text += [f"Strength: {line}" for line in found.strengths]
    text += [f"Area for improvement: {line}" for line in found.improvements]
    text += found.change_lines or ([f"No domain moved by half a point or more since "
                                    f"{found.previous_round}."] if found.previous_round else [])
    disagree = audit.disagreements_table(found)
    text.append(f"{disagree.height} service and domain pairs where the service's own rating "
                "and the EbE panel's differ by a point or more"
                + (": " + "; ".join(f"{r['Service']}, {r['Domain']} ({r['Which view is higher']}"
                                    ")" for r in disagree.head(5).iter_rows(named=True))
                   if disagree.height else "") + ".")
    if training.height:
        text.append(f"Training by experts by experience (R8): {training['Sessions'].sum()} "
                    f"sessions, {training['Staff trained'].sum():,} staff trained at "
                    f"{training.height} services.")
    figures = [Figure(audit_charts.scores_chart(scores, f"Recovery audit domain scores, "
                                                        f"{found.place}").properties(width=420),
                      f"Domain scores from services' self-assessments and the EbE panel, "
                      f"{found.place}, round {found.round_id}.", width_mm=150)] \
        if scores.height else []
    best = audit.best_practice_table(found)
    return [
        Section(f"Recovery audit (R7): {scope_name}, round {found.round_id}", text=text,
                figures=figures, table=scores),
        Section(f"Recovery audit best practice across London, round {found.round_id}",
                text=["The services rated highest on each domain by both their own "
                      "self-assessment and the EbE panel (both at least 3, in place), with the "
                      "evidence they gave."], table=best, new_page=False),
    ]
def voices_section(borough: str | None = None) -> Section | None:
    """Lived experience voices (peer research in the app store): themes by setting and what
    people say would make services work; approved, de-identified, disclosure-controlled. None
    when the app store cannot be opened or holds no approved account."""
    from dashboard.peer_research import export as voices
    from dashboard.peer_research import findings as voice_findings
    from dashboard.store import StoreError, app_store

    try:
        result = voices.build(app_store())
    except StoreError:
        return None
    if result.accounts == 0:
        return None
    quotes = result.would_make_work.unique(subset=["quote_id"], maintain_order=True)
    where = f" (London-wide, not specific to {borough})" if borough else ""
    text = [f"Accounts captured by peer researchers with lived experience and approved by the "
            f"project coordinator{where}: {result.accounts:,} accounts. {voices.RULES_NOTE}"]
    text += [f"“{row['text']}” ({row['setting']})" for row in
             quotes.head(VOICES_QUOTES).iter_rows(named=True)]
    return Section("Lived experience voices: themes by setting", text=text,
                   table=voice_findings.display(result.by_setting).drop("theme"))


def definitions_section() -> Section:
    definitions = data.kpi_definitions().select(
        pl.col("title").alias("Indicator"),
        pl.format("{} / {}", "numerator", "denominator").alias("Definition"),
        pl.col("recommendations").alias("Evidences"),
    )
    return Section("Definitions and disclosure control",
                   text=[definition_line(), DISCLOSURE_TEXT], table=definitions)


def build_pack(period: str, scope: str, produced: date | None = None) -> BoardPack:
    """The whole board pack for a period ('2024/25') and scope ('london' or an LA)."""
    scope_code, scope_name = resolve_scope(scope)
    previous = _previous(period)
    info = data.build_info()
    borough = scope_code != reference.LONDON_CODE
    headline = Section(
        f"Headline indicators, {scope_name}, {period}",
        text=[f"Each indicator for {scope_name} in {period} with its 95% confidence interval"
              + (", London's figure" if borough else "")
              + ", England (where a comparator is published) and the 75% ambition for "
              "continuity of care."],
        table=headline_table(scope_code, period))
    sections = [summary_section(scope_code, scope_name, period, previous)]
    if borough:
        larger = larger_groupings_section(scope_code, scope_name, period)
        sections += [borough_page(scope_code, scope_name, period), *([larger] if larger else []),
                     headline, trend_section(scope_code, scope_name)]
    else:
        sections.append(headline)
    sections += [
        *map_sections(period, scope_code, scope_name),
        tier4_section(scope_code, scope_name, period),
        recovery_section(scope_code, scope_name, period),
    ]
    if borough:
        sections.append(borough_recommendations_section(scope_code, scope_name))
    sections.append(recommendations_section(scope_name if borough else None))
    voices = voices_section(scope_name if borough else None)
    sections += [*([voices] if voices else []),
                 *recovery_audit_sections(scope_code, scope_name),
                 definitions_section()]
    return BoardPack(
        title=f"London Continuity of Care Outcomes: board pack for {scope_name}",
        scope_code=scope_code, scope_name=scope_name, period=period,
        previous_period=previous, cutoff=info.get("data_cutoff"),
        produced=produced or date.today(), synthetic=bool(info.get("synthetic")),
        sections=sections,
    )
