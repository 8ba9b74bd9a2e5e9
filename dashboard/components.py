"""Page furniture shared by every view: the data banner, the headline cards and the chart block
(a chart with its plain-English summary, table twin and CSV download).

Only layout lives here; figures come from dashboard.data and formatting from
dashboard.formatting.
"""

from __future__ import annotations

import re
from string import Template

import altair as alt
import polars as pl
import streamlit as st

from dashboard import data, formatting, sections, store
from dashboard.charts import palette

# SVG rather than canvas: its text is real text (read by screen readers, measurable in tests)
SVG = {"embedOptions": {"renderer": "svg"}}

SYNTHETIC_LABEL = (
    "Synthetic sample data: every figure here is computed from made-up records, "
    "not from real people."
)
NO_FIGURES_TEXT = (
    "This warehouse holds no published figures: its latest build loaded no prison releases, "
    "so there is nothing to show on this page. The Data and definitions page shows what the "
    "build loaded and rejected. Rebuild the warehouse from complete extracts; the figures "
    "appear on the next page run."
)


# The app's only custom CSS. Keyboard focus: a thick black outline on a yellow halo (readable
# on white, grey and blue; WCAG 2.4.7 and 2.4.11) on sidebar links, switches, buttons, fields,
# expanders and tabs; Streamlit's own focus ring is a faint grey.
FOCUS_CSS = Template("""<style>
[data-testid="stSidebar"] a:focus-visible, [data-testid="stMain"] a:focus-visible,
button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible,
input:focus-visible, textarea:focus-visible, [tabindex]:focus-visible,
label:has(input[role="switch"]:focus-visible), label:has(input[type="checkbox"]:focus-visible),
label:has(input[type="radio"]:focus-visible) {
  outline: 3px solid $outline !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 6px $halo !important;
}
/* A long page title (h1) fits a phone without breaking a word. */
@media (max-width: 480px) { [data-testid="stMain"] h1 { font-size: 2rem; } }
/* A chart too wide for a phone gives way to its table (chart_block(wide_only=True)). */
@media (max-width: 760px) { [class*="st-key-wide-only-"] { display: none; } }
@media (min-width: 761px) { [class*="st-key-narrow-only-"] { display: none; } }
</style>""").substitute(outline=palette.FOCUS_OUTLINE, halo=palette.FOCUS_HALO)


def page_style() -> None:
    """The custom CSS, once per run (a style-only st.html takes no space on the page)."""
    st.html(FOCUS_CSS)


def data_banner(info: dict) -> None:
    """The synthetic-data label (when it applies), the data cut-off and which app store holds
    the entries recorded in the app (a file, or a server and database; never a password), on
    every page."""
    if info.get("synthetic"):
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    cutoff = info.get("data_cutoff")
    built = info.get("built_at")
    run_id = info.get("run_id")
    if cutoff:
        built_text = f", warehouse built {built:%d %b %Y %H:%M} UTC" if built else ""
        run_text = f" (build {run_id})" if run_id else ""
        st.caption(f"Data cut-off {cutoff:%d %B %Y}{built_text}{run_text}.")
    st.caption(formatting.markdown_safe(f"Entries recorded in the app are kept in "
                                        f"{store.store_description()}."))


def headline_cards(cards: list[formatting.HeadlineCard], per_row: int) -> None:
    """Headline figures as bordered cards, `per_row` to a row. Columns are made a row at a
    time, so keyboard tabbing goes across a row before the next."""
    columns = []
    for index, card in enumerate(cards):
        if index % per_row == 0:
            columns = st.columns(per_row)
        with columns[index % per_row].container(border=True):
            st.metric(card.label, card.value, delta=card.delta, delta_color=card.delta_colour,
                      delta_arrow=card.delta_arrow, help=card.help)
            if card.caption_text:
                st.caption(card.caption_text)


def section_block(section: sections.ChartSection, wide_only: bool = False) -> None:
    """A shared section (dashboard.sections) as a page shows it: a chart block."""
    chart_block(section.title, section.summary, section.chart, section.table,
                section.definition, key=section.key, wide_only=wide_only)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def chart_block(title: str, summary: str, chart: alt.TopLevelMixin | None, table: pl.DataFrame,
                definition: str = "", key: str | None = None, wide_only: bool = False) -> None:
    """A titled chart with its summary sentence, table twin and a CSV of exactly what it shows.
    `wide_only`: a chart that cannot fit a phone; a narrow screen shows its table instead."""
    key = key or _slug(title)
    st.subheader(title)
    st.markdown(formatting.markdown_safe(summary))
    if chart is not None:
        with st.container(key=f"wide-only-{key}") if wide_only else st.container():
            st.altair_chart(for_page(chart), width="stretch", key=f"chart-{key}",
                            alt=f"{title}. {summary}")
    if chart is not None and wide_only:
        with st.container(key=f"narrow-only-{key}"):
            st.caption("On a narrow screen this chart is shown as a table.")
            st.dataframe(table, hide_index=True, width="stretch", key=f"narrow-table-{key}")
    with st.expander(f"Table: {title}"):
        st.dataframe(table, hide_index=True, width="stretch", key=f"table-{key}")
    info = data.build_info()
    st.download_button(
        f"Download CSV: {title}",
        formatting.csv_bytes(table, title, definition, info.get("data_cutoff"),
                             bool(info.get("synthetic"))),
        file_name=f"{_slug(title)}.csv",
        mime="text/csv",
        key=f"download-{key}",
        icon=":material/download:",
        on_click="ignore",
    )


def for_page(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A chart as a page shows it: drawn as SVG, its title and subtitle wrapped to fit a phone
    (Streamlit cuts a one-line title to the chart's width)."""
    title = chart.title
    if isinstance(title, str):
        title = alt.TitleParams(palette.wrap_title(title))
    elif isinstance(title, alt.TitleParams) and isinstance(title.text, str):
        title = title.copy()
        title.text = palette.wrap_title(title.text)
        if isinstance(title.subtitle, str):
            title.subtitle = palette.wrap_title(title.subtitle, palette.SUBTITLE_CHARS)
        elif isinstance(title.subtitle, list):
            title.subtitle = [line for text in title.subtitle
                              for line in palette.wrap_title(text, palette.SUBTITLE_CHARS)]
    return chart.properties(title=title, usermeta=SVG)

