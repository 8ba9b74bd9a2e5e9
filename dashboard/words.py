"""The one place the dashboard turns the warehouse's tokens into words.

`kpi_values` carries tokens (`better`, `not_compared`, `increasing_better`, `special_concern`,
...; see pipelines.definitions.published). Logic reads the tokens; whatever a reader sees is
worded here: comparisons ("Better than London"), benchmark categories ("Better"), recent trends
and SPC results.
"""

from __future__ import annotations

import polars as pl

from pipelines.definitions import published as p

LONDON_WORD = "London"
ENGLAND_WORD = "England"
AREA_OVERALL = "{} overall"  # a breakdown category's comparator: the same area overall

STATUS: dict[str, str] = {p.PUBLISHED: "Published", p.SUPPRESSED: "Suppressed",
                          p.IMMATURE: "Not yet available"}
AREA_TYPE: dict[str, str] = {p.LA: "Local authority", p.LONDON: "Region",
                             p.SUBREGION: "Sub-region", p.ENGLAND: "Country",
                             p.PRISON: "Prison"}

# Comparison token -> wording; "{}" is the comparator's name.
COMPARISON_TEMPLATES: dict[str, str] = {
    p.BETTER: "Better than {}",
    p.WORSE: "Worse than {}",
    p.SIMILAR: "Similar to {}",
    p.HIGHER: "Higher than {}",
    p.LOWER: "Lower than {}",
    p.NOT_COMPARED: "Not compared",
}
# Benchmark categories: the legend entries of every benchmark colour (charts.palette).
BETTER = "Better"
SIMILAR = "Similar"
WORSE = "Worse"
HIGHER = "Higher"
LOWER = "Lower"
NOT_COMPARED = "Not compared"
SUPPRESSED = "Suppressed"
NOT_YET = "Not yet available"
CATEGORY: dict[str, str] = {
    p.BETTER: BETTER, p.SIMILAR: SIMILAR, p.WORSE: WORSE, p.HIGHER: HIGHER, p.LOWER: LOWER,
    p.NOT_COMPARED: NOT_COMPARED,
}
STATUS_CATEGORY: dict[str, str] = {p.SUPPRESSED: SUPPRESSED, p.IMMATURE: NOT_YET}

TREND: dict[str, str] = {
    p.TREND_UP_BETTER: "Increasing and getting better",
    p.TREND_UP_WORSE: "Increasing and getting worse",
    p.TREND_DOWN_BETTER: "Decreasing and getting better",
    p.TREND_DOWN_WORSE: "Decreasing and getting worse",
    p.TREND_UP: "Increasing",
    p.TREND_DOWN: "Decreasing",
    p.TREND_NO_CHANGE: "No significant change",
    p.TREND_CANNOT: "Cannot be calculated",
}
# A special-cause signal's kind, as in "special-cause concern".
SPC_KIND: dict[str, str] = {p.SPC_IMPROVEMENT: "improvement", p.SPC_CONCERN: "concern",
                            p.SPC_HIGHER: "higher", p.SPC_LOWER: "lower"}
SPC_SIGNAL: dict[str, str] = {
    p.SPC_COMMON: "Common cause",
    **{token: f"Special cause: {kind}" for token, kind in SPC_KIND.items()},
}
SPC_RULE: dict[str, str] = {
    p.SPC_RULE_LIMIT: "Point beyond a process limit",
    p.SPC_RULE_TREND: "Trend of 7 rising or falling",
    p.SPC_RULE_TWO_OF_THREE: "Two of three beyond 2 sigma",
    p.SPC_RULE_SHIFT: "Shift of 7 on one side of the mean",
}
SPC_LIMITS: dict[str, str] = {p.SPC_LIMITS_FIXED: "limits", p.SPC_LIMITS_TRIAL: "trial limits"}
ASSURANCE: dict[str, str] = {
    p.ASSURANCE_PASS: "Consistently passing the target",
    p.ASSURANCE_FAIL: "Consistently failing the target",
    p.ASSURANCE_HIT_OR_MISS: "Hit or miss: the target lies within the process limits",
}
# Token columns of kpi_values and their wording (compared_to_* are worded by comparison()).
TOKEN_COLUMNS: dict[str, dict[str, str]] = {
    "trend": TREND, "spc_signal": SPC_SIGNAL, "spc_rule": SPC_RULE, "spc_limits": SPC_LIMITS,
    "spc_assurance": ASSURANCE,
}
COMPARATORS: dict[str, str] = {"compared_to_london": LONDON_WORD,
                               "compared_to_england": ENGLAND_WORD}


def comparison(token: str | None, comparator: str) -> str | None:
    """'Better than London' for ('better', 'London'); 'Not compared'; None for None."""
    if token is None:
        return None
    if token not in COMPARISON_TEMPLATES:
        raise ValueError(f"unknown comparison token {token!r}")
    return COMPARISON_TEMPLATES[token].format(comparator)


def comparison_expr(column: str, comparator: str | pl.Expr) -> pl.Expr:
    """`comparison` for a column at once; `comparator` a name or an expression (area names)."""
    name = comparator if isinstance(comparator, pl.Expr) else pl.lit(comparator)
    out = pl.lit(None, dtype=pl.String)
    for token, template in COMPARISON_TEMPLATES.items():
        text = pl.format(template, name) if "{}" in template else pl.lit(template)
        out = pl.when(pl.col(column) == token).then(text).otherwise(out)
    return out.alias(column)


def category(token: str | None, status: str = p.PUBLISHED) -> str:
    """Benchmark category ('Better', 'Suppressed', 'Not yet available', ...) of a row."""
    if status in STATUS_CATEGORY:
        return STATUS_CATEGORY[status]
    return CATEGORY.get(token or "", NOT_COMPARED)


def category_expr(comparison_column: str = "compared_to_london") -> pl.Expr:
    """`category` for every row at once, from a comparison column and the row's status."""
    return (
        pl.when(pl.col("status") == p.SUPPRESSED).then(pl.lit(SUPPRESSED))
        .when(pl.col("status") == p.IMMATURE).then(pl.lit(NOT_YET))
        .otherwise(pl.col(comparison_column).replace_strict(CATEGORY, default=NOT_COMPARED,
                                                            return_dtype=pl.String))
    )


def word(column: str, token: str | None) -> str | None:
    """The wording of one token of a token column ('trend', 'spc_signal', ...)."""
    if token is None:
        return None
    return TOKEN_COLUMNS[column][token]


def in_words(rows: pl.DataFrame) -> pl.DataFrame:
    """kpi_values rows with every token column present turned into words, for display."""
    exprs = [comparison_expr(c, name) for c, name in COMPARATORS.items() if c in rows.columns]
    if "compared_to_area" in rows.columns and "area_name" in rows.columns:
        exprs.append(comparison_expr("compared_to_area", pl.format(AREA_OVERALL,
                                                                   pl.col("area_name"))))
    exprs += [pl.col(c).replace_strict(mapping, return_dtype=pl.String)
              for c, mapping in TOKEN_COLUMNS.items() if c in rows.columns]
    return rows.with_columns(exprs) if exprs else rows
