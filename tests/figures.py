"""Figures as the product promises to show them, written out independently of
`dashboard.formatting`, so that a page test fails when the pages' formatting goes wrong instead of
agreeing with it. The literal strings are pinned in tests/test_formatting.py; this module only
spells the same rules out for values read from a warehouse.
"""

from __future__ import annotations

from datetime import date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(on: date) -> str:
    """'1 Apr 2026', spelled out rather than formatted with strftime."""
    return f"{on.day} {MONTHS[on.month - 1]} {on.year}"


def shown(value: float | None, status: str, unit: str = "percent",
          available_from: date | None = None) -> str:
    """'42.4%', '3.1 per 100 releases', '*', 'Not yet available (once data to … is loaded)'."""
    if status == "suppressed":
        return "*"
    if status == "immature":
        if available_from is None:
            return "Not yet available"
        return f"Not yet available (once data to {short_date(available_from)} is loaded)"
    if value is None:
        return "No data"
    suffix = {"percent": "%", "rate_per_100": " per 100 releases"}[unit]
    return f"{value:.1f}{suffix}"
