"""Encodings shared by every chart that shows a figure: its interval in a tooltip, written once
(the words come from dashboard.formatting, which owns how a figure is shown)."""

from __future__ import annotations

import altair as alt

from dashboard.formatting import INTERVAL_DECIMALS, LOWER_95, UPPER_95


def interval_tooltips() -> list[alt.Tooltip]:
    """The lower and upper 95% limits, rounded as the table twins round them."""
    return [alt.Tooltip("lower_95:Q", title=LOWER_95, format=INTERVAL_DECIMALS),
            alt.Tooltip("upper_95:Q", title=UPPER_95, format=INTERVAL_DECIMALS)]
