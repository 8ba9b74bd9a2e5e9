"""Statistical process control and recent trend, in words: the rules as the pipeline applies
them (pipelines.stats) and the latest quarter's variation and assurance per indicator."""

from __future__ import annotations

import polars as pl

from dashboard import formatting, words
from pipelines.definitions.published import PUBLISHED, SPC_LIMITS_TRIAL, SPC_SPECIAL

SPC_DEFINITION = (
    "XmR chart of the quarterly figure (NHS England Making Data Count): process limits at the "
    "mean plus or minus 2.66 times the mean moving range, moving ranges of 3.267 times the "
    "mean or more screened out. Limits need 13 quarters; with fewer they are trial limits and "
    "no signal is shown."
)
SPC_RULES: tuple[str, ...] = (
    "A point beyond a process limit (a point exactly on a limit is not beyond it).",
    "A trend: 7 points in a row each rising or each falling.",
    "Two of three points in a row beyond two sigma (two thirds of the way to a limit) on the "
    "same side of the mean; a point beyond a limit counts towards the two (MDC, November 2023).",
    "A shift: 7 points in a row on one side of the mean.",
)
SPC_PRECEDENCE = (
    "When rules disagree about a point's direction, the first in this list decides, as in "
    "Making Data Count and NHSRplotthedots. The assurance icon, for indicators with a target, "
    "says whether the target lies above, below or inside the process limits: consistently "
    "passing, consistently failing, or hit or miss."
)
NO_SPC = "No quarterly figures"
NO_VARIATION = "Not shown (trial limits)"
NO_TARGET = "No target"


def spc_table(rows: pl.DataFrame, titles: dict[str, str],
              units: dict[str, str]) -> pl.DataFrame:
    """Latest published quarter per indicator: variation, the rule behind it, limits and
    assurance (rows from `kpi_values` quarter rows with SPC columns)."""
    out = []
    for row in rows.iter_rows(named=True):
        unit = units.get(row["kpi_id"], "percent")
        if row["spc_limits"] is None:
            limits = NO_SPC
        else:
            limits = (f"{formatting.display_value(row['spc_lower'], PUBLISHED, unit)} to "
                      f"{formatting.display_value(row['spc_upper'], PUBLISHED, unit)}, mean "
                      f"{formatting.display_value(row['spc_mean'], PUBLISHED, unit)}")
            if row["spc_limits"] == SPC_LIMITS_TRIAL:
                limits = f"Trial limits: {limits}"
        out.append({
            "Indicator": titles.get(row["kpi_id"], row["kpi_id"]),
            "Latest quarter": row["period"],
            "Value": formatting.display_value(row["value"], row["status"], unit),
            "Variation": words.word("spc_signal", row["spc_signal"]) or NO_VARIATION,
            "Assurance": words.word("spc_assurance", row["spc_assurance"]) or NO_TARGET,
            "Rule": words.word("spc_rule", row["spc_rule"]) or "",
            "Process limits": limits,
        })
    return pl.DataFrame(out, schema=["Indicator", "Latest quarter", "Value", "Variation",
                                     "Assurance", "Rule", "Process limits"])


def spc_summary(table: pl.DataFrame, place: str) -> str:
    """One sentence: how many indicators show special cause variation in the latest quarter."""
    if table.is_empty():
        return f"There are no quarterly figures for {place}."
    special = table.filter(pl.col("Variation").is_in(
        [words.SPC_SIGNAL[token] for token in SPC_SPECIAL]))
    if special.is_empty():
        return (f"In the latest quarter no indicator for {place} shows special cause "
                "variation.")
    names = ", ".join(special.get_column("Indicator"))
    return (f"In the latest quarter {special.height} of {table.height} indicators for {place} "
            f"show special cause variation: {names}.")
