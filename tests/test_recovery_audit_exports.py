"""The Recovery Audit in the board pack and the workbook, and R8 beside R8 on the tracker:
present with the current round's figures when a round exists, absent when none does."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dashboard import data, store
from dashboard.exports import content, pdf, webpage, workbook
from dashboard.recovery_audit import records, results, sample, scoring
from tests.test_app_recovery_audit import SAMPLES, open_page

HACKNEY = "E09000012"


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path):
    monkeypatch.setenv(store.APP_DB_ENV, str(tmp_path / "app.duckdb"))
    monkeypatch.setenv(data.WAREHOUSE_ENV, str(sample_warehouse))
    app = store.app_store()
    sample.seed(app, SAMPLES, scoring.directory(data.services(), data.prisons(),
                                                data.local_authorities()))
    yield app
    app.close()


def test_the_board_pack_has_the_audit_of_the_current_round(seeded) -> None:
    pack = content.build_pack("2024/25", HACKNEY)
    titles = [s.title for s in pack.sections]
    assert "Recovery audit (R7): Hackney, round 2025-26" in titles
    section = pack.sections[titles.index("Recovery audit (R7): Hackney, round 2025-26")]
    directory = scoring.directory(data.services(), data.prisons(), data.local_authorities())
    expected = results.compute(records.answers(seeded), records.rounds(seeded),
                               records.frameworks(seeded), directory, "2025-26", results.AREA,
                               HACKNEY)
    assert section.table.equals(results.scores_table(expected))
    assert any("synthetic sample" in line for line in section.text)
    assert any(line.startswith("Training by experts by experience (R8)")
               for line in section.text)
    assert "Recovery audit (R7)" in webpage.to_html(pack)
    assert pdf.to_pdf(pack)[:5] == b"%PDF-"


def test_the_workbook_has_the_audit_sheet(seeded) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook.to_xlsx("london", "2024/25")))
    assert workbook.AUDIT_SHEET in book.sheetnames
    cells = [c for row in book[workbook.AUDIT_SHEET].iter_rows(values_only=True)
             for c in row if c is not None]
    assert "Recovery audit (R7): London, round 2025-26" in cells
    for heading in ("Domain scores", "Where the two views disagree", "Change since 2024-25",
                    "Best practice across London", "Training by experts by experience (R8)"):
        assert heading in cells
    contents = [c.value for c in book[workbook.CONTENTS]["A"] if c.value]
    assert workbook.AUDIT_SHEET in contents


def test_without_a_round_the_exports_leave_the_audit_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path) -> None:
    monkeypatch.setenv(store.APP_DB_ENV, str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv(data.WAREHOUSE_ENV, str(sample_warehouse))
    assert content.recovery_audit_sections(HACKNEY, "Hackney") == []
    book = openpyxl.load_workbook(io.BytesIO(workbook.to_xlsx("london", "2024/25")))
    assert workbook.AUDIT_SHEET not in book.sheetnames


def test_r8_on_the_tracker_shows_the_training_and_links_to_the_audit(
        seeded, local_browser: None) -> None:
    at = open_page()
    at.switch_page("views/recommendations.py").run()
    at.selectbox(key="item").set_value("R8").run()
    assert not at.exception
    tables = [pl.from_pandas(d.value) for d in at.dataframe if "Sessions" in d.value.columns]
    assert len(tables) == 1 and tables[0]["Sessions"].sum() == records.training(seeded).height
