"""What goes into a board pack: assembled from the published tables, rendered elsewhere.

A pack is a list of sections, each with a title, plain-English text, an optional Altair chart
(the same chart builders the app uses) and an optional table, so the PDF and the HTML renderers
show exactly the same content. Everything comes through dashboard.data, so disclosure control
holds: a suppressed figure can only ever appear as '*'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import altair as alt
import polars as pl

from dashboard import data, formatting, tracker
from dashboard.charts import recommendations as recommendation_charts
from dashboard.charts import recovery as recovery_charts
from dashboard.charts import tier4 as tier4_charts
from dashboard.charts.maps import tile_frame, tile_map
from dashboard.charts.ranked import ranked_chart, ranked_frame
from dashboard.narrative import overview as overview_narrative
from dashboard.narrative import recommendations as recommendation_narrative
from dashboard.narrative import recovery as recovery_narrative
from dashboard.narrative import tier4 as tier4_narrative
from pipelines import reference
from pipelines.registry import definition_line

LONDON = "london"
HEADLINE_KPIS = ("coc_21d", "tier4_on_release", "engaged_6m", "completed_12m",
                 "returned_custody_12m", "settled_on_release", "pre_release_contact",
                 "informed_at_reception", "met_by_peer", "release_budget")
MAP_KPIS = ("coc_21d", "tier4_on_release", "engaged_6m", "completed_12m")
DISCLOSURE_TEXT = (
    "Counts from 1 to 4 are suppressed and shown as *, with any rate or interval built on them; "
    "true zeros are shown. Further figures are suppressed wherever a hidden figure could "
    "otherwise be worked out by subtraction from a published total (boroughs within London "
    "and sub-regions, categories within a breakdown, quarters within a year, overlapping "
    "3-year rolling totals). Figures whose follow-up period has not ended are shown as not yet "
    "available, never as a low number."
)


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    chart: alt.TopLevelMixin | None = None
    table: pl.DataFrame | None = None
    chart_alt: str = ""
    image: bytes | None = None  # the chart rendered as PNG, filled in when first rendered


@dataclass
class BoardPack:
    title: str
    scope_code: str
    scope_name: str
    period: str
    previous_period: str | None
    cutoff: date | None
    synthetic: bool
    sections: list[Section]

    @property
    def file_stem(self) -> str:
        scope = "london" if self.scope_code == reference.LONDON_CODE else self.scope_code
        return f"board-pack-{scope}-{self.period.replace('/', '-')}"


def resolve_scope(scope: str) -> tuple[str, str]:
    """('E12000007', 'London') for 'london', or an LA's code and name from its code or name."""
    if scope.strip().lower() in (LONDON, reference.LONDON_CODE.lower()):
        return reference.LONDON_CODE, reference.LONDON_NAME
    code = reference.normalise_london_la(scope)
    if code is None:
        raise ValueError(f"{scope!r} is not 'london' or a London local authority")
    return code, reference.area_name(code)


def _previous(period: str) -> str | None:
    years = data.periods("year")
    if period not in years:
        raise ValueError(f"no figures for {period!r}; years available: {', '.join(years)}")
    index = years.index(period)
    return years[index - 1] if index else None


def headline_table(scope_code: str, period: str) -> pl.DataFrame:
    """Every KPI for the scope in the period, with interval, England and target comparisons."""
    definitions = data.kpi_definitions().select(
        pl.col("id").alias("kpi_id"), "title", "unit", "target")
    rows = data.kpi_values(area_code=scope_code, period=period, breakdown="all")
    england = data.kpi_values(area_type="england", period=period).select(
        "kpi_id", pl.col("value").alias("england_value"))
    joined = definitions.join(rows, on="kpi_id", how="left").join(
        england, on="kpi_id", how="left")
    is_london = scope_code == reference.LONDON_CODE
    out = []
    for row in joined.iter_rows(named=True):
        status = row["status"] or "no_data"
        shown = status == "published"
        out.append({
            "Indicator": row["title"],
            "Value": formatting.display_value(row["value"], status, row["unit"],
                                              row["available_from"])
            if status != "no_data" else "No data",
            "95% interval": f"{row['lower_95']:.1f} to {row['upper_95']:.1f}" if shown else "",
            "Count": formatting.display_count(row["numerator"], status)
            if status != "no_data" else "",
            "Releases": formatting.display_count(row["denominator"], status)
            if status != "no_data" else "",
            "Compared with London": row["compared_to_london"] or "",
            "Compared with England": (
                f"{row['compared_to_england']} ({row['england_value']:.1f}%)"
                if row["england_value"] is not None and row["compared_to_england"]
                else (row["compared_to_england"] or "")),
            "Target": (f"{row['target']:.0f}%: " + ("met" if shown and row["value"] >=
                                                    row["target"] else "not met"))
            if row["target"] is not None and shown else "",
            "Recent trend": row["trend"] or "",
        })
    table = pl.DataFrame(out)
    return table.drop("Compared with London") if is_london else table


