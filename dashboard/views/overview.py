"""London overview: headline KPIs, the borough tile map, the ranked chart and what stands out."""

import polars as pl
import streamlit as st

from dashboard import components, data, filters, formatting, tracker, words
from dashboard.charts import recommendations as recommendation_charts
from dashboard.charts.maps import tile_frame, tile_map
from dashboard.charts.ranked import ranked_chart, ranked_frame
from dashboard.narrative import overview as narrative
from dashboard.narrative import recommendations as recommendation_narrative
from pipelines.definitions import registry
from pipelines.definitions.published import ALL, ENGLAND, LA, LONDON, NOT_COMPARED, PUBLISHED, YEAR

TILES_PER_ROW = 3

period = filters.period()
kpi_id = filters.kpi()
show_intervals = filters.intervals()
kpi = data.kpi_definition(kpi_id)
years = data.periods("year")
previous = years[years.index(period) - 1] if years.index(period) > 0 else None

st.title("London overview")
st.write(f"How London is doing in {period} on continuity of care, Tier 4 rehab and long-term "
         "recovery after release from prison, against England and the national ambition.")

st.header(f"Headline figures, {period}")
headline_kpis = data.kpi_ids(registry.OVERVIEW_HEADLINE)
london = data.kpi_values(area_type=LONDON, breakdown=ALL, period_type=YEAR,
                         kpi_id=headline_kpis)
england = data.kpi_values(area_type=ENGLAND, period_type=YEAR)
cards: list[formatting.HeadlineCard] = []
for headline_id in headline_kpis:
    headline = data.kpi_definition(headline_id)
    rows = london.filter(pl.col("kpi_id") == headline_id)
    now = rows.filter(pl.col("period") == period)
    before = rows.filter(pl.col("period") == previous) if previous else rows.clear()
    if now.is_empty():
        cards.append(formatting.no_data_card(headline["title"]))
        continue
    row = now.row(0, named=True)
    previous_value = before.row(0, named=True)["value"] if before.height else None
    badge = narrative.change_badge(row["value"], previous_value, headline["unit"],
                                   headline["polarity"])
    lines = []
    if row["status"] == PUBLISHED:
        lines.append(formatting.interval_text(row["lower_95"], row["upper_95"]))
    england_periods = england.filter(pl.col("kpi_id") == headline_id).get_column("period")
    missing = formatting.england_missing_text(period, england_periods.to_list())
    if missing:
        lines.append(missing)
    elif row["compared_to_england"] not in (None, NOT_COMPARED):
        england_row = england.filter((pl.col("kpi_id") == headline_id)
                                     & (pl.col("period") == period))
        england_value = england_row.row(0, named=True)["value"] if england_row.height else None
        lines.append(words.comparison(row["compared_to_england"], words.ENGLAND_WORD)
                     + (f" ({england_value:.1f}%)" if england_value is not None else ""))
    if headline["target"] is not None and row["status"] == PUBLISHED:
        gap = headline["target"] - row["value"]
        lines.append(f"Target {headline['target']:.0f}%: "
                     + (f"{gap:.1f} points to go" if gap > 0 else "met"))
    if row["status"] != PUBLISHED:
        lines.append(row["note"] or "")
    cards.append(formatting.HeadlineCard(
        headline["title"],
        formatting.display_metric(row["value"], row["status"], headline["unit"]),
        tuple(lines), help=headline["description"],
        delta=badge.text if badge else None,
        delta_colour=badge.colour if badge else "normal",
        delta_arrow=badge.arrow if badge else "auto"))
components.headline_cards(cards, TILES_PER_ROW)

st.header("How the boroughs compare")
las = data.kpi_values(kpi_id=kpi_id, period=period, area_type=LA, breakdown="all")
london_row = data.kpi_values(kpi_id=kpi_id, period=period, area_type=LONDON, breakdown="all")
london_value = london_row.row(0, named=True)["value"] if london_row.height else None
tiles = tile_frame(data.local_authorities(), las, kpi["unit"])
summary = narrative.benchmark_summary(las, kpi["title"], kpi["unit"], period, london_value)
table = formatting.table_twin(las, kpi["unit"])
components.chart_block(
    f"{kpi['title']}: London boroughs, {period}",
    summary,
    tile_map(tiles, f"{kpi['title']}{formatting.unit_title(kpi['unit'])}, {period}: "
             "compared with London"),
    table,
    formatting.kpi_definition(kpi),
    key="tile-map",
)
published = ranked_frame(las, kpi["unit"])
if published.is_empty():
    st.info("No borough has a published figure for this indicator and year. See the Tier 4 "
            "page for sub-region and 3-year figures.")
else:
    components.chart_block(
        f"{kpi['title']}: boroughs ranked, {period}",
        narrative.ranked_summary(published, london_value, kpi["unit"], show_intervals),
        ranked_chart(published, f"{kpi['title']}, {period}",
                     "Per cent" if kpi["unit"] == "percent" else "Per 100 releases",
                     london_value, show_intervals=show_intervals),
        formatting.table_twin(published, kpi["unit"]),
        formatting.kpi_definition(kpi),
        key="ranked",
    )

st.header("The recommendations")
st.page_link("views/recommendations.py", label="Record our review (EbE group)",
             icon=":material/rate_review:", query_params={"record": "review"})
glance = tracker.glance()
components.chart_block(
    "Recommendations at a glance",
    recommendation_narrative.glance_summary(glance),
    recommendation_charts.glance_chart(glance),
    recommendation_charts.glance_table(glance),
    recommendation_charts.GLANCE_DEFINITION,
    key="glance",
)
