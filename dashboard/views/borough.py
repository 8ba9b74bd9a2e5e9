"""Borough profile: one London LA against London on every KPI (spine chart), its trends with
London and England, the release-to-recovery funnel, the prisons its residents leave, its
services, and a plain-English summary. Larger groupings (3-year and sub-region figures) appear
wherever the borough's single-year figures are suppressed."""

import polars as pl
import streamlit as st

from dashboard import components, data, filters, formatting, sections, words
from dashboard.charts.flows import (
    residence_chart,
    residence_frame,
    residence_table,
    residence_total,
)
from dashboard.charts.funnel import STAGES, funnel_chart, funnel_frame, funnel_table
from dashboard.charts.spine import spine_frame
from dashboard.charts.trends import trend_frame
from dashboard.narrative import borough as narrative
from dashboard.narrative import published as published_narrative
from dashboard.narrative import spc as spc_narrative
from pipelines.definitions import periods as period_labels
from pipelines.definitions import reference, registry
from pipelines.definitions.published import (
    ENGLAND,
    IMMATURE,
    LA,
    LONDON,
    PUBLISHED,
    ROLLING_3Y,
    SUBREGION,
    SUPPRESSED,
)

METRIC_COLUMNS = 3
NOT_YET_METRIC = formatting.NOT_YET_SHORT
TREND_PERIODS = {"year": "Single years", "rolling_3y": "3-year rolling"}
SUBREGION_PEERS = "London sub-regions"
FUNNEL_DEFINITION = ("Releases of the borough's residents in the year, and how many of them "
                     + "; ".join(label.lower() for _, label in STAGES[1:])
                     + " (published numerators of the KPIs).")
FLOWS_DEFINITION = "Releases by prison of release and LA of residence on release."
SERVICES_DEFINITION = "Recovery services directory, as loaded."

la_code = filters.area()
period = filters.period()
kpi_id = filters.kpi()
show_intervals = filters.intervals()

la = data.local_authorities().filter(pl.col("code") == la_code).row(0, named=True)
name = la["name"]
definitions = data.kpi_definitions()
kpi = data.kpi_definition(kpi_id)

yearly = data.kpi_values(area_type=[LA, LONDON, ENGLAND], period_type="year",
                         breakdown="all")
rolling = data.kpi_values(area_type=[LA, LONDON], period_type="rolling_3y", breakdown="all")
year_rows = yearly.filter(pl.col("period") == period)
area_year = year_rows.filter(pl.col("area_code") == la_code)
london_year = year_rows.filter(pl.col("area_type") == LONDON)
england_year = year_rows.filter(pl.col("area_type") == ENGLAND)
stages = funnel_frame(area_year, definitions)
released = stages.item(0, "count")
flows = data.release_flows(period)
leaving = residence_frame(flows, la_code, data.prisons())
total, total_status = residence_total(flows, la_code)
# When the total is suppressed, the prisons chart still shows the published counts by prison:
# the summary gives their sum rather than calling the number small.
released_at_least = leaving.filter(pl.col("status") == PUBLISHED).get_column("releases").sum()
england_coc_periods = yearly.filter(
    (pl.col("area_type") == ENGLAND) & (pl.col("kpi_id") == registry.PRIMARY_KPI)
).get_column("period")

st.title(f"Borough profile: {name}")
st.write(f"How {name} residents fare after release from prison, against London and England. "
         f"{name} is in the {la['subregion_name']} sub-region.")

cards = [formatting.HeadlineCard(
    "Released from prison", narrative.released_text(released), (f"{name} residents, {period}",),
    help="Releases of residents who were in drug or alcohol treatment in prison.")]
for headline_id in data.kpi_ids(registry.BOROUGH_HEADLINE):
    headline = data.kpi_definition(headline_id)
    mine = area_year.filter(pl.col("kpi_id") == headline_id)
    theirs = london_year.filter(pl.col("kpi_id") == headline_id)
    if mine.is_empty():
        cards.append(formatting.no_data_card(headline["title"]))
        continue
    row = mine.row(0, named=True)
    shown = formatting.display_value(row["value"], row["status"], headline["unit"],
                                     row["available_from"])
    immature = row["status"] == IMMATURE
    # "Not yet available …" is too long for a metric: the date goes below it.
    # A rate per 100 releases is shown as its count, with the rate below.
    as_count = headline["unit"] == "rate_per_100" and row["status"] == PUBLISHED
    value = NOT_YET_METRIC if immature else (
        formatting.display_count(row["numerator"], row["status"]) if as_count else shown)
    lines = [shown] if immature or as_count else []
    if theirs.height:
        london_row = theirs.row(0, named=True)
        london_text = formatting.display_value(london_row["value"], london_row["status"],
                                               headline["unit"])
        comparison = words.comparison(row["compared_to_london"], words.LONDON_WORD) \
            if row["status"] == PUBLISHED else None
        lines.append(f"London {london_text[:1].lower()}{london_text[1:]}")
        lines.append(comparison or "")
    cards.append(formatting.HeadlineCard(headline["title"], value, tuple(lines),
                                         help=headline["description"]))
components.headline_cards(cards, METRIC_COLUMNS)

st.header(f"In brief, {period}")
st.write(formatting.markdown_safe(narrative.borough_summary(
    name, period, area_year, london_year, england_year, definitions, released,
    released_at_least or None,
    formatting.england_missing_text(period, england_coc_periods.to_list()))))
all_hidden = narrative.nothing_published(area_year)
rolling_period = period_labels.window_ending(period, data.periods(ROLLING_3Y))
area_rolling = rolling.filter((pl.col("area_code") == la_code)
                              & (pl.col("period") == rolling_period))
