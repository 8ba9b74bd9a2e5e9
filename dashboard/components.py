"""Page furniture shared by every view: the data banner and the chart block (a chart with its
plain-English summary, table twin and CSV download).

Only layout lives here; figures come from dashboard.data and formatting from
dashboard.formatting.
"""

from __future__ import annotations

import re

import altair as alt
import polars as pl
import streamlit as st

from dashboard import data, formatting, store

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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def chart_block(title: str, summary: str, chart: alt.TopLevelMixin | None, table: pl.DataFrame,
                definition: str = "", key: str | None = None) -> None:
    """A titled chart with its summary sentence, table twin and a CSV of exactly what it shows."""
    key = key or _slug(title)
    st.subheader(title)
    st.markdown(formatting.markdown_safe(summary))
    if chart is not None:
        st.altair_chart(chart, width="stretch", key=f"chart-{key}")
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


def definition_line(kpi: dict) -> str:
    return f"{kpi['title']}: {kpi['numerator']} / {kpi['denominator']}."
