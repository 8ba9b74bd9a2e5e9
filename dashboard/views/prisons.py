"""Prisons: releases and one KPI (continuity of care by default) by prison of release, split by
release type (from prison, or from court or on remand: foundation B) and by sex, and where each
prison's leavers live (prison x borough of residence)."""

import polars as pl
import streamlit as st

from dashboard import components, data, filters, formatting
from dashboard.charts.flows import (
    RELEASE_TYPES,
    SEXES,
    counts_table,
    flow_cells,
    flow_heatmap,
    flow_table,
    prison_ranked_chart,
    split_chart,
    split_counts_chart,
    split_frame,
    split_table,
)
from dashboard.charts.funnel import releases_kpi_id
from dashboard.charts.ranked import ranked_frame
from dashboard.narrative import prisons as narrative
from pipelines.definitions.published import LONDON, PRISON, PUBLISHED, SUPPRESSED

BREAKDOWNS = ("all", "release_type", "sex")
SPLIT_CATEGORIES = {
    "release_type": {k: v for k, v in RELEASE_TYPES.items() if k != "all"},
    "sex": {k: v for k, v in SEXES.items() if k != "all"},
}
RELEASES_DEFINITION = ("Releases of adults in drug or alcohol treatment in prison at release, by "
                       "prison of release and release type.")
FLOWS_DEFINITION = ("Releases by prison of release and LA of residence on release; totals are "
                    "the published prison and LA release counts.")

period = filters.period()
kpi_id = filters.kpi()
show_intervals = filters.intervals()
kpi = data.kpi_definition(kpi_id)
unit = kpi["unit"]
axis_title = "Per cent" if unit == "percent" else "Per 100 releases"
releases_id = releases_kpi_id(data.kpi_definitions())

rows = data.kpi_values(kpi_id=sorted({kpi_id, releases_id}), period=period,
                       period_type="year", area_type=[PRISON, LONDON],
                       breakdown=list(BREAKDOWNS))
chosen = rows.filter(pl.col("kpi_id") == kpi_id)
prisons_all = chosen.filter((pl.col("area_type") == PRISON) & (pl.col("breakdown") == "all"))
london_all = chosen.filter((pl.col("area_type") == LONDON) & (pl.col("breakdown") == "all"))
releases = rows.filter((pl.col("kpi_id") == releases_id)
                       & pl.col("breakdown").is_in(["all", "release_type"]))

st.title("Prisons")
st.write("Releases from the prisons serving London, and what happened next, by prison of "
         "release. Prison figures cover everyone released from each prison who was in drug or "
         "alcohol treatment there; the London figures cover London residents from any prison.")

st.header(f"In brief, {period}")
st.write(formatting.markdown_safe(narrative.prisons_summary(
    prisons_all, releases.filter((pl.col("area_type") == PRISON)
                                 & (pl.col("breakdown") == "all")),
    london_all, kpi["title"], unit, period)))

counts = split_frame(releases.filter(pl.col("area_type") == PRISON), None, "percent",
                     RELEASE_TYPES)
components.chart_block(
    f"Releases by prison and release type, {period}",
    narrative.counts_summary(
        counts, releases.filter(pl.col("area_type") == LONDON), period),
    split_counts_chart(counts, f"Releases by prison and release type, {period}", RELEASE_TYPES,
                       "Release type"),
    counts_table(counts, "Release type"),
    RELEASES_DEFINITION,
    key="prison-releases",
)

published = ranked_frame(prisons_all, unit)
london_value = london_all.filter(pl.col("status") == PUBLISHED).get_column("value").first() \
    if london_all.height else None
if published.is_empty():
    st.subheader(f"{kpi['title']} by prison, {period}")
    st.info(formatting.markdown_safe(narrative.nothing_published_text(
        prisons_all, kpi["title"], unit, period)))
else:
    components.chart_block(
        f"{kpi['title']} by prison, {period}",
        narrative.ranked_summary(published, london_value, unit, show_intervals),
        prison_ranked_chart(published, f"{kpi['title']} by prison of release, {period}",
                            axis_title, london_value, show_intervals=show_intervals),
        formatting.table_twin(prisons_all, unit),
        formatting.kpi_definition(kpi),
        key="prison-ranked",
    )

for breakdown, split_name, legend in (("release_type", "release type", "Release type"),
                                      ("sex", "sex", "Sex")):
    categories = SPLIT_CATEGORIES[breakdown]
    split_rows = chosen.filter((pl.col("area_type") == PRISON)
                               & (pl.col("breakdown") == breakdown))
    # A prison whose every figure in the split is hidden carries no information here: it is
    # named in the summary, not drawn as a row of '*'.
    informative = split_rows.filter(pl.col("status") != SUPPRESSED) \
        .get_column("area_code").unique()
    left_out = sorted(split_rows.filter(~pl.col("area_code").is_in(informative.to_list()))
                      .get_column("area_name").unique().to_list())
    split = split_frame(
        split_rows.filter(pl.col("area_code").is_in(informative.to_list())),
        chosen.filter((pl.col("area_type") == LONDON) & (pl.col("breakdown") == breakdown)),
        unit, categories)
    if split.is_empty():
        st.subheader(f"{kpi['title']} by prison and {split_name}, {period}")
        st.info(f"No figures by {split_name} are published for {period}: every one would be "
                "too small to publish, or the split is not published.")
        continue
    components.chart_block(
        f"{kpi['title']} by prison and {split_name}, {period}",
        narrative.split_summary(split, kpi["title"], unit, split_name)
        + narrative.left_out_text(left_out, split_name),
        split_chart(split, f"{kpi['title']} by prison and {split_name}, {period}", axis_title,
                    categories, legend, show_intervals=show_intervals),
        split_table(split),
        formatting.kpi_definition(kpi),
        key=f"prison-{breakdown}",
    )

st.header("Where each prison's leavers live")
cells = flow_cells(data.release_flows(period), data.local_authorities(), data.prisons())
components.chart_block(
    f"Releases by prison and borough of residence, {period}",
    narrative.flows_summary(cells, period),
    flow_heatmap(cells, f"Releases by prison (across) and residence on release (down), "
                        f"{period}"),
    flow_table(cells),
    FLOWS_DEFINITION,
    key="prison-flows",
    wide_only=True,
)
