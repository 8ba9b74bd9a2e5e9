"""The app store on PostgreSQL across processes (a real server: tests/postgres_server.py), the
DuckDB default's refusal of a second writing process, schema upgrades in place, moving a store
from DuckDB to PostgreSQL, and no password ever shown."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest

from dashboard import store
from dashboard.store import backends, schema
from tests.test_store import ADMIN_ACTOR, PARTNER, REVIEW, REVIEWER, UPDATE

PROCESSES = 4
WRITES_EACH = 250
EDITS_EACH = 25
RESULT_TIMEOUT_S = 300
PASSWORD = "s3cret-Pa55"

# The schema exactly as the store created it before schema versions (dashboard/store.py at
# c8c06d3^): an existing store of that shape must upgrade in place.
UNVERSIONED_SCHEMA = """
create table entries (
    entry_id varchar not null, version integer not null, kind varchar not null,
    recommendation_id varchar not null, scope varchar not null, reported_on date,
    status varchar, rag varchar, milestone varchar, next_step varchar, owner varchar,
    evidence varchar, reviewed_on date, panel varchar, rating integer, comment varchar,
    recorded_by varchar not null, recorded_at timestamp not null, withdrawn boolean not null,
    primary key (entry_id, version));
create sequence audit_ids;
create table audit_log (
    audit_id bigint primary key default nextval('audit_ids'), action varchar not null,
    entry_id varchar not null, version integer not null, who varchar not null,
    happened_at timestamp not null, details varchar);
insert into entries values ('APP-REV-OLD000000001', 1, 'review', 'R4', 'E12000007', null, null,
    null, null, null, null, null, '2024-02-01', 'London EbE group', 3, 'Before versions.',
    'ebe@voices.example', '2025-01-02 03:04:05.123456', false);
insert into audit_log (action, entry_id, version, who, happened_at, details) values
    ('create', 'APP-REV-OLD000000001', 1, 'ebe@voices.example', '2025-01-02 03:04:05.123456',
     '{"kind": "review"}');
