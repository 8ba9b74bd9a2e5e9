"""Long-term recovery (R1): London's release cohort at 21 days, 6 months and 12 months by year,
split by a chosen breakdown, the time-to-engagement curves and an honest view of which cohorts
are complete."""

import polars as pl
import streamlit as st

from dashboard import components, data, filters, formatting
from dashboard.charts import recovery as charts
from dashboard.narrative import recovery as narrative
from pipelines.definitions.published import IMMATURE, LONDON, PUBLISHED

period = filters.period()
breakdown = filters.breakdown()
show_intervals = filters.intervals()

definitions = data.kpi_definitions().filter(pl.col("id").is_in(list(charts.RECOVERY_KPIS)))
titles = dict(zip(definitions.get_column("id"), definitions.get_column("title"), strict=True))
descriptions = dict(zip(definitions.get_column("id"), definitions.get_column("description"),
                        strict=True))
follow_up = dict(zip(definitions.get_column("id"), definitions.get_column("follow_up_days"),
                     strict=True))
definition = " ".join(f"{row['title']}: {row['numerator']} / {row['denominator']}."
                      for row in definitions.iter_rows(named=True))

values = data.kpi_values(kpi_id=list(charts.RECOVERY_KPIS), area_type=LONDON,
                         period_type="year")
london = values.filter(pl.col("breakdown") == "all")
now = london.filter(pl.col("period") == period)

st.title("Long-term recovery (R1)")
st.write(
    "Recommendation 1 asks for a long-term recovery KPI, beyond the current focus on 21 days "
    "after release. This page follows each year's releases of London residents: did treatment "
    "start within 21 days, were they still in treatment (or had they completed it) at 6 months, "
    "did they complete it within a year without coming back, and did they return to custody?"
)

st.header(f"The {period} releases at 21 days, 6 months and 12 months")
cards: list[formatting.HeadlineCard] = []
for kpi_id in charts.RECOVERY_KPIS:
    rows = now.filter(pl.col("kpi_id") == kpi_id)
    if rows.is_empty():
        cards.append(formatting.no_data_card(titles[kpi_id]))
        continue
    row = rows.row(0, named=True)
    if row["status"] == IMMATURE:
        # The date goes under the words, so the long text is never cut off.
        cards.append(formatting.HeadlineCard(
            titles[kpi_id], formatting.NOT_YET_TEXT,
            (charts.MILESTONES[kpi_id], row["note"] or ""), help=descriptions[kpi_id],
            delta="O" + formatting.once_loaded_text(row["available_from"])[1:],
            delta_colour="off", delta_arrow="off"))
        continue
    if row["status"] == PUBLISHED:
        caption = (charts.MILESTONES[kpi_id],
                   f"{row['numerator']:,} of {row['denominator']:,} releases",
                   formatting.interval_text(row["lower_95"], row["upper_95"]))
    else:
        caption = (charts.MILESTONES[kpi_id], row["note"] or "")
    cards.append(formatting.HeadlineCard(
        titles[kpi_id], formatting.display_value(row["value"], row["status"], "percent",
                                                 row["available_from"]),
        caption, help=descriptions[kpi_id]))
components.headline_cards(cards, 2)

components.chart_block(
    "The release cohort over time: London",
    narrative.cohort_summary(london, period, titles),
    charts.cohort_chart(london, "London releases: outcome at each milestone, by year",
                        show_intervals=show_intervals),
    charts.values_table(london, titles),
    definition,
    key="recovery-cohort",
)

if breakdown == "all":
    st.header(f"Breakdowns, {period}")
    st.info("Choose a breakdown in the sidebar (sex, age band, substance group, release type, "
            "or what people did in prison) to split these figures.",
            icon=":material/filter_alt:")
else:
    st.header(f"By {data.BREAKDOWN_TITLES[breakdown].lower()}, {period}")
    groups = values.filter((pl.col("breakdown") == breakdown) & (pl.col("period") == period))
    breakdown_title = data.BREAKDOWN_TITLES[breakdown]
    frame = charts.breakdown_frame(groups, now)
    group_order = frame.get_column("group").unique(maintain_order=True).to_list()
    components.chart_block(
        f"Outcomes by {breakdown_title.lower()}, London {period}",
        narrative.breakdown_summary(groups, breakdown_title, period, titles),
        charts.breakdown_chart(frame, f"By {breakdown_title.lower()}, {period}", group_order,
                               show_intervals=show_intervals),
        charts.values_table(pl.concat([now, groups], how="vertical_relaxed"), titles,
                            with_category=True),
        definition,
        key="recovery-breakdown",
    )

st.header("Time to engagement")
curve = data.engagement_curve()
components.chart_block(
    "How soon after release people started treatment: London",
    narrative.curve_summary(curve, charts.MARKER_DAY),
    charts.engagement_curve_chart(curve, "Cumulative per cent started community treatment, by "
                                  "day after release"),
    charts.curve_table(curve),
    "Per cent of a year's releases of London residents with a community treatment episode "
    "starting between the day of release and the given day.",
    key="recovery-curves",
)

st.header("Cohort maturity")
st.write(narrative.maturity_summary(london, titles))
maturity = charts.maturity_table(london, titles, follow_up)
st.dataframe(maturity, hide_index=True, width="stretch", key="recovery-maturity",
             column_config={"Follow-up (days)": st.column_config.NumberColumn(
                 "Follow-up (days)", help="Days after release (including any check after it) "
                 "before a release's outcome is known.")})
