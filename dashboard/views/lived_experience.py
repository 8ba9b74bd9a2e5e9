"""Lived experience: what people in prison and the community said at consultation events, by
theme, recommendation and setting; what worked well and what could be better; anonymised quotes.

Then the Lived experience voices findings (peer research accounts in the app store: approved,
de-identified, disclosure-controlled), beside the consultation feedback.

Quotes are shown with st.text (never as Markdown or HTML).
"""

import polars as pl
import streamlit as st

from dashboard import components, data, formatting, peer_forms
from dashboard.charts import voices as charts
from dashboard.narrative import voices as narrative
from pipelines.definitions import reference

QUOTES_SHOWN = 12
SOURCE_NOTE = ("Consultation feedback: one row per comment made at a consultation event, marked "
               "as about what worked well or what could be better.")
SETTINGS = {charts.ALL: "Everywhere", "prison": "In prison", "community": "In the community"}

feedback = charts.described(data.consultation_feedback())
recommendation_labels = {charts.ALL: "All recommendations"} | {
    r.id: f"{r.id} {r.short_title}" for r in reference.RECOMMENDATIONS}
themes = sorted(feedback.get_column("theme").drop_nulls().unique().to_list())

setting = st.sidebar.radio("Where people were", list(SETTINGS), format_func=SETTINGS.get,
                           key="setting", bind="query-params")
recommendation_id = st.sidebar.selectbox("Recommendation", list(recommendation_labels),
                                         format_func=recommendation_labels.get, key="rec",
                                         bind="query-params")
theme = st.sidebar.selectbox("Theme", [charts.ALL, *themes],
                             format_func=lambda t: "All themes" if t == charts.ALL else t,
                             key="theme", bind="query-params")
chosen = charts.filtered(feedback, setting, recommendation_id, theme)
described_filters = ", ".join([
    SETTINGS[setting].lower() if setting != charts.ALL else "everywhere",
    recommendation_labels[recommendation_id] if recommendation_id != charts.ALL
    else "all recommendations",
    f"theme “{theme}”" if theme != charts.ALL else "all themes",
])

st.title("Lived experience")
st.write("What people in prison and in the community told consultation events about leaving "
         "prison and getting help with drugs and alcohol: what worked well, what could be "
         "better, and in their own words. Every quote is anonymised. Use the filters on the left "
         "to choose where people were, a recommendation or a theme.")
st.write(formatting.markdown_safe(narrative.overview_summary(chosen, described_filters)))

if chosen.is_empty():
    st.info("Nothing matches these filters. Choose “Everywhere”, “All recommendations” or "
            "“All themes” to see more.")
    peer_forms.findings_section()
    st.stop()

worked = chosen.filter(pl.col("sentiment") == "worked_well").height
left, right = st.columns(2)
left.metric(charts.WORKED_WELL, f"{worked:,} comments")
right.metric(charts.COULD_IMPROVE, f"{chosen.height - worked:,} comments")

st.header("What worked well and what could be better")
by_theme = charts.sentiment_counts(chosen, "theme")
components.chart_block(
    "What people said, by theme",
    narrative.counts_summary(by_theme, "theme", "theme"),
    charts.diverging_chart(by_theme, "theme", "Comments by theme"),
    charts.counts_table(by_theme, "theme", "Theme"),
    SOURCE_NOTE, key="by-theme")

by_recommendation = charts.sentiment_counts(chosen, "recommendation")
components.chart_block(
    "What people said, by recommendation",
    narrative.counts_summary(by_recommendation, "recommendation", "recommendation"),
    charts.diverging_chart(by_recommendation, "recommendation", "Comments by recommendation"),
    charts.counts_table(by_recommendation, "recommendation", "Recommendation"),
    SOURCE_NOTE, key="by-recommendation")

by_place = charts.sentiment_counts(
    chosen.with_columns((pl.col("setting_title") + ": " + pl.col("place")).alias("where")),
    "where")
components.chart_block(
    "What people said, by where they were",
    narrative.counts_summary(by_place, "where", "place"),
    charts.diverging_chart(by_place, "where", "Comments by setting and place"),
    charts.counts_table(by_place, "where", "Where"),
    SOURCE_NOTE, key="by-place")

st.header("In their own words")
quoted = charts.quotes(chosen)
st.write(formatting.markdown_safe(
    narrative.quotes_summary(min(QUOTES_SHOWN, quoted.height), quoted.height)))
worked_column, improve_column = st.columns(2)
for column, sentiment in ((worked_column, charts.WORKED_WELL),
                          (improve_column, charts.COULD_IMPROVE)):
    column.subheader(sentiment)
    rows = quoted.filter(pl.col("sentiment_title") == sentiment).head(QUOTES_SHOWN // 2)
    if rows.is_empty():
        column.text("No quotes for this choice.")
    for row in rows.iter_rows(named=True):
        with column.container(border=True):
            st.text(f"“{row['quote']}”")
            st.text(charts.attribution(row))
components.chart_block(
    "Every quote", "Every anonymised quote for this choice, newest first.", None,
    charts.quotes_table(quoted), SOURCE_NOTE, key="quotes")

peer_forms.findings_section()