if all_hidden:
    st.warning(formatting.markdown_safe(narrative.suppressed_notice(
        name, period, la["subregion_name"], rolling_period, area_rolling)),
        icon=":material/visibility_off:")

st.header("Every indicator against London")
spine = spine_frame(area_year, year_rows.filter(pl.col("area_type") == LA), london_year,
                    definitions)
components.section_block(sections.spine_section(spine, name, period))

if area_year.filter(pl.col("status") == SUPPRESSED).height:
    st.header("Larger groupings")
    st.write(f"Some of {name}'s figures for {period} are suppressed because the numbers are "
             "small. Three years together, or the whole sub-region, give larger numbers.")
    subregions = data.kpi_values(area_type=SUBREGION, period=period, period_type="year",
                                 breakdown="all")
    groupings = {SUBREGION: la["subregion_name"]}
    if rolling_period:
        groupings = {"rolling": f"3 years to {period}"} | groupings
    grouping = st.segmented_control(
        "Show", list(groupings), format_func=groupings.get, default=next(iter(groupings)),
        required=True, key=f"borough_grouping_{len(groupings)}")
    if grouping == "rolling":
        rolling_rows = rolling.filter(pl.col("period") == rolling_period)
        rolling_spine = spine_frame(area_rolling,
                                    rolling_rows.filter(pl.col("area_type") == LA),
                                    rolling_rows.filter(pl.col("area_type") == LONDON),
                                    definitions)
        components.section_block(sections.spine_section(
            rolling_spine, name, rolling_period, key="spine-rolling"))
    else:
        subregion_spine = spine_frame(
            subregions.filter(pl.col("area_code") == la[SUBREGION]), subregions, london_year,
            definitions)
        components.section_block(sections.spine_section(
            subregion_spine, la["subregion_name"], period, SUBREGION_PEERS,
            "London's sub-regions", key="spine-subregion"))

st.header(f"{kpi['title']} over time")
period_type = st.segmented_control(
    "Periods", list(TREND_PERIODS), format_func=TREND_PERIODS.get, default="year",
    required=True, key="borough_trend_periods",
    help="3-year rolling figures pool three years, so fewer of them are suppressed.")
series = yearly if period_type == "year" else rolling
trend = trend_frame(
    series.filter((pl.col("area_code") == la_code) & (pl.col("kpi_id") == kpi_id)),
    series.filter((pl.col("area_type") == LONDON) & (pl.col("kpi_id") == kpi_id)),
    series.filter((pl.col("area_type") == ENGLAND) & (pl.col("kpi_id") == kpi_id)),
    name, kpi["unit"])
rolling_published = rolling.filter((pl.col("area_code") == la_code)
                                   & (pl.col("kpi_id") == kpi_id)
                                   & (pl.col("status") == PUBLISHED))
components.section_block(sections.trend_section(
    trend, name, kpi, TREND_PERIODS[period_type].lower(),
    suggest_rolling=period_type == "year" and not rolling_published.is_empty(),
    show_intervals=show_intervals))

st.header("From release to recovery")
components.chart_block(
    f"Release to recovery: {name} residents released in {period}",
    narrative.funnel_summary(stages, name, period),
    funnel_chart(stages, f"{name} residents released in {period}"),
    funnel_table(stages),
    FUNNEL_DEFINITION,
    key="funnel",
)

st.header("Where its residents are released from")
components.chart_block(
    f"Prisons releasing {name} residents, {period}",
    narrative.residence_summary(leaving, name, period, total, total_status),
    residence_chart(leaving, f"Releases of {name} residents by prison, {period}"),
    residence_table(leaving),
    FLOWS_DEFINITION,
    key="residence",
)

st.header("Services")
services = data.services(la_code)
services_shown = narrative.services_table(services)
st.write(formatting.markdown_safe(narrative.services_summary(services, name)))
st.dataframe(services_shown, hide_index=True, width="stretch", key="table-services")
info = data.build_info()
st.download_button(
    f"Download CSV: Recovery services in {name}",
    formatting.csv_bytes(services_shown, f"Recovery services in {name}", SERVICES_DEFINITION,
                         info.get("data_cutoff"), bool(info.get("synthetic"))),
    file_name=f"services-{la_code}.csv", mime="text/csv", key="download-services",
    icon=":material/download:", on_click="ignore",
)

st.header("Variation and assurance")
definitions = data.kpi_definitions()
borough_spc = spc_narrative.spc_table(
    data.spc_latest("la", la_code), dict(definitions.select("id", "title").iter_rows()),
    dict(definitions.select("id", "unit").iter_rows()))
components.chart_block(
    f"{name}: variation and assurance in the latest quarter",
    spc_narrative.spc_summary(borough_spc, name),
    None,
    borough_spc,
    spc_narrative.SPC_DEFINITION,
    key="spc-borough",
)

st.header("Published figures beside ours")
coc = data.kpi_definition(registry.PRIMARY_KPI)
coc_names = tuple(n.strip() for n in (coc.get("comparator_names") or "").split(";") if n.strip())
england_note = published_narrative.england_latest_note(
    data.published_comparators([reference.ENGLAND_CODE]), coc_names,
    data.latest_complete_year(), reference.ENGLAND_CODE)
if england_note:
    st.info(england_note)
borough_published = published_narrative.reconciliation(
    data.kpi_values(kpi_id=registry.PRIMARY_KPI, area_type=LA, area_code=la_code, breakdown="all",
                    period_type="year"),
    data.published_comparators([la_code]), la_code, coc_names, data.build_info().get("data_cutoff"))
components.chart_block(
    f"{name}: continuity of care, published and ours",
    published_narrative.summary(borough_published, name),
    None,
    borough_published,
    "Continuity of care (21 days): OHID's published value (Fingertips) beside this product's.",
    key="published-borough",
)
