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

from dashboard import board_pack, formatting

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


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_pdf_headlines_equal_kpi_values(packs: dict, sample_warehouse: Path, scope: str,
                                        code: str) -> None:
    pages = PdfReader(packs[code][".pdf"]).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "board pack" in text and PERIOD in text
    assert "SYNTHETIC SAMPLE DATA" in text
    rows = _values(sample_warehouse, area_code=code, period=PERIOD, breakdown="all")
    for row in rows.iter_rows(named=True):
        shown = formatting.display_value(row["value"], row["status"],
                                         "rate_per_100" if row["kpi_id"] == "tier4_on_release"
                                         else "percent", row["available_from"])
        assert shown.split(" (")[0] in text, (row["kpi_id"], shown)


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


def test_unknown_scope_or_period_is_a_clear_error(sample_warehouse: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    assert board_pack.main(["--period", PERIOD, "--scope", "Atlantis", "--out", str(tmp_path),
                            "--warehouse", str(sample_warehouse)]) == 2
    assert "not 'london' or a London local authority" in capsys.readouterr().err
    assert board_pack.main(["--period", "1999/00", "--scope", "london", "--out",
                            str(tmp_path), "--warehouse", str(sample_warehouse)]) == 2
