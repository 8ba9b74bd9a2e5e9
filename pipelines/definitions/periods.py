"""Period labels: financial years ('2023/24'), their quarters ('2023/24 Q2') and 3-year
rolling windows ('2021/22 to 2023/24'). The one place that makes, parses and bounds them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from pipelines.definitions import published

FY_START_MONTH = 4  # the financial year starts on 1 April
ROLLING_SEPARATOR = " to "
_PATTERN = re.compile(r"^(?P<first>\d{4}/\d{2})(?: Q(?P<quarter>[1-4])"
                      r"| to (?P<last>\d{4}/\d{2}))?$")


def fy_label_text(start_year: int) -> str:
    """'2023/24' for the financial year starting in April 2023."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def quarter_label_text(start_year: int, quarter: int) -> str:
    """'2023/24 Q2'."""
    return f"{fy_label_text(start_year)} Q{quarter}"


def rolling_label_text(first_year: str, last_year: str) -> str:
    """'2021/22 to 2023/24' from its first and last financial-year labels."""
    return f"{first_year}{ROLLING_SEPARATOR}{last_year}"


def fy_start_year_expr(day: pl.Expr) -> pl.Expr:
    """The calendar year in which a date's financial year starts."""
    return pl.when(day.dt.month() >= FY_START_MONTH).then(day.dt.year()) \
        .otherwise(day.dt.year() - 1)


def fy_label_expr(start_year: pl.Expr) -> pl.Expr:
    """`fy_label_text` as a Polars expression."""
    return pl.format("{}/{}", start_year, (start_year + 1).mod(100).cast(pl.String).str.zfill(2))


def quarter_expr(day: pl.Expr) -> pl.Expr:
    """The financial quarter (1-4) of a date."""
    return (day.dt.month() - FY_START_MONTH).mod(12) // 3 + 1


def quarter_label_expr(day: pl.Expr) -> pl.Expr:
    """'2023/24 Q2' for each date."""
    return pl.format("{} Q{}", fy_label_expr(fy_start_year_expr(day)), quarter_expr(day))


def _year(label: str, period: str) -> int:
    start = int(label[:4])
    if label != fy_label_text(start):
        raise ValueError(f"{period!r}: {label!r} is not a financial year")
    return start


def _parts(period: str) -> tuple[int, int | None, int | None]:
    """(first financial year's start, quarter or None, last year's start for a window)."""
    match = _PATTERN.match(period)
    if match is None:
        raise ValueError(f"{period!r} is not a period label ('2023/24', '2023/24 Q2' or "
                         f"'2021/22 to 2023/24')")
    first = _year(match["first"], period)
    quarter = int(match["quarter"]) if match["quarter"] else None
    last = _year(match["last"], period) if match["last"] else None
    return first, quarter, last


def period_type(period: str) -> str:
    """published.YEAR, QUARTER or ROLLING_3Y for a label."""
    _, quarter, last = _parts(period)
    return published.ROLLING_3Y if last is not None else \
        published.QUARTER if quarter is not None else published.YEAR


def start_year(period: str) -> int:
    """The calendar year in which the period's first financial year starts."""
    return _parts(period)[0]


def financial_year(period: str) -> str:
    """The financial year a quarter belongs to ('2023/24' for '2023/24 Q2'); a year is its own."""
    first, _, last = _parts(period)
    if last is not None:
        raise ValueError(f"{period!r} spans several financial years")
    return fy_label_text(first)


def window_years(period: str) -> tuple[str, ...]:
    """The financial years a period covers, in order ('2021/22', '2022/23', '2023/24')."""
    first, _, last = _parts(period)
    return tuple(fy_label_text(y) for y in range(first, (last if last is not None else first) + 1))


def window_ends(period: str) -> tuple[str, str]:
    """(first, last) financial year of a period; both the same for a year or quarter."""
    years = window_years(period)
    return years[0], years[-1]


def window_ending(year: str, windows: list[str]) -> str | None:
    """The window among `windows` whose last financial year is `year`, if any."""
    return next((w for w in windows if window_ends(w)[1] == year), None)


def quarter_number(period: str) -> int:
    """2 for '2023/24 Q2'."""
    quarter = _parts(period)[1]
    if quarter is None:
        raise ValueError(f"{period!r} is not a quarter")
    return quarter


def bounds(period: str) -> tuple[date, date]:
    """First and last day of a period label."""
    first, quarter, last = _parts(period)
    if last is not None:
        return date(first, FY_START_MONTH, 1), date(last + 1, FY_START_MONTH - 1, 31)
    if quarter is None:
        return date(first, FY_START_MONTH, 1), date(first + 1, FY_START_MONTH - 1, 31)
    month = FY_START_MONTH + 3 * (quarter - 1)
    year = first + (month - 1) // 12
    month = (month - 1) % 12 + 1
    end_month = month + 3
    end_year = year + (end_month - 1) // 12
    end_month = (end_month - 1) % 12 + 1
    return date(year, month, 1), date(end_year, end_month, 1) - timedelta(days=1)


def axis_lines(period: str) -> list[str]:
    """A label broken for a narrow chart axis: ['2021/22', 'to', '2023/24'] for a window,
    ['2023/', '24'] for a year and ['2023/', '24 Q2'] for a quarter."""
    first, quarter, last = _parts(period)
    if last is not None:
        return [fy_label_text(first), ROLLING_SEPARATOR.strip(), fy_label_text(last)]
    year = fy_label_text(first)
    rest = year[5:] + (f" Q{quarter}" if quarter is not None else "")
    return [year[:5], rest]


def start_year_expr(period: pl.Expr) -> pl.Expr:
    """`start_year` as a Polars expression (Int32)."""
    return period.str.extract(r"^(\d{4})/", 1).cast(pl.Int32)


def end_year_expr(period: pl.Expr) -> pl.Expr:
    """The start year of a period's last financial year (Int32)."""
    return period.str.extract(r"(\d{4})/\d{2}(?: Q[1-4])?$", 1).cast(pl.Int32)


def financial_year_expr(period: pl.Expr) -> pl.Expr:
    """`financial_year` as a Polars expression: the year a quarter belongs to."""
    return period.str.extract(r"^(\d{4}/\d{2})", 1)