"""


# --- Several processes ------------------------------------------------------------------------

def _writer(location: str, start: multiprocessing.Event, results: multiprocessing.Queue,
            writes: int) -> None:
    """One OS process: `writes` reviews through the public API, counting what was refused."""
    opened = store.app_store(location)
    try:
        opened.entries()  # connect (PostgreSQL) before the start, so the writes overlap
    except store.StoreUnavailable:
        pass  # DuckDB: another process holds the file; its writes are counted below
    start.wait()
    written, refused, reasons = [], 0, set()
    for n in range(writes):
        try:
            written.append(opened.record("review", {**REVIEW, "comment": f"w{n}"},
                                         REVIEWER).entry_id)
        except store.StoreUnavailable as error:
            refused += 1
            reasons.add(str(error))
    opened.close()
    results.put((written, refused, sorted(reasons)))


def _editor(location: str, entry_id: str, start: multiprocessing.Event,
            results: multiprocessing.Queue, edits: int) -> None:
    opened = store.app_store(location)
    opened.entries()
    start.wait()
    versions = [opened.edit(entry_id, {**REVIEW, "comment": f"edit {n}"}, REVIEWER).version
                for n in range(edits)]
    opened.close()
    results.put(versions)


def _run_processes(target, args: tuple) -> list:
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=target, args=(*args[:-1], start, results, args[-1]))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    start.set()
    try:
        found = [results.get(timeout=RESULT_TIMEOUT_S) for _ in processes]
    except queue.Empty:
        pytest.fail("a writing process did not report")
    finally:
        for process in processes:
            process.join(timeout=RESULT_TIMEOUT_S)
    assert all(p.exitcode == 0 for p in processes)
    return found


def test_four_processes_writing_250_each_on_postgresql_lose_and_refuse_nothing(
        postgres_url: str) -> None:
    found = _run_processes(_writer, (postgres_url, WRITES_EACH))
    written = [entry for ids, _, _ in found for entry in ids]
    assert sum(refused for _, refused, _ in found) == 0
    assert len(written) == len(set(written)) == PROCESSES * WRITES_EACH
    opened = store.app_store(postgres_url)
    try:
        entries, audit = opened.entries(), opened.audit_log()
        assert entries.height == 1_000 and audit.height == 1_000
        assert set(entries["entry_id"]) == set(written)
        assert audit.filter(pl.col("action") == "create")["entry_id"].n_unique() == 1_000
        assert audit["audit_id"].n_unique() == 1_000
    finally:
        opened.close()


def test_the_duckdb_default_refuses_a_second_writing_process_clearly(tmp_path: Path) -> None:
    """The documented limit of the embedded default: one process writes the file. Writes from
    the others are refused with StoreUnavailable (never lost, never half-written)."""
    path = str(tmp_path / "app.duckdb")
    found = _run_processes(_writer, (path, WRITES_EACH))
    written = [entry for ids, _, _ in found for entry in ids]
    refused = sum(count for _, count, _ in found)
    reasons = {reason for _, _, rs in found for reason in rs}
    assert refused > 0 and len(written) + refused == PROCESSES * WRITES_EACH
    assert reasons and all("cannot be opened" in r and "Conflicting lock" in r
                           and "PostgreSQL" in r for r in reasons), reasons
    opened = store.app_store(Path(path))
    try:
        assert set(opened.entries()["entry_id"]) == set(written)
        assert opened.audit_log().height == len(written)
    finally:
        opened.close()


def test_processes_editing_one_entry_queue_and_every_version_is_kept(postgres_url: str) -> None:
    opened = store.app_store(postgres_url)
    first = opened.record("review", REVIEW, REVIEWER)
    found = _run_processes(_editor, (postgres_url, first.entry_id, EDITS_EACH))
    numbers = sorted(v for versions in found for v in versions)
    assert numbers == list(range(2, PROCESSES * EDITS_EACH + 2))  # none lost, none twice
    versions = opened.versions(first.entry_id)
    assert versions["version"].to_list() == list(range(1, PROCESSES * EDITS_EACH + 2))
    assert versions["recorded_at"].is_sorted()
    audit = opened.audit_log().filter(pl.col("entry_id") == first.entry_id)
    assert sorted(audit["version"].to_list()) == versions["version"].to_list()
    opened.close()


# --- One transaction --------------------------------------------------------------------------

def test_an_entry_whose_audit_row_fails_is_not_stored(postgres_url: str) -> None:
    opened = store.app_store(postgres_url)
    opened.record("review", REVIEW, REVIEWER)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("alter table audit_log add constraint refuse_one "
                           "check (who <> 'blocked@voices.example')")
    blocked = store.Actor("blocked@voices.example", REVIEWER.roles)
    with pytest.raises(psycopg.errors.CheckViolation):
        opened.record("review", REVIEW, blocked)
    assert opened.versions().height == 1 and opened.audit_log().height == 1
    opened.close()


# --- Schema versions --------------------------------------------------------------------------

def _schema_rows(opened: store.AppStore) -> list[int]:
    rows = opened.backend.read("select version from store_schema order by version")
    return [r["version"] for r in rows]


@pytest.fixture(params=["duckdb", "postgres"])
def unversioned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A store as the app made it before schema versions, holding one review."""
    if request.param == "duckdb":
        location: Path | str = tmp_path / "old.duckdb"
        with duckdb.connect(str(location)) as connection:
            connection.execute(UNVERSIONED_SCHEMA)
    else:
        location = request.getfixturevalue("postgres_url")
        with psycopg.connect(location, autocommit=True) as connection:
            connection.execute(UNVERSIONED_SCHEMA)
    yield location


def test_a_store_made_before_schema_versions_upgrades_in_place(unversioned) -> None:
    opened = store.app_store(unversioned)
    try:
        before = opened.versions()
        assert before["entry_id"].to_list() == ["APP-REV-OLD000000001"]
        assert _schema_rows(opened) == list(range(1, store.SCHEMA_VERSION + 1))
        written = opened.record("review", REVIEW, REVIEWER)
        opened.edit("APP-REV-OLD000000001", {**REVIEW, "rating": 5}, REVIEWER)
        audit = opened.audit_log()
        assert audit["audit_id"].to_list() == [1, 2, 3]  # the old sequence carries on
        assert audit["entry_id"].to_list() == ["APP-REV-OLD000000001", written.entry_id,
                                               "APP-REV-OLD000000001"]
        opened.close()
        again = store.app_store(unversioned)  # a second start applies nothing twice
        assert _schema_rows(again) == list(range(1, store.SCHEMA_VERSION + 1))
        assert again.versions().height == 3
    finally:
        store.app_store(unversioned).close()


