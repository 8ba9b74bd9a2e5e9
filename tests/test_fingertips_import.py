"""`python -m pipelines fingertips`, offline: fingertips-py's two calls answer from the responses
kept in tests/fingertips/, and the written extract loads through `build` as the England
comparator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import fingertips_py
import pandas as pd
import polars as pl
import pytest

from pipelines import cli
from pipelines.definitions.contracts import COMPARATOR_COLUMNS

HERE = Path(__file__).resolve().parent
RESPONSES = HERE / "fingertips"
SAMPLES = HERE.parent / "data_samples"


@pytest.fixture
def offline_fingertips(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    calls: list[tuple] = []

    def metadata() -> dict:
        calls.append(("metadata",))
        return json.loads((RESPONSES / "indicator_metadata_all.json").read_text())

    def data(indicator_ids, area_type_id, parent_area_type_id=15, profile_id=None,
             include_sortable_time_periods=None, is_test=False) -> pd.DataFrame:
        calls.append(("data", indicator_ids, area_type_id, parent_area_type_id))
        return pd.read_csv(RESPONSES / "all_data_by_indicator_id.csv", low_memory=False)

    monkeypatch.setattr(fingertips_py, "get_metadata_for_all_indicators", metadata)
    monkeypatch.setattr(fingertips_py, "get_data_by_indicator_ids", data)
    return calls


def test_command_finds_the_indicator_by_name_and_keeps_london_and_england(
        offline_fingertips: list[tuple], tmp_path: Path) -> None:
    out = tmp_path / "comparators.csv"
    assert cli.main(["fingertips", "--out", str(out)]) == 0
    # Searched by name: only 93588 matches the registry's comparator names.
    assert offline_fingertips == [("metadata",), ("data", [93588], 502, 6)]
    written = pl.read_csv(out, infer_schema=False)
    assert written.columns == list(COMPARATOR_COLUMNS)
    got = sorted(written.select("Area Code", "Time period", "Value").iter_rows())
    assert got == [
        ("E09000001", "2023/24", None),  # suppressed in the download, kept with its note
        ("E09000022", "2021/22", "35.0"), ("E09000022", "2022/23", "36.2"),
        ("E09000022", "2023/24", "38.1"),
        ("E12000007", "2021/22", "31.2"), ("E12000007", "2022/23", "34.9"),
        ("E12000007", "2023/24", "40.6"),
        ("E92000001", "2021/22", "37.4"), ("E92000001", "2022/23", "43.0"),
    ]  # no Kent, no female-only row, no deprivation category


def test_written_extract_builds_as_the_england_comparator(offline_fingertips: list[tuple],
                                                           tmp_path: Path) -> None:
    source = tmp_path / "extracts"
    shutil.copytree(SAMPLES, source)
    assert cli.main(["fingertips", "--out", str(source / "comparators.csv")]) == 0
    warehouse = tmp_path / "w.duckdb"
    assert cli.main(["build", "--source", str(source), "--warehouse", str(warehouse),
                     "--quiet"]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        england = con.sql("select period, value from kpi_values where kpi_id = 'coc_21d' and "
                          "area_type = 'england' order by period").fetchall()
    assert england == [("2021/22", 37.4), ("2022/23", 43.0)]


def test_no_matching_indicator_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fingertips_py, "get_metadata_for_all_indicators",
                        lambda: {"1": {"IID": 1, "Descriptive": {"Name": "Smoking"}}})
    assert cli.main(["fingertips", "--out", str(tmp_path / "c.csv")]) == 1
