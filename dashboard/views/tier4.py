"""Tier 4 rehab (R1): entries on release by LA and year as counts and rates, with sub-region and
3-year rolling figures wherever single borough-years are suppressed, London's trend with its
intervals, and the 2 per 100 ambition shown for context."""

import polars as pl
import streamlit as st

from dashboard import components, data, filters, formatting, sections, words
from dashboard.charts import tier4 as charts
from dashboard.narrative import tier4 as narrative
from pipelines.definitions import registry
from pipelines.definitions.published import LA, LONDON, PUBLISHED, SUBREGION, TREND_CANNOT

KPI_ID = registry.TIER4_KPI
PERIOD_TYPES = ["year", "rolling_3y"]

period = filters.period()
show_intervals = filters.intervals()
kpi = data.kpi_definition(KPI_ID)
definition = formatting.kpi_definition(kpi)
ambition = charts.AMBITION_PER_100

st.title("Tier 4 rehab (R1): entries on release")
st.write(
    "Recommendation 1 asks every local authority to count, each year, the people who enter "
    "Tier 4 treatment (residential rehab or inpatient detox) when they leave prison. This page "
    "shows those entries within 12 weeks of release, as a count and as a rate per 100 releases."
)
st.info(
    f"**The ambition of {ambition:g} per 100 releases is context, not a formal target.** It is "
    "drawn on the charts to help read the figures; no target for Tier 4 entries has been agreed "
    "and the KPI registry sets none.",
    icon=":material/flag:",
)

london_all = data.kpi_values(kpi_id=KPI_ID, area_type=LONDON, breakdown="all",
                             period_type=PERIOD_TYPES)
london = london_all.filter(pl.col("period_type") == "year")
now = london.filter(pl.col("period") == period)

st.header(f"London, {period}")
if now.is_empty():
    cards = [formatting.no_data_card("Tier 4 entries within 12 weeks, London")]
else:
    row = now.row(0, named=True)
    rate_caption = (
        (formatting.interval_text(row["lower_95"], row["upper_95"], kpi["unit"]),
         f"Recent trend: {words.word('trend', row['trend'] or TREND_CANNOT)}")
        if row["status"] == PUBLISHED else (row["note"] or "",))
    cards = [
        formatting.HeadlineCard("Tier 4 entries within 12 weeks, London",
                                formatting.display_count(row["numerator"], row["status"]),
                                help=narrative.count_metric_help(period)),
        formatting.HeadlineCard("Rate per 100 releases, London",
                                formatting.display_value(row["value"], row["status"],
                                                         kpi["unit"], row["available_from"]),
                                rate_caption, help=kpi["description"]),
        formatting.HeadlineCard("Releases of London residents",
                                formatting.display_count(row["denominator"], row["status"])),
    ]
components.headline_cards(cards, 3)

components.section_block(sections.tier4_trend_section(
    london, "London", period, kpi, ambition, show_intervals=show_intervals,
    key="tier4-london-trend"))

st.header("By borough")
st.write(
    "Most boroughs have only a handful of Tier 4 entries in a year, so most single borough-year "
    "counts are suppressed (`*`) to protect the people behind them. Beside the yearly grid are "
    "the same boroughs over 3-year rolling periods, which publish far more figures; the "
    "sub-regions below do the same by grouping boroughs."
)
la_rows = data.kpi_values(kpi_id=KPI_ID, area_type=LA, breakdown="all",
                          period_type=PERIOD_TYPES)
la_years = la_rows.filter(pl.col("period_type") == "year")
la_rolling = la_rows.filter(pl.col("period_type") == "rolling_3y")
borough_order = data.local_authorities().get_column("name").to_list()
year_grid = charts.grid_frame(la_years)
rolling_grid = charts.grid_frame(la_rolling)
left, right = st.columns([5, 3])
with left:
    components.chart_block(
        "Tier 4 entries by borough and year",
        narrative.grid_summary(la_years, "borough-year figures"),
        charts.grid_chart(year_grid, "Tier 4 entries by borough and year", "Borough",
                          borough_order),
        charts.grid_table(year_grid, "Borough"),
        definition,
        key="tier4-la-year-grid",
    )
with right:
    components.chart_block(
        "Tier 4 entries by borough, 3-year rolling",
        narrative.grid_summary(la_rolling, "borough figures for 3-year periods"),
        charts.grid_chart(rolling_grid, "Tier 4 entries by borough, 3 years", "Borough",
                          borough_order),
        charts.grid_table(rolling_grid, "Borough"),
        definition,
        key="tier4-la-rolling-grid",
    )

st.header("By sub-region")
subregion_rows = data.kpi_values(kpi_id=KPI_ID, area_type=SUBREGION, breakdown="all",
                                 period_type="year")
subregion_grid = charts.grid_frame(subregion_rows)
subregion_now = subregion_rows.filter(pl.col("period") == period)
london_value = now.row(0, named=True)["value"] if now.height else None
left, right = st.columns([1, 1])
with left:
    components.chart_block(
        "Tier 4 entries by sub-region and year",
        narrative.grid_summary(subregion_rows, "sub-region-year figures"),
        charts.grid_chart(subregion_grid, "Tier 4 entries by sub-region and year", "Sub-region"),
        charts.grid_table(subregion_grid, "Sub-region"),
        definition,
        key="tier4-subregion-grid",
    )
with right:
    components.chart_block(
        f"Tier 4 entries per 100 releases by sub-region, {period}",
        narrative.areas_summary(subregion_now, period, london_value, ambition, "sub-regions"),
        charts.area_rates_chart(subregion_now, f"Sub-regions, {period}", london_value,
                                ambition=ambition, show_intervals=show_intervals),
        charts.rates_table(subregion_now, "Sub-region"),
        definition,
        key="tier4-subregion-rates",
    )

windows = la_rolling.sort("period_start").get_column("period").unique(maintain_order=True)
window = charts.rolling_window_for(period, windows.to_list())
if window is None:
    st.info("There are no 3-year rolling figures yet: they need three years of data.")
else:
    st.header(f"Boroughs over three years, {window}")
    window_rows = la_rolling.filter(pl.col("period") == window)
    london_window = london_all.filter(pl.col("period") == window)
    london_window_value = london_window.row(0, named=True)["value"] \
        if london_window.height else None
    components.chart_block(
        f"Tier 4 entries per 100 releases by borough, {window}",
        narrative.areas_summary(window_rows, window, london_window_value, ambition,
                                "boroughs"),
        charts.area_rates_chart(window_rows, f"Boroughs, {window}", london_window_value,
                                ambition=ambition, show_intervals=show_intervals),
        charts.rates_table(window_rows, "Borough"),
        definition,
        key="tier4-la-rolling-rates",
    )
