"""A warehouse that holds no figures (a build that loaded no prison releases) is never a
traceback: every page says so plainly, and the Data and definitions page still shows the load."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import board_pack, components, site
from tests.conftest import APP, APP_TIMEOUT


@pytest.fixture(scope="module", params=["tables dropped", "tables emptied"])
def empty_warehouse(request: pytest.FixtureRequest, sample_warehouse: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse with every release-based figure taken out: as a build without
    releases publishes it (kpi_values empty, no flows or curve) or with those tables empty."""
    path = tmp_path_factory.mktemp("empty") / "warehouse.duckdb"
    shutil.copy(sample_warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute("delete from kpi_values")
        for table in ("release_flows", "engagement_curve"):
            con.execute(f"drop table {table}" if request.param == "tables dropped"
                        else f"delete from {table}")
    return path


@pytest.mark.parametrize("page", site.PAGES, ids=[p.file for p in site.PAGES])
def test_every_page_says_there_are_no_figures(page: site.PageSpec, empty_warehouse: Path,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_WAREHOUSE", str(empty_warehouse))
    monkeypatch.setenv("COC_APP_DB", str(tmp_path / "app.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    at.switch_page(f"views/{page.file}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [components.NO_FIGURES_TEXT]
    assert at.title[0].value == page.title
    if page == site.DATA_PAGE:
        headers = [h.value for h in at.header]
        assert "Latest load" in headers and "Load history" in headers


def test_the_board_pack_refuses_an_empty_warehouse_with_a_clear_message(
        empty_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_WAREHOUSE", str(empty_warehouse))  # main() sets it; restored after
    assert board_pack.main(["--out", str(tmp_path / "pack"),
                            "--warehouse", str(empty_warehouse)]) == 2
    assert "holds no published figures" in capsys.readouterr().err
    assert not (tmp_path / "pack").exists()
