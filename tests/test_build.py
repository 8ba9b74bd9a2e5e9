"""The build from a folder of extracts to a published warehouse (DESIGN §2, §3): the load report
and load history, several files and formats of one extract, duplicates, thousands of rows,
unreadable input (exit status 2, warehouse untouched) and the atomic swap, including a build
killed while it writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import outputs
from pipelines import warehouse as warehouse_module
from pipelines.build import run_build
from pipelines.ingest import ExtractError
from tests.helpers import (
    PROJECT,
    cli_command,
    cli_env,
    episode,
    file_hash,
    make_source,
    query,
    query_frame,
    release,
    row,
    run_cli,
    table_names,
    write_csv,
    write_parquet,
    write_xlsx,
    write_xlsx_sheets,
)

FILE_KEYS = {"extract", "path", "rows_read", "rows_loaded", "rows_rejected", "duplicates",
             "ignored_columns", "ignored_sheets"}
REJECT_KEYS = {"extract", "path", "row", "column", "reason"}
CONFLICT = "release_id is on more than one row with different values; all of them are rejected"


def build(source: Path, warehouse: Path, report: Path | None = None,
          cutoff: date | None = None):
    return run_build(source, warehouse, report, cutoff)


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table's rows, in a stable order: what any reader's queries could see."""
    return {
        name: sorted(query(warehouse, f'select * from "{name}"'), key=repr)
        for name in sorted(table_names(warehouse))
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building" in p.name)


@pytest.fixture
def mixed_source(tmp_path) -> Path:
    """prison_releases in a CSV and an XLSX (with an exact duplicate across them, one within the
    CSV, a bad row and an id on two different rows), community_episodes in Parquet."""
    source = tmp_path / "extracts"
    r4_in_excel = release(4, reception_date=date(2023, 1, 10), release_date=date(2023, 6, 1),
                          age=35)
    write_csv(source / "prison_releases_a.csv",
              [release(1), release(2), release(3, age="17"), release(4), release(2)],
              headings={"release_id": " Release_ID"})
    write_xlsx(source / "prison_releases_b.xlsx",
               [r4_in_excel | {"Notes": "n"}, release(5, prison="HMP/YOI Feltham", sex="M"),
                release(1, age="50") | {"Notes": ""}])
    write_parquet(source / "community_episodes.parquet",
                  pl.DataFrame([episode(1), episode(2, start_date="2023-07-01")]))
    (source / "readme.csv").write_text("not an extract\n")
    return source


def test_report_shape_counts_and_rejects(mixed_source, tmp_path):
    report_path = tmp_path / "out" / "report.json"
    warehouse = tmp_path / "warehouse.duckdb"
    result = build(mixed_source, warehouse, report_path)

    report = json.loads(report_path.read_text())
    assert report == json.loads(json.dumps(result.report, default=str))
    assert {"files", "rejects"} <= set(report)
    csv_path = str(mixed_source / "prison_releases_a.csv")
    xlsx_path = str(mixed_source / "prison_releases_b.xlsx")
    parquet_path = str(mixed_source / "community_episodes.parquet")
    files = {f["path"]: f for f in report["files"]}
    assert all(set(f) == FILE_KEYS for f in report["files"])
    assert files == {
        csv_path: {"extract": "prison_releases", "path": csv_path, "rows_read": 5,
                   "rows_loaded": 2, "rows_rejected": 2, "duplicates": 1, "ignored_columns": [],
                   "ignored_sheets": []},
        xlsx_path: {"extract": "prison_releases", "path": xlsx_path, "rows_read": 3,
                    "rows_loaded": 1, "rows_rejected": 1, "duplicates": 1,
                    "ignored_columns": ["Notes"], "ignored_sheets": []},
        parquet_path: {"extract": "community_episodes", "path": parquet_path, "rows_read": 2,
                       "rows_loaded": 2, "rows_rejected": 0, "duplicates": 0,
                       "ignored_columns": [], "ignored_sheets": []},
    }
    for f in report["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_rejected"] + f["duplicates"]
    assert all(set(r) == REJECT_KEYS for r in report["rejects"])
    assert [(r["path"], r["row"], r["column"], r["reason"]) for r in report["rejects"]] == [
        (csv_path, 2, "release_id", CONFLICT),
        (csv_path, 4, "age", "age must be a whole number from 18 to 100"),
        (xlsx_path, 4, "release_id", CONFLICT),
    ]
    assert {r["extract"] for r in report["rejects"]} == {"prison_releases"}
    assert report["unmatched_files"] == [str(mixed_source / "readme.csv")]
    assert sorted(result.staged["prison_releases"].good.get_column("release_id")) == \
        ["R2", "R4", "R5"]
    assert result.staged["prison_releases"].good.filter(pl.col("release_id") == "R5").select(
        "prison", "sex").row(0) == ("FMI", "male")


def test_load_history_holds_the_report_counts(mixed_source, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    result = build(mixed_source, warehouse)
    report = result.report

    runs = query_frame(warehouse, "select * from load_runs")
    assert runs.height == 1
    run = runs.row(0, named=True)
    assert run["run_id"] == result.run_id
    for column in ("rows_read", "rows_loaded", "rows_rejected", "duplicates"):
        assert run[column] == sum(f[column] for f in report["files"]), column
    assert (run["rows_read"], run["rows_loaded"], run["rows_rejected"], run["duplicates"]) == \
        (10, 5, 3, 2)
    assert run["files"] == 3
    assert run["data_cutoff"] == date(2023, 7, 1)

    files = query_frame(
        warehouse, "select extract, path, rows_read, rows_loaded, rows_rejected, duplicates, "
        "ignored_columns, run_id from load_files order by path"
    )
    assert files.rows() == sorted(
        (f["extract"], f["path"], f["rows_read"], f["rows_loaded"], f["rows_rejected"],
         f["duplicates"], ", ".join(f["ignored_columns"]), result.run_id)
        for f in report["files"]
    )
    rejects = query(warehouse, "select extract, path, row, \"column\", reason, run_id "
                               "from load_rejects order by path, row, \"column\"")
    assert rejects == [(r["extract"], r["path"], r["row"], r["column"], r["reason"],
                        result.run_id) for r in report["rejects"]]
    assert query(warehouse, "select data_cutoff, run_id from build_info") == [
        (date(2023, 7, 1), result.run_id)
    ]


def test_history_accumulates_across_builds(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    first = build(make_source(tmp_path / "one"), warehouse)
    second_source = make_source(tmp_path / "two", releases=[release(1), release(2, age="17"),
                                                            release(3)])
    second = build(second_source, warehouse)
    assert first.run_id != second.run_id
    runs = query(warehouse, "select run_id, source, rows_read, rows_rejected from load_runs "
                            "order by started_at")
    assert runs == [(first.run_id, str(tmp_path / "one"), 4, 0),
                    (second.run_id, str(tmp_path / "two"), 5, 1)]
    assert query(warehouse, "select run_id, count(*) from load_files group by run_id "
                            "order by min(path)") == [(first.run_id, 2), (second.run_id, 2)]
    assert query(warehouse, "select row, \"column\" from load_rejects where run_id = "
                            f"'{second.run_id}'") == [(3, "age")]
    assert query(warehouse, "select run_id from build_info") == [(second.run_id,)]


def test_record_level_tables_are_not_published(mixed_source, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    build(mixed_source, warehouse)
    names = table_names(warehouse)
    assert "prison_releases" not in names and "community_episodes" not in names
    assert {"load_runs", "load_files", "load_rejects", "build_info"} <= names
    record_columns = {"person_id", "release_id", "episode_id"}
    for name, column in query(warehouse, "select table_name, column_name from duckdb_columns()"):
        assert column not in record_columns, f"{name}.{column} is record-level"


def test_explicit_cutoff_rejects_later_releases(tmp_path):
    source = make_source(tmp_path / "src", releases=[
        release(1, release_date="2023-06-01"), release(2, release_date="2023-06-02"),
        release(3, release_date="2023-05-01"),
    ])
    result = build(source, tmp_path / "w.duckdb", cutoff=date(2023, 6, 1))
    assert [(r["row"], r["column"], r["reason"]) for r in result.report["rejects"]] == [
        (3, "release_date", "release_date is after the data cut-off")
    ]
    assert result.cutoff == date(2023, 6, 1)
    assert query(tmp_path / "w.duckdb", "select data_cutoff from build_info") == \
        [(date(2023, 6, 1),)]


def test_a_required_extract_missing(tmp_path):
    source = tmp_path / "src"
    write_csv(source / "prison_releases.csv", [release(1)])
    with pytest.raises(ExtractError, match="community_episodes"):
        build(source, tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


def _bad(i: int) -> dict[str, object]:
    """Row i, broken in one of several ways."""
    breakers = [
        {"age": "17"}, {"release_date": "2023-02-30"}, {"prison": "HMP Nowhere"},
        {"release_id": ""}, {"sex": "robot"}, {"peer_mentor": "perhaps"},
        {"release_budget_gbp": "-5"}, {"residence_la": "W06000015"},
        {"reception_date": "2023-12-01"},
    ]
    return release(i, **breakers[(i // 10) % len(breakers)])


def test_thousands_of_rows_every_tenth_bad(tmp_path):
    rows = [_bad(i) if i % 10 == 0 else release(i, age=str(18 + i % 70)) for i in range(1, 5001)]
    source = make_source(tmp_path / "src", releases=rows)
    report_path = tmp_path / "report.json"
    build(source, tmp_path / "w.duckdb", report_path)
    report = json.loads(report_path.read_text())
    releases = next(f for f in report["files"] if f["extract"] == "prison_releases")
    assert releases["rows_read"] == 5000
    assert releases["rows_loaded"] == 4500
    assert releases["rows_rejected"] == 500
    assert releases["duplicates"] == 0
    assert releases["rows_read"] == (releases["rows_loaded"] + releases["rows_rejected"]
                                     + releases["duplicates"])
    bad_rows = [i + 1 for i in range(1, 5001) if i % 10 == 0]  # data row i is file row i + 1
    assert sorted({r["row"] for r in report["rejects"]}) == bad_rows
    assert len(report["rejects"]) == 500  # one broken rule each
    assert query(tmp_path / "w.duckdb", "select count(*) from load_rejects") == [(500,)]


def test_a_workbook_read_from_several_sheets_is_reported_sheet_by_sheet(tmp_path):
    source = make_source(tmp_path / "src")
    book = write_xlsx_sheets(source / "services.xlsx", {
        "Cover": [["London recovery services"]],
        "Part 1": [row("services", service_id=f"S{i}") for i in range(1, 59)],
        "Part 2": [row("services", service_id=f"S{i}") for i in range(59, 117)],
    })
    warehouse, report_path = tmp_path / "w.duckdb", tmp_path / "report.json"
    done = run_cli(["build", "--source", str(source), "--warehouse", str(warehouse),
                    "--report", str(report_path), "--quiet"])
    assert done.returncode == 0, done.stderr
    assert query(warehouse, "select count(*) from services") == [(116,)]
    report = json.loads(report_path.read_text())
    parts = [(f["path"], f["rows_read"], f["ignored_sheets"]) for f in report["files"]
             if f["extract"] == "services"]
    assert parts == [(f"{book} [sheet Part 1]", 58, ["Cover"]),
                     (f"{book} [sheet Part 2]", 58, ["Cover"])]
    assert query(warehouse, "select path, ignored_sheets from load_files "
                            "where extract = 'services' order by path") == [
        (f"{book} [sheet Part 1]", "Cover"), (f"{book} [sheet Part 2]", "Cover")]
    notes = [line for line in done.stderr.splitlines() if line.startswith(f"note: {book}")]
    assert notes == [f"note: {book}: rows read from the sheets 'Part 1', 'Part 2'",
                     f"note: {book}: sheets without the services columns ignored: 'Cover'"]


# --- the command line --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def _good_build(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("good")
    warehouse, report = folder / "warehouse.duckdb", folder / "report.json"
    build(make_source(folder / "extracts"), warehouse, report)
    return warehouse, report


@pytest.fixture
def existing(_good_build, tmp_path) -> tuple[Path, Path]:
    """A good warehouse and its report in this test's folder (built once, copied)."""
    warehouse, report = tmp_path / "warehouse.duckdb", tmp_path / "report.json"
    shutil.copyfile(_good_build[0], warehouse)
    shutil.copyfile(_good_build[1], report)
    return warehouse, report


@pytest.mark.parametrize(("kind", "expected"), [
    ("garbage", "cannot be read as a CSV file (it is not UTF-8 text)"),
    ("missing_column", "missing required column(s) for prison_releases: age"),
    ("ragged", "cannot be read as a CSV file (a row has more values than the header has "
               "columns)"),
])
def test_cli_unreadable_input_exits_2_and_leaves_the_warehouse(tmp_path, existing, kind,
                                                              expected):
    warehouse, report = existing
    before, report_before = file_hash(warehouse), report.read_text()
    source = make_source(tmp_path / "bad")
    bad = source / "prison_releases.csv"
    if kind == "garbage":
        bad.write_bytes(bytes(range(256)) * 16)
    elif kind == "missing_column":
        write_csv(bad, [{k: v for k, v in release(1).items() if k != "age"}])
    else:
        bad.write_text(bad.read_text() + ",".join(["x"] * 30) + "\n")

    done = run_cli(["build", "--source", str(source), "--warehouse", str(warehouse),
                    "--report", str(report), "--quiet"])
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: {expected}"]
    assert "left unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert file_hash(warehouse) == before
    assert report.read_text() == report_before
    assert leftovers(tmp_path) == []


def test_cli_build_succeeds_and_writes_the_report(tmp_path):
    source = make_source(tmp_path / "src", releases=[release(1), release(2, age="101")])
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    report = tmp_path / "r" / "report.json"
    done = run_cli(["build", "--source", str(source), "--warehouse", str(warehouse),
                    "--report", str(report), "--cutoff", "2023-12-31", "--quiet"])
    assert done.returncode == 0, done.stderr
    assert "1 rows were rejected" in done.stderr
    data = json.loads(report.read_text())
    assert [(r["row"], r["column"]) for r in data["rejects"]] == [(3, "age")]
    assert query(warehouse, "select data_cutoff from build_info") == [(date(2023, 12, 31),)]


# --- the atomic swap -----------------------------------------------------------------------------

def test_a_build_failing_while_writing_leaves_the_old_warehouse(tmp_path, existing, monkeypatch):
    warehouse, _ = existing
    before_hash, before = file_hash(warehouse), snapshot(warehouse)
    written: list[str] = []
    real_write = warehouse_module.write_table

    def fail_after_first(con, name, frame):
        if written:
            raise RuntimeError("disk full")
        real_write(con, name, frame)
        written.append(name)

    monkeypatch.setattr(warehouse_module, "write_table", fail_after_first)
    with pytest.raises(RuntimeError, match="disk full"):
        build(make_source(tmp_path / "new", releases=[release(7)]), warehouse)
    assert written, "the failure came after a table was written"
    assert file_hash(warehouse) == before_hash
    assert snapshot(warehouse) == before
    assert leftovers(tmp_path) == []


def test_a_build_failing_in_outputs_leaves_the_old_warehouse(tmp_path, existing, monkeypatch):
    warehouse, _ = existing
    before_hash, before = file_hash(warehouse), snapshot(warehouse)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("bad KPI")

    monkeypatch.setattr(outputs, "published_tables", broken)
    with pytest.raises(ZeroDivisionError):
        build(make_source(tmp_path / "new", releases=[release(7)]), warehouse)
    assert file_hash(warehouse) == before_hash
    assert snapshot(warehouse) == before


def test_a_reader_of_the_old_warehouse_keeps_reading_it_during_a_rebuild(tmp_path, existing):
    import duckdb

    warehouse, _ = existing
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        old_run = reader.execute("select run_id from build_info").fetchone()
        new = build(make_source(tmp_path / "new", releases=[release(7)]), warehouse)
        assert reader.execute("select run_id from build_info").fetchone() == old_run
    assert query(warehouse, "select run_id from build_info") == [(new.run_id,)]


# Run inside the killed subprocess: after the first table is written, say so and hang, so the
# test can kill the build while its temporary file is half written.
_HANG_AFTER_FIRST_TABLE = """
import os, pathlib, time
import pipelines.warehouse as _warehouse
_real_write = _warehouse.write_table
def _write_then_hang(con, name, frame):
    _real_write(con, name, frame)
    pathlib.Path(os.environ["COC_TEST_MARKER"]).write_text(name)
    time.sleep(300)
_warehouse.write_table = _write_then_hang
"""


def test_a_build_killed_while_writing_leaves_the_old_warehouse(tmp_path, existing):
    warehouse, _ = existing
    before_hash, before = file_hash(warehouse), snapshot(warehouse)
    marker = tmp_path / "writing"
    source = make_source(tmp_path / "new", releases=[release(7), release(8)])
    env = cli_env() | {"COC_TEST_MARKER": str(marker)}
    process = subprocess.Popen(
        cli_command(["build", "--source", str(source), "--warehouse", str(warehouse), "--quiet"],
                    extra=_HANG_AFTER_FIRST_TABLE),
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    temp = warehouse.with_name(f"{warehouse.name}.building-{process.pid}")
    try:
        deadline = time.monotonic() + 60
        while not (marker.exists() and temp.exists()):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr \
                else "the build ended early"
            assert time.monotonic() < deadline, "the build never started writing"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert temp.exists()  # killed mid-write: the half-built file is there ...
    assert file_hash(warehouse) == before_hash  # ... and the warehouse is untouched
    assert snapshot(warehouse) == before

    later = build(source, warehouse)
    assert query(warehouse, "select run_id from build_info") == [(later.run_id,)]
    assert query(warehouse, "select count(*) from load_runs") == [(2,)]
    assert leftovers(tmp_path) == []  # the killed build's file is cleared away


def test_stale_temporary_files_of_live_processes_are_kept(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    dead = tmp_path / "w.duckdb.building-999999999"
    dead_wal = tmp_path / "w.duckdb.building-999999999.wal"
    alive = tmp_path / f"w.duckdb.building-{os.getppid()}"
    other = tmp_path / "other.duckdb.building-999999999"
    for path in (dead, dead_wal, alive, other):
        path.write_text("x")
    removed = warehouse_module.remove_stale_builds(warehouse)
    assert sorted(removed) == sorted([dead, dead_wal])
    assert alive.exists() and other.exists()


def test_no_raw_values_reach_the_report_or_the_load_history(tmp_path):
    secret = "Qx9-PRIVATE"
    rows = [release(1), release(2, prison=secret, sex=secret, age=secret, residence_la=secret,
                                release_date=secret, peer_mentor=secret)]
    source = make_source(tmp_path / "src", releases=rows,
                         episodes=[episode(1), episode(2, la=secret, setting=secret)])
    warehouse, report = tmp_path / "w.duckdb", tmp_path / "report.json"
    result = build(source, warehouse, report)
    assert len(result.report["rejects"]) == 8
    assert secret.lower() not in report.read_text().lower()
    for name in table_names(warehouse):
        for values in query(warehouse, f'select * from "{name}"'):
            assert not any(secret.lower() in str(v).lower() for v in values), name


# --- a build that would publish no releases ------------------------------------------------------

def _cli_build(source: Path, warehouse: Path, report: Path | None = None, *extra: str,
               python: str = "") -> subprocess.CompletedProcess[str]:
    args = ["build", "--source", str(source), "--warehouse", str(warehouse), "--quiet", *extra]
    if report is not None:
        args += ["--report", str(report)]
    return run_cli(args, extra=python)


def _refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a build refused with exit status 2 (and no traceback)."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert "left unchanged" in done.stderr
    return errors[0]


def test_cli_refuses_to_publish_when_a_cutoff_typo_rejects_every_release(tmp_path, existing):
    warehouse, report = existing
    before, report_before = file_hash(warehouse), report.read_text()
    source = make_source(tmp_path / "src", releases=[release(i) for i in range(1, 6)])
    error = _refused(_cli_build(source, warehouse, report, "--cutoff", "2003-06-01"))
    assert error == (
        f"error: {source / 'prison_releases.csv'}: no prison_releases row could be loaded "
        "(5 rows read, 5 rejected; most often: release_date is after the data cut-off, 5 rows; "
        "check --cutoff 2003-06-01); a warehouse without prison_releases is not published")
    assert file_hash(warehouse) == before
    assert report.read_text() == report_before
    assert leftovers(tmp_path) == []
    # Nothing is left locked: the corrected build runs.
    assert _cli_build(source, warehouse, report, "--cutoff", "2023-06-01").returncode == 0
    assert query(warehouse, "select count(*) from load_runs") == [(2,)]


@pytest.mark.parametrize("extract", ["prison_releases", "community_episodes"])
def test_cli_refuses_a_header_only_required_extract(tmp_path, existing, extract):
    warehouse, report = existing
    before = file_hash(warehouse)
    source = make_source(tmp_path / "src")
    path = source / f"{extract}.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    error = _refused(_cli_build(source, warehouse, report))
    assert error == (f"error: {path}: no {extract} row could be loaded (the file has no rows); "
                     f"a warehouse without {extract} is not published")
    assert file_hash(warehouse) == before


def test_run_build_refuses_no_releases_before_writing(tmp_path):
    source = make_source(tmp_path / "src", releases=[release(1, age="17")])
    with pytest.raises(ExtractError, match="no prison_releases row could be loaded"):
        build(source, tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


# --- paths checked before building ---------------------------------------------------------

def _paths(tmp_path: Path, case: str, warehouse: Path, report: Path) -> tuple[Path, Path, str]:
    """(warehouse, report, expected error) for each kind of bad path."""
    if case == "report_is_a_folder":
        folder = tmp_path / "reports"
        folder.mkdir()
        return warehouse, folder, f"error: the report {folder} is a folder, not a file"
    if case == "report_under_a_file":
        blocker = tmp_path / "blocker.txt"
        blocker.write_text("x")
        return warehouse, blocker / "report.json", (
            f"error: cannot write the report {blocker / 'report.json'}: {blocker} is not a folder")
    if case == "warehouse_is_a_folder":
        folder = tmp_path / "wh.duckdb"
        folder.mkdir()
        return folder, report, f"error: the warehouse {folder} is a folder, not a file"
    if case == "report_is_the_warehouse":
        return warehouse, warehouse.parent / ".." / warehouse.parent.name / warehouse.name, (
            f"error: the report and the warehouse are the same file "
            f"({warehouse.parent / '..' / warehouse.parent.name / warehouse.name})")
    blocker = tmp_path / "blocker.txt"
    blocker.write_text("x")
    return blocker / "w.duckdb", report, (
        f"error: cannot write the warehouse {blocker / 'w.duckdb'}: {blocker} is not a folder")


@pytest.mark.parametrize("case", ["report_is_a_folder", "report_under_a_file",
                                  "warehouse_is_a_folder", "warehouse_under_a_file",
                                  "report_is_the_warehouse"])
def test_cli_bad_output_paths_are_refused_before_building(tmp_path, existing, case):
    warehouse, report = existing
    before, report_before = file_hash(warehouse), report.read_text()
    target, report_target, expected = _paths(tmp_path, case, warehouse, report)
    done = _cli_build(make_source(tmp_path / "src"), target, report_target)
    assert _refused(done) == expected
    assert "reading" not in done.stderr  # refused before any file was read
    assert file_hash(warehouse) == before
    assert report.read_text() == report_before
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_cli_an_unwritable_warehouse_folder_is_refused(tmp_path, existing):
    warehouse, _ = existing
    before = file_hash(warehouse)
    warehouse.parent.chmod(0o555)
    try:
        error = _refused(_cli_build(make_source(tmp_path / "src"), warehouse))
    finally:
        warehouse.parent.chmod(0o755)
    assert error.startswith(f"error: cannot write the warehouse {warehouse}: ")
    assert file_hash(warehouse) == before


def test_the_report_is_written_before_the_swap(tmp_path, existing, monkeypatch):
    """A report that cannot be written stops the build before the warehouse is replaced; a
    build that fails while publishing leaves the old report."""
    warehouse, report = existing
    before, report_before = file_hash(warehouse), report.read_text()
    source = make_source(tmp_path / "new", releases=[release(7)])
    swaps: list[Path] = []
    real_publish = warehouse_module.publish

    def publish_noting_the_report(path, tables):
        staged_reports = [p for p in report.parent.iterdir() if p.name.startswith(".report")]
        swaps.append(staged_reports)
        real_publish(path, tables)

    monkeypatch.setattr(warehouse_module, "publish", publish_noting_the_report)
    build(source, warehouse, report)
    assert len(swaps) == 1 and len(swaps[0]) == 1  # the report was written before the swap
    assert json.loads(report.read_text())["files"][0]["path"].startswith(str(source))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]

    after, report_after = file_hash(warehouse), report.read_text()

    def disk_full(path, tables):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warehouse_module, "publish", disk_full)
    with pytest.raises(OSError):
        build(source, warehouse, report)
    assert report.read_text() == report_after and file_hash(warehouse) == after
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]
    assert report_before != report_after and before != after


# --- one build at a time -------------------------------------------------------------------------

# Run inside the first build: after its first table is written, say so and wait until the test
# lets it go on, so a second build can be started while the first is certainly running.
_PAUSE_AFTER_FIRST_TABLE = """
import os, pathlib, time
import pipelines.warehouse as _warehouse
_real_write = _warehouse.write_table
def _write_then_wait(con, name, frame):
    _real_write(con, name, frame)
    marker = pathlib.Path(os.environ["COC_TEST_MARKER"])
    if not marker.exists():
        marker.write_text(name)
        go = pathlib.Path(os.environ["COC_TEST_GO"])
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
_warehouse.write_table = _write_then_wait
"""


def test_two_builds_at_once_the_second_is_refused_and_no_load_is_lost(tmp_path, existing):
    warehouse, _ = existing
    marker, go = tmp_path / "writing", tmp_path / "go"
    first_source = make_source(tmp_path / "first", releases=[release(7), release(8)])
    second_source = make_source(tmp_path / "second", releases=[release(9)])
    env = cli_env() | {"COC_TEST_MARKER": str(marker), "COC_TEST_GO": str(go)}
    first = subprocess.Popen(
        cli_command(["build", "--source", str(first_source), "--warehouse", str(warehouse),
                     "--quiet"], extra=_PAUSE_AFTER_FIRST_TABLE),
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert first.poll() is None, first.stderr.read() if first.stderr else "ended early"
            assert time.monotonic() < deadline, "the first build never started writing"
            time.sleep(0.01)
        second = _cli_build(second_source, warehouse)
        assert _refused(second) == (
            f"error: another build of {warehouse} is running (pid {first.pid}); "
            "wait for it to finish, then build again")
    finally:
        go.write_text("go")
        _, first_errors = first.communicate(timeout=120)
    assert first.returncode == 0, first_errors
    assert _cli_build(second_source, warehouse).returncode == 0
    sources = [r[0] for r in query(warehouse, "select source from load_runs order by started_at")]
    assert sources[1:] == [str(first_source), str(second_source)]  # both loads kept


# --- free text -------------------------------------------------------------------------------

def test_a_huge_free_text_value_is_rejected_and_never_published(tmp_path):
    source = make_source(tmp_path / "src")
    huge = "Q" * 20_000_000
    write_csv(source / "lived_experience_feedback.csv", [
        row("lived_experience_feedback"),
        row("lived_experience_feedback", feedback_id="F2", quote=huge)])
    warehouse, report = tmp_path / "w.duckdb", tmp_path / "report.json"
    done = _cli_build(source, warehouse, report)
    assert done.returncode == 0, done.stderr
    assert [(r["row"], r["column"], r["reason"]) for r in json.loads(report.read_text())["rejects"]
            ] == [(3, "quote", "quote is longer than 5,000 characters")]
    assert query(warehouse, "select count(*), max(length(coalesce(quote, ''))) "
                            "from lived_experience_feedback") == [(1, 0)]
    assert report.stat().st_size < 100_000


def test_a_folder_that_refuses_new_files_is_found_before_building(tmp_path, existing,
                                                                   monkeypatch):
    """What an unwritable folder does (root is not refused by permissions, so the refusal
    itself is simulated): the build stops before reading anything."""
    warehouse, _ = existing
    before = file_hash(warehouse)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(warehouse_module.tempfile, "TemporaryFile", refuse)
    with pytest.raises(warehouse_module.PublishError) as raised:
        build(make_source(tmp_path / "src"), warehouse)
    assert str(raised.value) == (f"cannot write the warehouse {warehouse}: cannot create a file "
                                 f"in {warehouse.parent} (Permission denied)")
    assert file_hash(warehouse) == before


@pytest.mark.parametrize("quiet", [False, True])
def test_the_command_line_shows_each_stage_with_its_rows_and_seconds_unless_quiet(
        tmp_path, quiet) -> None:
    source = make_source(tmp_path / "src", releases=[release(1), release(2)])
    done = run_cli(["build", "--source", str(source), "--warehouse", str(tmp_path / "w.duckdb"),
                    *(["--quiet"] if quiet else [])])
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("  ")]
    if quiet:
        assert progress == []
        return
    assert "  reading prison_releases.csv ..." in progress
    assert any(re.fullmatch(r"  reading prison_releases\.csv done in \d+\.\d s: 2 rows", line)
               for line in progress), progress
    for stage in ("validating prison_releases", "linking journeys", "computing KPIs",
                  "publishing"):
        assert any(line.startswith(f"  {stage}") and " done in " in line
                   for line in progress), (stage, progress)


def test_a_build_times_every_stage_in_wall_and_cpu_seconds(tmp_path) -> None:
    result = build(make_source(tmp_path / "src", releases=[release(1)]), tmp_path / "w.duckdb")
    stages = {"read", "validate", "journeys", "kpis", "publish"}
    assert set(result.timings) == set(result.cpu_timings) == stages
    assert all(seconds >= 0 for seconds in [*result.timings.values(),
                                            *result.cpu_timings.values()])