def _significant_moves(scope_code: str, period: str, previous: str | None) -> list[str]:
    """KPIs whose 95% intervals this year and last do not overlap."""
    if previous is None:
        return []
    rows = data.kpi_values(area_code=scope_code, period=[period, previous], breakdown="all",
                           period_type="year", status="published")
    titles = dict(data.kpi_definitions().select("id", "title").iter_rows())
    moves = []
    for kpi_id, group in rows.group_by("kpi_id", maintain_order=True):
        by_period = {r["period"]: r for r in group.iter_rows(named=True)}
        if period not in by_period or previous not in by_period:
            continue
        now, before = by_period[period], by_period[previous]
        if now["lower_95"] > before["upper_95"] or now["upper_95"] < before["lower_95"]:
            direction = "rose" if now["value"] > before["value"] else "fell"
            moves.append(f"{titles[kpi_id[0]]} {direction} from {before['value']:.1f} in "
                         f"{previous} to {now['value']:.1f} in {period}; the 95% intervals do "
                         "not overlap.")
    return moves


def _spc_signals(scope_code: str, period: str) -> list[str]:
    """Special-cause signals in the year's quarters, one line per KPI."""
    rows = data.kpi_values(area_code=scope_code, period_type="quarter", breakdown="all",
                           status="published")
    titles = dict(data.kpi_definitions().select("id", "title").iter_rows())
    in_year = rows.filter(pl.col("period").str.starts_with(period)
                          & pl.col("spc_signal").str.starts_with("Special cause"))
    lines = []
    for (kpi_id, signal), group in in_year.group_by("kpi_id", "spc_signal",
                                                    maintain_order=True):
        quarters = ", ".join(p.split(" ")[-1] for p in group.get_column("period"))
        lines.append(f"{titles[kpi_id]}: {_lower_first(signal)} in {quarters}.")
    return lines


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _benchmark_changes(period: str, previous: str | None) -> list[str]:
    if previous is None:
        return []
    rows = data.kpi_values(kpi_id="coc_21d", area_type="la", breakdown="all",
                           period=[period, previous], status="published")
    wide = rows.pivot(on="period", index="area_name", values="compared_to_london")
    if period not in wide.columns or previous not in wide.columns:
        return []
    changed = wide.filter(pl.col(period) != pl.col(previous)).sort("area_name")
    return [f"{r['area_name']}: {_lower_first(r[previous])} in {previous}, "
            f"{_lower_first(r[period])} in {period}." for r in changed.iter_rows(named=True)]


def summary_section(scope_code: str, period: str, previous: str | None) -> Section:
    text = []
    moves = _significant_moves(scope_code, period, previous)
    signals = _spc_signals(scope_code, period)
    changes = _benchmark_changes(period, previous) if scope_code == reference.LONDON_CODE \
        else []
    comparison = f"since {previous}" if previous else "(no earlier year to compare with)"
    text.append(f"What changed {comparison}:")
    text += moves or ["No indicator moved significantly (overlapping 95% intervals)."]
    text.append("Statistical process control signals in the quarters of the year:")
    text += signals or ["No special-cause signals: quarterly variation is common cause."]
    if scope_code == reference.LONDON_CODE:
        text.append("Boroughs whose continuity of care changed benchmark against London:")
        text += changes or ["None."]
    return Section("Summary: what changed", text=text)


def map_sections(period: str) -> list[Section]:
    sections = []
    las_reference = data.local_authorities()
    for kpi_id in MAP_KPIS:
        kpi = data.kpi_definition(kpi_id)
        las = data.kpi_values(kpi_id=kpi_id, period=period, area_type="la", breakdown="all")
        london = data.kpi_values(kpi_id=kpi_id, period=period, area_type="london",
                                 breakdown="all")
        london_value = london.row(0, named=True)["value"] if london.height else None
        if not las.is_empty() and (las.get_column("status") == "immature").all():
            available = las.get_column("available_from").max()
            sections.append(Section(
                f"{kpi['title']}: boroughs, {period}",
                text=[f"Not yet available: the follow-up period for {period} ends after the data "
                      f"cut-off. These figures will be available from {available:%-d %B %Y}."]))
            continue
        summary = overview_narrative.benchmark_summary(las, kpi["title"], kpi["unit"], period,
                                                       london_value)
        sections.append(Section(
            f"{kpi['title']}: boroughs compared with London, {period}", text=[summary],
            chart=tile_map(tile_frame(las_reference, las, kpi["unit"]),
                           f"{kpi['title']}{formatting.unit_title(kpi['unit'])}, {period}"),
            chart_alt=f"Tile map of London boroughs coloured by {kpi['title'].lower()} "
                      "compared with London.",
        ))
        published = ranked_frame(las, kpi["unit"])
        if not published.is_empty():
            sections.append(Section(
                f"{kpi['title']}: boroughs ranked, {period}",
                text=[overview_narrative.ranked_summary(published, london_value, kpi["unit"])],
                chart=ranked_chart(published, f"{kpi['title']}, {period}",
                                   "Per cent" if kpi["unit"] == "percent"
                                   else "Per 100 releases", london_value).properties(
                    width=520),
                chart_alt=f"Boroughs ranked by {kpi['title'].lower()} with 95% intervals.",
            ))
    return sections


