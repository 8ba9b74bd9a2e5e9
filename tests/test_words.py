"""dashboard/words.py: the published tokens in words, as every page and export shows them."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard import words
from pipelines.definitions import published


def test_comparison_words() -> None:
    assert words.comparison("better", "London") == "Better than London"
    assert words.comparison("worse", "England") == "Worse than England"
    assert words.comparison("similar", "England") == "Similar to England"
    assert words.comparison("higher", "London") == "Higher than London"
    assert words.comparison("lower", "London") == "Lower than London"
    assert words.comparison("not_compared", "London") == "Not compared"
    assert words.comparison(None, "London") is None
    with pytest.raises(ValueError):
        words.comparison("Better than London", "London")


def test_every_published_token_has_words() -> None:
    assert set(words.COMPARISON_TEMPLATES) == set(published.COMPARISONS)
    assert set(words.CATEGORY) == set(published.COMPARISONS)
    assert set(words.TREND) == set(published.TRENDS)
    assert set(words.SPC_SIGNAL) == set(published.SPC_SIGNALS)
    assert set(words.SPC_RULE) == set(published.SPC_RULES)
    assert set(words.ASSURANCE) == set(published.ASSURANCES)
    assert set(words.STATUS) == set(published.STATUSES)
    assert set(words.AREA_TYPE) == set(published.AREA_TYPES)


def test_in_words_turns_every_token_column_into_words() -> None:
    rows = pl.DataFrame({
        "area_name": ["Lambeth", "Lambeth"],
        "status": ["published", "suppressed"],
        "compared_to_london": ["better", None],
        "compared_to_england": ["not_compared", "similar"],
        "compared_to_area": ["worse", None],
        "trend": ["increasing_better", "not_calculated"],
        "spc_signal": ["special_concern", "common_cause"],
        "spc_rule": ["shift_of_7", None],
        "spc_limits": ["fixed", "trial"],
        "spc_assurance": ["hit_or_miss", None],
    })
    shown = words.in_words(rows)
    assert shown.row(0, named=True) == {
        "area_name": "Lambeth", "status": "published",
        "compared_to_london": "Better than London", "compared_to_england": "Not compared",
        "compared_to_area": "Worse than Lambeth overall",
        "trend": "Increasing and getting better", "spc_signal": "Special cause: concern",
        "spc_rule": "Shift of 7 on one side of the mean", "spc_limits": "limits",
        "spc_assurance": "Hit or miss: the target lies within the process limits",
    }
    assert shown.row(1, named=True)["compared_to_london"] is None
    assert shown.row(1, named=True)["trend"] == "Cannot be calculated"


def test_in_words_refuses_an_unknown_token() -> None:
    with pytest.raises(pl.exceptions.InvalidOperationError):
        words.in_words(pl.DataFrame({"trend": ["Increasing and getting better"]}))


def test_category_from_token_and_status() -> None:
    rows = pl.DataFrame({"compared_to_london": ["better", "worse", "lower", None, "better",
                                                "similar"],
                         "status": ["published", "published", "published", "published",
                                    "suppressed", "immature"]})
    assert rows.select(words.category_expr()).to_series().to_list() == [
        "Better", "Worse", "Lower", "Not compared", "Suppressed", "Not yet available"]
    assert words.category("similar") == "Similar"
    assert words.category(None, "immature") == "Not yet available"
