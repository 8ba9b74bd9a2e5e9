"""Period labels (pipelines.definitions.periods): made, parsed and bounded in one place."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.definitions import periods


def _days(*days: date) -> pl.DataFrame:
    return pl.DataFrame({"day": list(days)}, schema={"day": pl.Date})


@pytest.mark.parametrize(("day", "start_year"), [
    (date(2024, 3, 31), 2023), (date(2024, 4, 1), 2024), (date(2023, 12, 31), 2023),
    (date(2024, 1, 1), 2023), (date(2024, 5, 1), 2024),
])
def test_financial_year_starts_on_1_april(day: date, start_year: int) -> None:
    got = _days(day).select(periods.fy_start_year_expr(pl.col("day"))).item()
    assert got == start_year


@pytest.mark.parametrize(("start_year", "label"), [
    (2023, "2023/24"), (1999, "1999/00"), (2008, "2008/09"), (2010, "2010/11")])
def test_financial_year_labels(start_year: int, label: str) -> None:
    assert periods.fy_label_text(start_year) == label
    expr = pl.DataFrame({"y": [start_year]}).select(periods.fy_label_expr(pl.col("y"))).item()
    assert expr == label


@pytest.mark.parametrize(("day", "label"), [
    (date(2023, 4, 1), "2023/24 Q1"), (date(2023, 9, 30), "2023/24 Q2"),
    (date(2023, 12, 31), "2023/24 Q3"), (date(2024, 3, 31), "2023/24 Q4"),
    (date(1999, 1, 5), "1998/99 Q4")])
def test_quarter_labels(day: date, label: str) -> None:
    assert _days(day).select(periods.quarter_label_expr(pl.col("day"))).item() == label
    assert periods.quarter_label_text(periods.start_year(label),
                                      periods.quarter_number(label)) == label


@pytest.mark.parametrize(("period", "bounds"), [
    ("2023/24", (date(2023, 4, 1), date(2024, 3, 31))),
    ("2023/24 Q1", (date(2023, 4, 1), date(2023, 6, 30))),
    ("2023/24 Q2", (date(2023, 7, 1), date(2023, 9, 30))),
    ("2023/24 Q3", (date(2023, 10, 1), date(2023, 12, 31))),
    ("2023/24 Q4", (date(2024, 1, 1), date(2024, 3, 31))),
    ("2021/22 to 2023/24", (date(2021, 4, 1), date(2024, 3, 31))),
])
def test_period_bounds(period: str, bounds: tuple[date, date]) -> None:
    assert periods.bounds(period) == bounds


@pytest.mark.parametrize(("period", "kind", "years", "lines"), [
    ("2023/24", "year", ("2023/24",), ["2023/", "24"]),
    ("2023/24 Q2", "quarter", ("2023/24",), ["2023/", "24 Q2"]),
    ("2021/22 to 2023/24", "rolling_3y", ("2021/22", "2022/23", "2023/24"),
     ["2021/22", "to", "2023/24"]),
    ("1998/99 to 2000/01", "rolling_3y", ("1998/99", "1999/00", "2000/01"),
     ["1998/99", "to", "2000/01"]),
])
def test_parse(period: str, kind: str, years: tuple[str, ...], lines: list[str]) -> None:
    assert periods.period_type(period) == kind
    assert periods.window_years(period) == years
    assert periods.window_ends(period) == (years[0], years[-1])
    assert periods.axis_lines(period) == lines
    frame = pl.DataFrame({"p": [period]})
    assert frame.select(periods.start_year_expr(pl.col("p"))).item() == int(years[0][:4])
    assert frame.select(periods.end_year_expr(pl.col("p"))).item() == int(years[-1][:4])


def test_financial_year_of_a_quarter() -> None:
    assert periods.financial_year("2023/24 Q3") == "2023/24"
    frame = pl.DataFrame({"p": ["2023/24 Q3", "2023/24"]})
    assert frame.select(periods.financial_year_expr(pl.col("p"))).to_series().to_list() == [
        "2023/24", "2023/24"]
    with pytest.raises(ValueError):
        periods.financial_year("2021/22 to 2023/24")


@pytest.mark.parametrize("label", ["2023", "2023/2024", "2023/24 Q5", "2023/24 to", "FY23"])
def test_a_label_that_is_not_a_period_is_refused(label: str) -> None:
    with pytest.raises(ValueError):
        periods.bounds(label)


def test_rolling_label() -> None:
    assert periods.rolling_label_text("2021/22", "2023/24") == "2021/22 to 2023/24"


def test_window_ending_a_year() -> None:
    windows = ["2020/21 to 2022/23", "2021/22 to 2023/24"]
    assert periods.window_ending("2023/24", windows) == "2021/22 to 2023/24"
    assert periods.window_ending("2021/22", windows) is None
    assert periods.window_ending("2023/24", []) is None
