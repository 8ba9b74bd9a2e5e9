"""Board pack (PDF, HTML) and workbook (XLSX): generated from the sample warehouse, read back,
and checked against kpi_values, for London and two boroughs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from pypdf import PdfReader

from dashboard import board_pack

SCOPES = [("london", "E12000007"), ("E09000022", "E09000022"), ("City of London", "E09000001")]
PERIOD = "2024/25"


@pytest.fixture(scope="module")
def packs(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("packs")
    made = {}
    for scope, code in SCOPES:
        folder = out / code
        assert board_pack.main(["--period", PERIOD, "--scope", scope, "--out", str(folder),
                                "--warehouse", str(sample_warehouse)]) == 0
        made[code] = {p.suffix: p for p in folder.iterdir()}
    return made


def _values(warehouse: Path, **where: str) -> pl.DataFrame:
    clause = " and ".join(f"{k} = ?" for k in where)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(f"select * from kpi_values where {clause}",
                       params=list(where.values())).pl()


def _pdf_text(path: Path) -> str:
    """The PDF's text with every run of white space made one space (table cells wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _headline_table(text: str) -> str:
    start = text.index("Indicator Value 95% interval Count Releases")
    return text[start:]


def _expected_row(row: dict) -> str:
    """The start of a headline row as the board pack must print it: the indicator, then its
    value, interval, count and releases (written out here, not with dashboard.formatting)."""
    if row["status"] == "suppressed":
        return f"{row['title']} *"
    if row["status"] == "immature":
        return f"{row['title']} Not yet available (from {row['available_from']:%-d %b %Y})"
    unit = "%" if row["unit"] == "percent" else " per 100 releases"
    return (f"{row['title']} {row['value']:.1f}{unit} {row['lower_95']:.1f} to "
            f"{row['upper_95']:.1f} {row['numerator']:,} {row['denominator']:,}")


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_pdf_headline_rows_equal_kpi_values(packs: dict, sample_warehouse: Path, scope: str,
                                            code: str) -> None:
    text = _pdf_text(packs[code][".pdf"])
    assert "board pack" in text and PERIOD in text
    assert "SYNTHETIC SAMPLE DATA" in text
    table = _headline_table(text)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        rows = con.sql(
            "select d.title, d.unit, v.* from kpi_values v join kpi_definitions d "
            "on d.id = v.kpi_id where v.area_code = ? and v.period = ? and v.breakdown = 'all'",
            params=[code, PERIOD]).pl()
    assert rows.height == 10
    for row in rows.iter_rows(named=True):
        # Each figure right after its own indicator's name: a figure from another row (or '*'
        # anywhere in the pack) does not pass.
        assert _expected_row(row) in table, (row["kpi_id"], _expected_row(row))


def test_pdf_known_cells_of_the_sample(packs: dict) -> None:
    """Two cells of the committed synthetic sample, written out (London, 2024/25): change them
    only when data_samples/ or a KPI definition changes on purpose."""
    table = _headline_table(_pdf_text(packs["E12000007"][".pdf"]))
    assert "Settled accommodation on release 57.0% 55.1 to 58.8 1,535 2,694 " in table
    assert "Informed about services at reception 68.1% 66.4 to 69.8 1,946 2,858 " in table


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_every_chart_is_present(packs: dict, code: str, scope: str) -> None:
    html = packs[code][".html"].read_text()
    images_html = len(re.findall(r"<img src=\"data:image/png;base64,", html))
    reader = PdfReader(packs[code][".pdf"])
    images_pdf = sum(len(page.images) for page in reader.pages)
    # Tile maps (for KPIs with a mature year), ranked charts, Tier 4 and recovery trends and the
    # recommendations grid.
    assert images_html >= 6
    assert images_pdf == images_html


def test_html_is_self_contained_and_escaped(packs: dict) -> None:
    html = packs["E12000007"][".html"].read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html)


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_workbook_holds_only_published_figures(packs: dict, sample_warehouse: Path,
                                               scope: str, code: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(packs[code][".xlsx"].read_bytes()))
    assert {"Notes", "Definitions"} <= set(book.sheetnames)
    assert len(book.sheetnames) == 12  # ten KPIs, definitions and notes
    notes = " ".join(str(c.value) for c in book["Notes"]["A"] if c.value)
    assert "Synthetic" in notes and "suppressed" in notes
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        published = {
            (r[0], r[1], r[2], r[3], r[4]): r[5] for r in con.sql(
                "select period, area_name, breakdown, category, status, round(value, 6) "
                "from kpi_values where kpi_id = 'coc_21d'").fetchall()}
    sheet = book["Continuity of care (21 days)"]
    headings = [c.value for c in sheet[4]]
    assert sheet.freeze_panes == "C5"
    checked = 0
    for row in sheet.iter_rows(min_row=5, values_only=True):
        record = dict(zip(headings, row, strict=True))
        key = (record["Period"], record["Area"], record["Breakdown"], record["Category"],
               record["Status"])
        assert key in published, key
        if record["Status"] == "published":
            assert round(record["Value"], 6) == published[key]
        else:
            # Nothing numeric on a suppressed or immature row.
            assert all(not isinstance(record[h], int | float) for h in
                       ("Numerator", "Value", "Lower 95% CI", "Upper 95% CI")
                       if record["Status"] == "immature" or h != "Numerator"), record
            if record["Status"] == "suppressed":
                assert record["Value"] == "*"
                assert not isinstance(record["Numerator"], int | float)
        checked += 1
    assert checked > 0


def _workbook_row(path: Path, sheet: str, period: str, area: str) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    cells = book[sheet]
    headings = [c.value for c in cells[4]]
    rows = [dict(zip(headings, r, strict=True)) for r in cells.iter_rows(min_row=5,
                                                                          values_only=True)]
    found = [r for r in rows if (r["Period"], r["Area"], r["Breakdown"], r["Category"])
             == (period, area, "all", "all")]
    assert len(found) == 1, (sheet, period, area, len(found))
    return found[0]


def test_workbook_known_cells_of_the_sample(packs: dict) -> None:
    """Cells of the committed synthetic sample, read from their own row and column, written out
    (change them only when data_samples/ or a KPI definition changes on purpose)."""
    london = _workbook_row(packs["E12000007"][".xlsx"], "Settled accommodation on releas",
                           PERIOD, "London")
    assert (london["Numerator"], london["Denominator"], london["Status"]) == \
        (1535, 2694, "published")
    assert round(london["Value"], 1) == 57.0
    assert (round(london["Lower 95% CI"], 1), round(london["Upper 95% CI"], 1)) == (55.1, 58.8)
    city = _workbook_row(packs["E09000001"][".xlsx"], "Continuity of care (21 days)", PERIOD,
                         "City of London")
    assert [city[h] for h in ("Numerator", "Denominator", "Value", "Lower 95% CI")] == \
        ["*", "*", "*", "*"]
    assert city["Status"] == "suppressed"


def test_unknown_scope_or_period_is_a_clear_error(sample_warehouse: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    assert board_pack.main(["--period", PERIOD, "--scope", "Atlantis", "--out", str(tmp_path),
                            "--warehouse", str(sample_warehouse)]) == 2
    assert "not 'london' or a London local authority" in capsys.readouterr().err
    assert board_pack.main(["--period", "1999/00", "--scope", "london", "--out",
                            str(tmp_path), "--warehouse", str(sample_warehouse)]) == 2
