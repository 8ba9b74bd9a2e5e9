"""Importing into the app store checks the imported history as a whole: forged or impossible
audit rows and entry versions are refused (and nothing is imported); and the store's files are
readable by their owner only."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from dashboard import store
from tests.test_store import ADMIN_ACTOR, PARTNER, REVIEW, REVIEWER, UPDATE

Frames = tuple[pl.DataFrame, pl.DataFrame]


@pytest.fixture
def exported(tmp_path: Path) -> Iterator[Frames]:
    """(entries, audit log) exported from a store with a created, an edited and a withdrawn
    entry, as text frames."""
    source = store.app_store(tmp_path / "source.duckdb")
    first = source.record("update", UPDATE, PARTNER)
    source.edit(first.entry_id, {**UPDATE, "rag": "green"}, PARTNER)
    gone = source.record("review", REVIEW, REVIEWER)
    source.withdraw(gone.entry_id, ADMIN_ACTOR, "duplicate")
    entries_csv, audit_csv = source.export_csv()
    source.close()
    yield (pl.read_csv(entries_csv, infer_schema=False),
           pl.read_csv(audit_csv, infer_schema=False))


@pytest.fixture(params=["duckdb", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[store.AppStore]:
    """A store holding one review, on each backend."""
    location = (tmp_path / "target.duckdb" if request.param == "duckdb"
                else request.getfixturevalue("postgres_url"))
    opened = store.app_store(location)
    opened.record("review", REVIEW, REVIEWER)  # something already here, to stay untouched
    yield opened
    opened.close()


def _csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


def _import(target: store.AppStore, entries: pl.DataFrame,
            audit: pl.DataFrame | None) -> store.ImportResult:
    before = (target.versions(), target.audit_log())
    result = target.import_csv(_csv(entries), ADMIN_ACTOR,
                               None if audit is None else _csv(audit), source="test")
    if result.rejected:
        assert target.versions().equals(before[0]) and target.audit_log().equals(before[1])
    return result


def _first(frame: pl.DataFrame, **where: str) -> int:
    mask = pl.lit(True)
    for column, value in where.items():
        mask = mask & (pl.col(column) == value)
    return frame.with_row_index().filter(mask).get_column("index")[0]


def _set(frame: pl.DataFrame, row: int, **values: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column))
        .alias(column) for column, value in values.items())


def test_a_consistent_export_imports_whole_with_one_import_event(exported: Frames,
                                                                 target) -> None:
    entries, audit = exported
    result = _import(target, entries, audit)
    assert (result.added, result.audit_added, result.rejected) == (4, 4, [])
    events = target.audit_log().filter(pl.col("action") == store.IMPORT)
    assert events.height == 1 and events.row(0, named=True)["who"] == ADMIN_ACTOR.identity


def test_a_store_holding_part_of_the_history_takes_the_rest(exported: Frames, tmp_path) -> None:
    entries, audit = exported
    first_version = entries.filter(pl.col("version") == "1", pl.col("kind") == "update")
    its_audit = audit.filter(pl.col("action") == "create",
                             pl.col("entry_id") == first_version["entry_id"][0])
    part = store.app_store(tmp_path / "part.duckdb")
    try:
        assert _import(part, first_version, its_audit).added == 1
        result = _import(part, entries, audit)
        assert (result.added, result.already_present, result.rejected) == (3, 1, [])
    finally:
        part.close()


def test_a_withdrawal_of_an_entry_that_does_not_exist_is_refused(exported: Frames,
                                                                target) -> None:
    entries, audit = exported
    forged = pl.DataFrame({"audit_id": ["99"], "action": ["withdraw"],
                           "entry_id": ["APP-REV-DOESNOTEXIST"], "version": ["2"],
                           "who": ["ceo@invented.example"],
                           "happened_at": ["2020-01-01T09:00:00"], "details": ["{}"]})
    result = _import(target, entries, pl.concat([audit, forged]))
    assert result.added == 0
    assert result.rejected == [
        "audit row withdraw APP-REV-DOESNOTEXIST version 2: there is no such entry version"]


FORGERIES: dict[str, tuple[Callable[[Frames], Frames], str]] = {
    "someone else did it": (
        lambda f: (f[0], _set(f[1], _first(f[1], action="edit"), who="boss@ohid.example")),
        "recorded by partner@london.example, not boss@ohid.example"),
    "backdated": (
        lambda f: (f[0], _set(f[1], _first(f[1], action="edit"),
                              happened_at="2020-03-01T10:00:00")),
        "the version was recorded at"),
    "wrong action": (
        lambda f: (f[0], _set(f[1], _first(f[1], action="edit"), action="create")),
        "that version is a edit"),
    "second audit row for one version": (
        lambda f: (f[0], pl.concat([f[1], _set(f[1], _first(f[1], action="create"),
                                               details='{"kind": "again"}')
                                    .slice(_first(f[1], action="create"), 1)])),
        "already has its audit row"),
    "version without its audit row": (
        lambda f: (f[0], f[1].filter(pl.col("action") != "edit")),
        "no audit row for it"),
    "gap in versions": (
        lambda f: (f[0].filter(~((pl.col("kind") == "update") & (pl.col("version") == "1"))),
                   f[1]),
        "version(s) 1 missing"),
    "version after a withdrawal": (
        lambda f: (pl.concat([f[0], _set(f[0], _first(f[0], withdrawn="true"),
                                         version="3", withdrawn="false")
                              .slice(_first(f[0], withdrawn="true"), 1)]), None),
        "a version follows its withdrawal"),
    "recorded in the future": (
        lambda f: (_set(f[0], _first(f[0], kind="update", version="2"),
                        recorded_at=(datetime.now() + timedelta(days=30)).isoformat()), None),
        "recorded in the future"),
    "versions out of order in time": (
        lambda f: (_set(f[0], _first(f[0], kind="update", version="2"),
                        recorded_at="2021-01-01T00:00:00"), None),
        "a later version was recorded before an earlier one"),
    "an update under a review's id": (
        lambda f: (f[0].with_columns(pl.col("entry_id").str.replace("APP-UPD-", "APP-REV-")),
                   None),
        "not an id of a recommendation update"),
    "an import row for no version": (
        lambda f: (f[0], pl.concat([f[1], _set(f[1], 0, action="import",
                                               entry_id="APP-UPD-NOPE").slice(0, 1)])),
        "there is no such entry version"),
}


@pytest.mark.parametrize("case", list(FORGERIES))
def test_an_impossible_history_is_refused_and_nothing_is_imported(case: str, exported: Frames,
                                                                  target) -> None:
    change, problem = FORGERIES[case]
    entries, audit = change(exported)
    result = _import(target, entries, audit)
    assert result.added == 0 and result.audit_added == 0
    assert any(problem in line for line in result.rejected), result.rejected


def test_the_command_line_refuses_a_forged_history_with_exit_2(exported: Frames, tmp_path,
                                                               capsys) -> None:
    entries, audit = exported
    folder = tmp_path / "forged"
    folder.mkdir()
    (folder / store.ENTRIES_FILE).write_bytes(_csv(entries))
    (folder / store.AUDIT_FILE).write_bytes(_csv(
        _set(audit, _first(audit, action="edit"), who="boss@ohid.example")))
    db = tmp_path / "cli.duckdb"
    assert store.main(["--db", str(db), "import", "--from", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Nothing was imported" in err and "not boss@ohid.example" in err


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_and_its_exports_are_readable_by_their_owner_only(tmp_path) -> None:
    path = tmp_path / "private" / "app.duckdb"
    app = store.app_store(path)
    try:
        app.record("review", REVIEW, REVIEWER)
        wal = path.with_name(path.name + ".wal")
        assert _mode(path) == 0o600
        assert not wal.exists() or _mode(wal) == 0o600
        written = app.export_to(tmp_path / "backup")
        assert [_mode(p) for p in written] == [0o600, 0o600]
    finally:
        app.close()
    assert _mode(path) == 0o600


def test_a_store_made_readable_by_others_is_tightened_when_opened(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    app = store.app_store(path)
    app.record("review", REVIEW, REVIEWER)
    app.close()
    path.chmod(0o644)
    reopened = store.app_store(path)
    try:
        assert reopened.entries().height == 1
        assert _mode(path) == 0o600
    finally:
        reopened.close()
