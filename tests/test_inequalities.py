"""Inequalities: a breakdown category benchmarked against the same area's overall figure as
well as against London's same category, with the comparator named."""

from __future__ import annotations

import polars as pl

from dashboard import formatting
from pipelines import kpis

ROWS = [
    # kpi, area_type, code, name, breakdown, category, status, value, lower95, upper95
    ("coc_21d", "la", "E09000022", "Lambeth", "all", "all", "published", 50.0, 45.0, 55.0),
    ("coc_21d", "la", "E09000022", "Lambeth", "sex", "female", "published", 70.0, 60.0, 78.0),
    ("coc_21d", "la", "E09000022", "Lambeth", "sex", "male", "published", 48.0, 43.0, 53.0),
    ("coc_21d", "la", "E09000022", "Lambeth", "age_band", "18-24", "published", 30.0, 20.0,
     49.9),
    ("coc_21d", "la", "E09000022", "Lambeth", "age_band", "50+", "suppressed", None, None,
     None),
    ("returned_custody_12m", "la", "E09000022", "Lambeth", "all", "all", "published", 20.0,
     18.0, 22.0),
    ("returned_custody_12m", "la", "E09000022", "Lambeth", "sex", "female", "published", 30.0,
     25.0, 35.0),
    ("coc_21d", "london", "E12000007", "London", "all", "all", "published", 50.0, 49.0, 51.0),
    ("coc_21d", "london", "E12000007", "London", "sex", "female", "published", 55.0, 52.0,
     58.0),
]


def frame() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=["kpi_id", "area_type", "area_code", "area_name",
                                      "breakdown", "category", "status", "value", "lower_95",
                                      "upper_95"], orient="row").with_columns(
        pl.lit("2023/24").alias("period"))


def test_category_compared_with_same_area_overall_by_polarity() -> None:
    out = kpis._area_comparisons(frame())
    got = {(r["kpi_id"], r["area_type"], r["category"]): r["compared_to_area"]
           for r in out.iter_rows(named=True)}
    assert got == {
        ("coc_21d", "la", "all"): None,  # the overall figure is the comparator, not compared
        ("coc_21d", "la", "female"): "better",  # 50 below 60-78
        ("coc_21d", "la", "male"): "similar",
        ("coc_21d", "la", "18-24"): "worse",  # 50 just above 20-49.9
        ("coc_21d", "la", "50+"): "not_compared",
        ("returned_custody_12m", "la", "all"): None,
        ("returned_custody_12m", "la", "female"): "worse",  # low is good
        ("coc_21d", "london", "all"): None,
        ("coc_21d", "london", "female"): "better",
    }


def test_table_twin_shows_the_area_comparison_only_with_breakdown_rows() -> None:
    out = kpis._area_comparisons(frame()).with_columns(
        pl.lit(1).alias("numerator"), pl.lit(2).alias("denominator"),
        pl.lit(None, pl.Date).alias("available_from"))
    twin = formatting.table_twin(out.filter(pl.col("kpi_id") == "coc_21d"))
    assert "Compared with the same area overall" in twin.columns
    headline = formatting.table_twin(out.filter(pl.col("breakdown") == "all"))
    assert "Compared with the same area overall" not in headline.columns