def test_a_store_made_by_a_newer_app_is_refused(postgres_url: str) -> None:
    opened = store.app_store(postgres_url)
    opened.entries()
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("insert into store_schema values (%s, 'from_the_future', now())",
                           [store.SCHEMA_VERSION + 1])
    opened.close()
    with pytest.raises(store.StoreUnavailable, match="newer version of the app"):
        store.app_store(postgres_url).entries()


def test_migration_steps_are_numbered_in_order_and_split_into_statements() -> None:
    steps = schema.steps()
    assert [s.version for s in steps] == list(range(1, store.SCHEMA_VERSION + 1))
    assert steps[0].statements()[0].startswith("create table if not exists entries")


# --- Moving a store ---------------------------------------------------------------------------

def test_export_from_duckdb_import_into_postgresql_export_again_is_identical(
        tmp_path: Path, postgres_url: str) -> None:
    source = store.app_store(tmp_path / "app.duckdb")
    first = source.record("update", UPDATE, PARTNER)
    source.edit(first.entry_id, {**UPDATE, "rag": "green"}, PARTNER)
    source.record("review", {**REVIEW, "comment": "=SUM(A1) 'quoted', \"both\"\nlines"},
                  REVIEWER)
    gone = source.record("review", REVIEW, REVIEWER)
    source.withdraw(gone.entry_id, ADMIN_ACTOR, "duplicate")
    out = tmp_path / "from-duckdb"
    assert store.main(["--db", str(source.path), "export", "--out", str(out)]) == 0
    source.close()
    assert store.main(["--db", postgres_url, "import", "--from", str(out), "--who", "mover"]) == 0
    again = tmp_path / "from-postgresql"
    assert store.main(["--db", postgres_url, "export", "--out", str(again)]) == 0
    entries = (out / store.ENTRIES_FILE).read_bytes()
    assert (again / store.ENTRIES_FILE).read_bytes() == entries
    audit_lines = (out / store.AUDIT_FILE).read_bytes().splitlines()
    moved_lines = (again / store.AUDIT_FILE).read_bytes().splitlines()
    # Every audit row identical (ids too); the one line more is the import event itself.
    assert moved_lines[:-1] == audit_lines and len(audit_lines) == 6
    event = pl.read_csv(again / store.AUDIT_FILE).row(-1, named=True)
    assert (event["action"], event["who"], event["version"]) == ("import", "mover", 0)


# --- Saying where the store is ---------------------------------------------------------------

def test_a_password_in_the_url_is_never_shown(postgres_server, monkeypatch) -> None:
    url = postgres_server.url("coc").replace("coc_test@", f"coc_test:{PASSWORD}@")
    text = store.describe(url)
    assert PASSWORD not in text and "database coc on 127.0.0.1" in text
    assert store.describe(Path("/srv/app.duckdb")) == "file /srv/app.duckdb"
    unreachable = f"postgresql://someone:{PASSWORD}@127.0.0.1:1/coc"
    with pytest.raises(store.StoreUnavailable) as refused:
        store.app_store(unreachable).entries()
    assert PASSWORD not in str(refused.value) and "cannot be reached" in str(refused.value)
    assert "********" in backends._redacted(f"failed for {PASSWORD}", unreachable)
    monkeypatch.setenv(store.APP_DB_ENV, unreachable)
    assert PASSWORD not in store.store_description()
    assert store.entries_or_empty("review").is_empty()


def test_the_app_names_the_server_but_never_its_password(app_on_sample, monkeypatch) -> None:
    unreachable = f"postgresql://someone:{PASSWORD}@127.0.0.1:1/coc"
    monkeypatch.setenv(store.APP_DB_ENV, unreachable)
    at = app_on_sample("recommendations.py")
    shown = [e.value for e in (*at.caption, *at.markdown, *at.error, *at.warning, *at.info)]
    assert not [text for text in shown if PASSWORD in str(text)]
    captions = [str(c.value) for c in at.caption]
    assert any("kept in PostgreSQL database coc on 127.0.0.1:1 as someone" in text
               for text in captions), captions
    warnings = [str(w.value) for w in at.warning]
    assert any("cannot be reached" in text for text in warnings), warnings
