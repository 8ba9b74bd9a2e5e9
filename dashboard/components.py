"""Page furniture shared by every view: the data banner and small layout helpers.

Only layout lives here; figures come from dashboard.data.
"""

from __future__ import annotations

import streamlit as st

SYNTHETIC_LABEL = (
    "Synthetic sample data: every figure on this page is computed from made-up records, "
    "not from real people."
)


def data_banner(info: dict) -> None:
    """The synthetic-data label (when it applies) and the data cut-off, on every page."""
    if info.get("synthetic"):
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    cutoff = info.get("data_cutoff")
    built = info.get("built_at")
    if cutoff:
        built_text = f", warehouse built {built:%d %b %Y %H:%M} UTC" if built else ""
        st.caption(f"Data cut-off {cutoff:%d %B %Y}{built_text}.")
