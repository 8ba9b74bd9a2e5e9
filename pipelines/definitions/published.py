"""The warehouse's promise to its readers: the columns of `kpi_values` and the tokens its rows
carry (status, area type, period type, comparison, recent trend, SPC), and the notes a hidden
figure carries.

Published tables hold tokens, never display words: the dashboard turns tokens into words in one
place (`dashboard/words.py`). A reader that needs a token imports it from here.
"""

from __future__ import annotations

import polars as pl

# --- status of a published cell -----------------------------------------------------------
PUBLISHED = "published"
SUPPRESSED = "suppressed"
IMMATURE = "immature"  # the follow-up period is not complete yet
STATUSES: tuple[str, ...] = (PUBLISHED, SUPPRESSED, IMMATURE)

# --- area types ---------------------------------------------------------------------------
LA = "la"
SUBREGION = "subregion"
LONDON = "london"
PRISON = "prison"
ENGLAND = "england"
AREA_TYPES: tuple[str, ...] = (LA, SUBREGION, LONDON, PRISON, ENGLAND)

# --- period types -------------------------------------------------------------------------
YEAR = "year"
QUARTER = "quarter"
ROLLING_3Y = "rolling_3y"
PERIOD_TYPES: tuple[str, ...] = (YEAR, QUARTER, ROLLING_3Y)

# --- breakdowns: the overall row of every breakdown ---------------------------------------
ALL = "all"  # breakdown "all", category "all": every release in the cell

# --- comparisons (compared_to_london, compared_to_england, compared_to_area) ---------------
BETTER = "better"
SIMILAR = "similar"
WORSE = "worse"
HIGHER = "higher"  # for a KPI with no judgement of which direction is good
LOWER = "lower"
NOT_COMPARED = "not_compared"
COMPARISONS: tuple[str, ...] = (BETTER, SIMILAR, WORSE, HIGHER, LOWER, NOT_COMPARED)

# --- recent trend (trend) -----------------------------------------------------------------
TREND_UP_BETTER = "increasing_better"
TREND_UP_WORSE = "increasing_worse"
TREND_DOWN_BETTER = "decreasing_better"
TREND_DOWN_WORSE = "decreasing_worse"
TREND_UP = "increasing"  # no judgement of direction
TREND_DOWN = "decreasing"
TREND_NO_CHANGE = "no_change"
TREND_CANNOT = "not_calculated"
TRENDS: tuple[str, ...] = (TREND_UP_BETTER, TREND_UP_WORSE, TREND_DOWN_BETTER, TREND_DOWN_WORSE,
                           TREND_UP, TREND_DOWN, TREND_NO_CHANGE, TREND_CANNOT)

# --- SPC (spc_signal, spc_rule, spc_limits, spc_assurance) --------------------------------
SPC_COMMON = "common_cause"
SPC_IMPROVEMENT = "special_improvement"
SPC_CONCERN = "special_concern"
SPC_HIGHER = "special_higher"
SPC_LOWER = "special_lower"
SPC_SIGNALS: tuple[str, ...] = (SPC_COMMON, SPC_IMPROVEMENT, SPC_CONCERN, SPC_HIGHER,
                                SPC_LOWER)
SPC_SPECIAL: tuple[str, ...] = (SPC_IMPROVEMENT, SPC_CONCERN, SPC_HIGHER, SPC_LOWER)
SPC_RULE_LIMIT = "beyond_limit"
SPC_RULE_TREND = "trend_of_7"
SPC_RULE_TWO_OF_THREE = "two_of_three"
SPC_RULE_SHIFT = "shift_of_7"
SPC_RULES: tuple[str, ...] = (SPC_RULE_LIMIT, SPC_RULE_TREND, SPC_RULE_TWO_OF_THREE,
                              SPC_RULE_SHIFT)
SPC_LIMITS_FIXED = "fixed"
SPC_LIMITS_TRIAL = "trial"
ASSURANCE_PASS = "passing"
ASSURANCE_FAIL = "failing"
ASSURANCE_HIT_OR_MISS = "hit_or_miss"
ASSURANCES: tuple[str, ...] = (ASSURANCE_PASS, ASSURANCE_FAIL, ASSURANCE_HIT_OR_MISS)

# --- notes on hidden figures (the `note` column) ------------------------------------------
SUPPRESSION_NOTE = "Value suppressed for disclosure control due to small count"
SECONDARY_NOTE = (
    "Value suppressed for disclosure control: it could otherwise be worked out from other "
    "published figures"
)

# An immature cell's note; {} is the day from which the figure can be complete.
IMMATURE_NOTE = ("Not yet available: the follow-up period is not complete. Available once data "
                 "to {} is loaded.")
ENGLAND_NOTE = "Published value (Fingertips download)"  # England rows without a note of their own

# --- the kpi_values table -----------------------------------------------------------------
KPI_VALUES_SCHEMA: dict[str, pl.DataType] = {
    "kpi_id": pl.String(),
    "period": pl.String(),
    "period_type": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "area_type": pl.String(),
    "area_code": pl.String(),
    "area_name": pl.String(),
    "breakdown": pl.String(),
    "category": pl.String(),
    "numerator": pl.Int64(),
    "denominator": pl.Int64(),
    "value": pl.Float64(),
    "lower_95": pl.Float64(),
    "upper_95": pl.Float64(),
    "lower_998": pl.Float64(),
    "upper_998": pl.Float64(),
    "status": pl.String(),  # STATUSES
    "note": pl.String(),
    "compared_to_london": pl.String(),  # COMPARISONS; null on London's own rows
    "compared_to_england": pl.String(),  # COMPARISONS
    "compared_to_area": pl.String(),  # COMPARISONS against the same area's overall figure
    "trend": pl.String(),  # TRENDS, on year rows
    "spc_signal": pl.String(),  # SPC_SIGNALS, on headline quarter rows
    "spc_rule": pl.String(),  # SPC_RULES
    "spc_limits": pl.String(),  # SPC_LIMITS_FIXED or SPC_LIMITS_TRIAL
    "spc_mean": pl.Float64(),
    "spc_lower": pl.Float64(),
    "spc_upper": pl.Float64(),
    "spc_assurance": pl.String(),  # ASSURANCES
    "available_from": pl.Date(),
}
KPI_VALUES_COLUMNS: tuple[str, ...] = tuple(KPI_VALUES_SCHEMA)
# One published cell: these columns name it, and no two rows share them.
KPI_VALUES_KEY: tuple[str, ...] = ("kpi_id", "period_type", "period", "area_type", "area_code",
                                   "breakdown", "category")