def tier4_section(scope_code: str, scope_name: str, period: str) -> Section:
    rows = data.kpi_values(kpi_id="tier4_on_release", area_code=scope_code, breakdown="all",
                           period_type="year")
    ambition = tier4_charts.AMBITION_PER_100
    return Section(
        f"Tier 4 rehab entries on release (R1), {scope_name}",
        text=[tier4_narrative.london_summary(rows, period, ambition, scope_name),
              tier4_charts.ambition_note(ambition)],
        chart=tier4_charts.trend_chart(
            rows, f"{scope_name}: Tier 4 entries within 12 weeks per 100 releases",
            ambition).properties(width=520),
        table=tier4_charts.rates_table(rows),
        chart_alt=f"Tier 4 entries per 100 releases in {scope_name} by year, with 95% "
                  "intervals and the 2 per 100 ambition.",
    )


def recovery_section(scope_code: str, scope_name: str, period: str) -> Section:
    kpi_ids = list(recovery_charts.RECOVERY_KPIS)
    rows = data.kpi_values(kpi_id=kpi_ids, area_code=scope_code, breakdown="all",
                           period_type="year")
    titles = dict(data.kpi_definitions().select("id", "title").iter_rows())
    return Section(
        f"Long-term recovery (R1), {scope_name}",
        text=[recovery_narrative.cohort_summary(rows, period, titles),
              recovery_narrative.maturity_summary(rows, titles)],
        chart=recovery_charts.cohort_chart(
            rows, f"{scope_name}: outcome at each milestone, by year").properties(width=520),
        table=recovery_charts.values_table(rows.filter(pl.col("period") == period), titles),
        chart_alt=f"Continuity of care, treatment at 6 months, completion at 12 months and "
                  f"return to custody for {scope_name}, by year.",
    )


def recommendations_section() -> Section:
    glance = tracker.glance()
    return Section(
        "Recommendations: status, partners' RAG and the EbE group's rating",
        text=[recommendation_narrative.glance_summary(glance),
              recommendation_charts.GLANCE_DEFINITION],
        chart=recommendation_charts.glance_chart(glance).properties(width=520),
        table=recommendation_charts.glance_table(glance),
        chart_alt="The two foundations and nine recommendations with their London-wide status, "
                  "partners' RAG rating and the expert-by-experience group's rating.",
    )


def definitions_section() -> Section:
    definitions = data.kpi_definitions().select(
        pl.col("title").alias("Indicator"),
        pl.format("{} / {}", "numerator", "denominator").alias("Definition"),
        pl.col("recommendations").alias("Evidences"),
    )
    return Section("Definitions and disclosure control",
                   text=[definition_line(), DISCLOSURE_TEXT], table=definitions)


def build_pack(period: str, scope: str) -> BoardPack:
    """The whole board pack for a period ('2024/25') and scope ('london' or an LA)."""
    scope_code, scope_name = resolve_scope(scope)
    previous = _previous(period)
    info = data.build_info()
    sections = [
        summary_section(scope_code, period, previous),
        Section(f"Headline indicators, {scope_name}, {period}",
                text=["Latest values with 95% confidence intervals, against London, England "
                      "(where a published comparator exists) and the 75% ambition for "
                      "continuity of care."],
                table=headline_table(scope_code, period)),
        *map_sections(period),
        tier4_section(scope_code, scope_name, period),
        recovery_section(scope_code, scope_name, period),
        recommendations_section(),
        definitions_section(),
    ]
    return BoardPack(
        title=f"London Continuity of Care Outcomes: board pack for {scope_name}",
        scope_code=scope_code, scope_name=scope_name, period=period,
        previous_period=previous, cutoff=info.get("data_cutoff"),
        synthetic=bool(info.get("synthetic")), sections=sections,
    )
