"""Fingertips-format comparators for continuity of care, with intervals from `pipelines.stats`."""

from __future__ import annotations

import polars as pl

from pipelines import stats
from pipelines.definitions.contracts import COMPARATOR_COLUMNS
from pipelines.definitions.reference import (
    ENGLAND_CODE,
    ENGLAND_NAME,
    LA_BY_CODE,
    LONDON_CODE,
    LONDON_NAME,
)

COC_INDICATOR_ID = "93588"  # illustrative id for the synthetic sample
COC_INDICATOR_NAME = ("Adults with substance misuse treatment need who successfully engage in "
                      "community-based structured treatment following release from prison")
# (area code, time period, published value %, denominator); value None = suppressed.
COMPARATOR_ROWS: tuple[tuple[str, str, float | None, int], ...] = (
    (ENGLAND_CODE, "2019/20", 34.5, 24_310),
    (ENGLAND_CODE, "2020/21", 38.1, 21_640),
    (ENGLAND_CODE, "2021/22", 37.4, 22_870),
    (ENGLAND_CODE, "2022/23", 43.0, 23_150),
    (ENGLAND_CODE, "2023/24", 53.0, 24_480),
    (LONDON_CODE, "2022/23", 26.0, 2_910),
    (LONDON_CODE, "2023/24", 41.0, 3_040),
    ("E09000012", "2023/24", 43.8, 137),
    ("E09000022", "2023/24", 38.1, 168),
    ("E09000008", "2023/24", 36.6, 153),
    ("E09000028", "2023/24", 45.4, 152),
    ("E09000001", "2023/24", None, 6),
)
# Fingertips' own words in its data downloads: the file's format, not the product's vocabulary
# (the pipeline reads the note but not the comparison, trend or area-type columns).
FINGERTIPS_SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"
FINGERTIPS_LA_AREA_TYPE = "Counties & UAs (from Apr 2023)"
FINGERTIPS_COMPARISON_WORDS = {stats.BETTER: "Better", stats.SIMILAR: "Similar",
                               stats.WORSE: "Worse"}
FINGERTIPS_NOT_COMPARED = "Not compared"
FINGERTIPS_TREND_WORDS = {
    stats.TREND_UP_BETTER: "Increasing and getting better",
    stats.TREND_UP_WORSE: "Increasing and getting worse",
    stats.TREND_DOWN_BETTER: "Decreasing and getting better",
    stats.TREND_DOWN_WORSE: "Decreasing and getting worse",
    stats.TREND_UP: "Increasing",
    stats.TREND_DOWN: "Decreasing",
    stats.TREND_NO_CHANGE: "No significant change",
    stats.TREND_CANNOT: "Cannot be calculated",
}
POLARITY = stats.HIGH_GOOD  # continuity of care: higher is better


def _compared(value: float, low95: float, high95: float, benchmark: float | None) -> str:
    """Fingertips' comparison wording: the benchmark against the area's 95% interval."""
    token = stats.compare(value, low95, high95, benchmark, POLARITY)
    return FINGERTIPS_NOT_COMPARED if token is None else FINGERTIPS_COMPARISON_WORDS[token]


def _recent_trend(code: str, period: str) -> str:
    """Fingertips' recent trend of the area's counts up to and including the period."""
    points = sorted((p, round(v * d / 100), d) for c, p, v, d in COMPARATOR_ROWS
                    if c == code and p <= period and v is not None)
    trend = stats.recent_trend([count for _, count, _ in points],
                               [denominator for _, _, denominator in points], POLARITY)
    return FINGERTIPS_TREND_WORDS[trend]


def comparators_frame() -> pl.DataFrame:
    published = {(code, period): value for code, period, value, _ in COMPARATOR_ROWS}
    latest_period = max(period for _, period, _, _ in COMPARATOR_ROWS)
    rows: list[dict[str, str | None]] = []
    for code, period, value, denominator in COMPARATOR_ROWS:
        row: dict[str, str | None] = dict.fromkeys(COMPARATOR_COLUMNS)
        if code == ENGLAND_CODE:
            parent_code, parent_name, area_type = None, None, "England"
        elif code == LONDON_CODE:
            parent_code, parent_name, area_type = ENGLAND_CODE, ENGLAND_NAME, "Region"
        else:
            parent_code, parent_name, area_type = LONDON_CODE, LONDON_NAME, FINGERTIPS_LA_AREA_TYPE
        name = {ENGLAND_CODE: ENGLAND_NAME, LONDON_CODE: LONDON_NAME}.get(code) or (
            LA_BY_CODE[code].name)
        row.update({
            "Indicator ID": COC_INDICATOR_ID, "Indicator Name": COC_INDICATOR_NAME,
            "Parent Code": parent_code, "Parent Name": parent_name, "Area Code": code,
            "Area Name": name, "Area Type": area_type, "Sex": "Persons", "Age": "18+ yrs",
            "Time period": period, "Denominator": str(denominator),
            "Time period Sortable": f"{period[:4]}0000", "Time period range": "1y",
        })
        if value is None:
            row.update({"Value note": FINGERTIPS_SUPPRESSED_NOTE, "Denominator": None,
                        "Compared to England value or percentiles": FINGERTIPS_NOT_COMPARED,
                        "Compared to <parent> value or percentiles": FINGERTIPS_NOT_COMPARED,
                        "Recent Trend": FINGERTIPS_TREND_WORDS[stats.TREND_CANNOT]})
        else:
            count = round(value * denominator / 100)
            low95, high95 = stats.wilson_interval(count, denominator, 0.95)
            low998, high998 = stats.wilson_interval(count, denominator, 0.998)
            row.update({"Value": f"{value:.1f}", "Count": str(count),
                        "Lower CI 95.0 limit": f"{low95:.2f}",
                        "Upper CI 95.0 limit": f"{high95:.2f}",
                        "Lower CI 99.8 limit": f"{low998:.2f}",
                        "Upper CI 99.8 limit": f"{high998:.2f}"})
            england = None if code == ENGLAND_CODE else published.get((ENGLAND_CODE, period))
            parent = published.get((parent_code, period)) if parent_code else None
            row["Compared to England value or percentiles"] = _compared(value, low95, high95,
                                                                         england)
            row["Compared to <parent> value or percentiles"] = _compared(value, low95, high95,
                                                                          parent)
            row["Recent Trend"] = _recent_trend(code, period)
        row["New data"] = "New data" if period == latest_period else None
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in COMPARATOR_COLUMNS})
