"""Figures as people read them, pinned against literal strings (dashboard.formatting)."""

from __future__ import annotations

from datetime import date
from html import unescape

import polars as pl
import pytest
from markdown_it import MarkdownIt

from dashboard import formatting

AVAILABLE = date(2025, 9, 30)


@pytest.mark.parametrize(("value", "status", "unit", "available_from", "shown"), [
    (42.4, "published", "percent", None, "42.4%"),
    (42.449, "published", "percent", None, "42.4%"),
    (0.0, "published", "percent", None, "0.0%"),
    (100.0, "published", "percent", None, "100.0%"),
    (3.14, "published", "rate_per_100", None, "3.1 per 100 releases"),
    (None, "suppressed", "percent", None, "*"),
    (12.0, "suppressed", "percent", None, "*"),
    (None, "immature", "percent", AVAILABLE,
     "Not yet available (once data to 30 Sep 2025 is loaded)"),
    (None, "immature", "percent", date(2026, 4, 1),
     "Not yet available (once data to 1 Apr 2026 is loaded)"),
    (None, "immature", "percent", None, "Not yet available"),
    (None, "published", "percent", None, "No data"),
])
def test_display_value(value: float | None, status: str, unit: str,
                       available_from: date | None, shown: str) -> None:
    assert formatting.display_value(value, status, unit, available_from) == shown


@pytest.mark.parametrize(("value", "status", "unit", "shown"), [
    (47.94, "published", "percent", "47.9%"),
    (3.14, "published", "rate_per_100", "3.1 per 100"),
    (None, "suppressed", "rate_per_100", "*"),
    (None, "immature", "percent", "Not yet"),
])
def test_display_metric(value: float | None, status: str, unit: str, shown: str) -> None:
    assert formatting.display_metric(value, status, unit) == shown


@pytest.mark.parametrize(("count", "status", "shown"), [
    (1234, "published", "1,234"),
    (0, "published", "0"),
    (None, "suppressed", "*"),
    (7, "immature", "Not yet available"),
])
def test_display_count(count: int | None, status: str, shown: str) -> None:
    assert formatting.display_count(count, status) == shown


def _rows() -> pl.DataFrame:
    return pl.DataFrame({
        "value": [42.4, 12.35, None, None, None, 3.14],
        "status": ["published", "published", "suppressed", "immature", "published",
                   "published"],
        "available_from": [None, None, None, AVAILABLE, None, None],
        "numerator": [424, 247, None, None, 0, 314],
    })


def test_table_values_read_like_the_cards() -> None:
    shown = _rows().select(formatting.value_text_expr("percent")).to_series().to_list()
    assert shown == ["42.4%", "12.3%", "*",
                     "Not yet available (once data to 30 Sep 2025 is loaded)", "No data", "3.1%"]


def test_a_table_value_is_rounded_exactly_as_its_card() -> None:
    # 12.35 is stored as 12.3499999...: a card shows 12.3%, so the table twin must too.
    rows = _rows()
    table = rows.select(formatting.value_text_expr("percent")).to_series().to_list()
    cards = [formatting.display_value(r["value"], r["status"], "percent", r["available_from"])
             for r in rows.iter_rows(named=True)]
    assert table == cards


def test_rate_values_carry_their_unit_in_tables() -> None:
    shown = _rows().select(formatting.value_text_expr("rate_per_100")).to_series().to_list()
    assert shown[0] == "42.4 per 100 releases"
    assert shown[5] == "3.1 per 100 releases"


def test_counts_in_tables() -> None:
    shown = _rows().select(formatting.count_text_expr("numerator")).to_series().to_list()
    assert shown == ["424", "247", "*", "", "0", "314"]


def test_table_twin_cells() -> None:
    rows = _rows().with_columns(
        pl.lit("2023/24").alias("period"), pl.lit("London").alias("area_name"),
        pl.lit(1000).alias("denominator"), pl.lit(39.32).alias("lower_95"),
        pl.lit(45.57).alias("upper_95"),
    )
    twin = formatting.table_twin(rows)
    assert twin.columns == ["Period", "Area", "Numerator", "Denominator", "Value",
                            "Lower 95% CI", "Upper 95% CI"]
    assert twin.row(0) == ("2023/24", "London", "424", "1000", "42.4%", 39.3, 45.6)
    assert twin.row(2)[2:5] == ("*", "1000", "*")
    assert twin.row(3)[2:5] == ("", "", "Not yet available (once data to 30 Sep 2025 is loaded)")


def test_csv_download_has_the_header_first_numbers_as_numbers_and_notes_after() -> None:
    table = pl.DataFrame({"Area": ["London", "Camden"], "Value": ["42.4%", "*"]})
    data = formatting.csv_bytes(table, "Continuity of care, 2023/24", "Engaged within 21 days",
                                date(2024, 7, 1), synthetic=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "Area,Value (%),Value note",
        "London,42.4,",
        "Camden,,*",
        "",
        '"Continuity of care, 2023/24"',  # quoted: it holds a comma
        '"Source: London Continuity of Care Outcomes, data cut-off 1 July 2024"',
        "Synthetic sample data: not real people.",
        "Definition: Engaged within 21 days",
        '"Definitions: deaths within 21 days excluded; returns to custody within 21 days '
        "excluded; engagement = community, residential rehab, inpatient detox; open episode at "
        'release counts; planned Tier 4 step-up within 14 days is not re-presenting."',
        "* Value suppressed for disclosure control due to small count.",
    ]


def test_csv_of_real_data_has_no_synthetic_line() -> None:
    data = formatting.csv_bytes(pl.DataFrame({"A": [1]}), "T", "", None, synthetic=False)
    assert data.decode("utf-8-sig").splitlines() == [
        "A", "1", "", "T", "Source: London Continuity of Care Outcomes",
        "* Value suppressed for disclosure control due to small count."]


@pytest.mark.parametrize(("text", "safe"), [
    ("42.4% *", "42.4% \\*"),
    ("[link](x) <b>", "\\[link\\](x) \\<b\\>"),
    ("a_b `c` $d$ #e ~f | g", "a\\_b \\`c\\` \\$d\\$ \\#e \\~f \\| g"),
])
def test_markdown_safe(text: str, safe: str) -> None:
    assert formatting.markdown_safe(text) == safe


@pytest.mark.parametrize("text", [
    "[click](javascript:x) <script> **b** :red[x] _i_ `c` $x$",
    "F-A Housing", "In prison: HMP Belmarsh", "housing\n# heading\n- item\n1. item",
    "a \\ backslash", "~~struck~~ | a | b |",
])
def test_markdown_safe_renders_as_written(text: str) -> None:
    """Through a CommonMark renderer, the escaped text is one paragraph of plain text reading
    exactly as written (line breaks read as spaces): no link, HTML, emphasis, heading or list."""
    html = MarkdownIt("commonmark").enable("strikethrough").enable("table") \
        .render(formatting.markdown_safe(text))
    assert html.startswith("<p>") and html.count("<") == 2, html
    assert unescape(html.removeprefix("<p>").removesuffix("</p>\n")) == " ".join(text.split())


@pytest.mark.parametrize(("unit", "title", "suffix"), [
    ("percent", "", "%"), ("rate_per_100", " (per 100 releases)", " per 100 releases")])
def test_units(unit: str, title: str, suffix: str) -> None:
    assert formatting.unit_title(unit) == title
    assert formatting.unit_suffix(unit) == suffix
