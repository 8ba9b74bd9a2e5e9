"""Streamlit widgets for Lived experience voices, built from the declared contracts
(dashboard.peer_research.model): one widget per contract column, by its kind and allowed
values, so the page cannot ask for something the store would refuse. Also the findings section
the Lived experience page shows."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard.formatting import SUPPRESSION_NOTE
from dashboard.peer_research import export, findings
from dashboard.peer_research.xlsform import CHOICE_LABELS
from dashboard.store import MAX_TEXT_CHARS, StoreError, app_store
from pipelines.definitions.contracts import Column

NONE_CHOSEN = ""
LONG_TEXT = {"what_helps", "gets_in_the_way", "would_make_work", "account_text"}


def widget(column: Column, key: str, label: str | None = None, value: object = None) -> None:
    """The widget for one contract column (its value lands in st.session_state[key])."""
    label = (label or column.description) + ("" if not column.required else " *")
    if column.kind == "code":
        labels = CHOICE_LABELS.get(column.name, {v: v for v in column.allowed})
        options = list(column.allowed) if column.required else [NONE_CHOSEN, *column.allowed]
        st.selectbox(label, options, key=key,
                     format_func=lambda v: labels.get(v, "Not given") if v else "Not given",
                     index=options.index(value) if value in options else 0)
    elif column.kind == "bool":
        st.checkbox(label, key=key, value=bool(value))
    elif column.kind == "date":
        st.date_input(label, key=key, value=value or date.today(), format="DD/MM/YYYY")
    elif column.name in LONG_TEXT:
        st.text_area(label, key=key, value=value or "", max_chars=MAX_TEXT_CHARS)
    else:
        st.text_input(label, key=key, value=value or "", max_chars=MAX_TEXT_CHARS)


def findings_section() -> None:
    """Lived experience voices findings: approved, de-identified, disclosure-controlled."""
    st.header("Lived experience voices: what peer researchers heard")
    try:
        result = export.build(app_store())
    except StoreError as error:
        st.warning(f"The peer research findings cannot be shown: {error}")
        return
    st.write(f"Accounts captured by trained peer researchers with lived experience, approved "
             f"by the project coordinator and de-identified: {result.accounts:,} approved "
             "accounts. Counts are of accounts, that is of people; an account can touch on "
             "several themes.")
    if result.accounts == 0:
        st.info("No approved accounts yet.")
        return
    st.caption(SUPPRESSION_NOTE + " Further counts are hidden so that none can be worked out "
               f"by subtraction. Quotes only come from a theme and setting with at least "
               f"{findings.QUOTE_MIN_ACCOUNTS} accounts.")
    for title, table, key in (
            ("Themes by setting", result.by_setting, "voices-setting"),
            ("Themes by sub-region", result.by_subregion, "voices-subregion"),
            ("Accounts by foundation and recommendation", result.by_recommendation,
             "voices-recommendation")):
        st.subheader(title)
        st.dataframe(findings.display(table), hide_index=True, key=key)
    st.subheader("What would make services work, in their own words")
    _quotes(result.would_make_work, "No quote about this can be shown yet.")
    st.subheader("Approved quotes by theme")
    names = dict(zip(result.codebook["code"], result.codebook["name"], strict=True))
    for theme, rows in result.quotes.group_by("theme", maintain_order=True):
        with st.expander(f"{theme[0]} {names.get(theme[0], '')}"):
            _quotes(rows, "")


def _quotes(rows: pl.DataFrame, empty: str) -> None:
    if rows.is_empty() and empty:
        st.text(empty)
    for row in rows.unique(subset=["quote_id"], keep="first", maintain_order=True) \
            .iter_rows(named=True):
        with st.container(border=True):
            st.text(f"“{row['text']}”")
            st.caption(f"{row['setting']} · {row['question']}")
