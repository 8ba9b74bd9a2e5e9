"""The app store's write path: contract validation, roles, versions, withdrawal, the audit log,
concurrent writers, export and import, and independence from warehouse rebuilds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from dashboard import store
from dashboard.store import ADMIN, EBE_REVIEWER, PARTNER_EDITOR, VIEWER, Actor
from pipelines.build import run_build
from tests.helpers import make_source

ADMIN_ACTOR = Actor("admin@ohid.example", frozenset({ADMIN, VIEWER}))
PARTNER = Actor("partner@london.example", frozenset({PARTNER_EDITOR, VIEWER}))
REVIEWER = Actor("ebe@voices.example", frozenset({EBE_REVIEWER, VIEWER}))
VIEWER_ACTOR = Actor("viewer@example.org", frozenset({VIEWER}))

REVIEW = {"recommendation_id": "R4", "scope": "london", "reviewed_on": "2024-02-01",
          "panel": "London EbE group", "rating": 3, "comment": "A start."}
UPDATE = {"recommendation_id": "R1", "scope": "Lambeth", "reported_on": date(2024, 3, 1),
          "status": "in_progress", "rag": "amber", "milestone": "Tier 4 KPI agreed",
          "next_step": "Publish it", "owner": "OHID London", "evidence": ""}


@pytest.fixture(params=["duckdb", "postgres"])
def app_store(request: pytest.FixtureRequest, tmp_path: Path):
    """The store on each backend: the DuckDB file and a fresh PostgreSQL database."""
    location = (tmp_path / "app.duckdb" if request.param == "duckdb"
                else request.getfixturevalue("postgres_url"))
    opened = store.app_store(location)
    yield opened
    opened.close()


def test_a_review_is_stored_with_who_and_when_and_one_audit_row(app_store) -> None:
    before = store._now()
    written = app_store.record("review", REVIEW, REVIEWER)
    entries = app_store.entries()
    assert entries.height == 1
    row = entries.row(0, named=True)
    assert row["entry_id"] == written.entry_id and row["entry_id"].startswith("APP-REV-")
    assert (row["kind"], row["version"], row["withdrawn"]) == ("review", 1, False)
    assert row["scope"] == "E12000007"  # normalised by the contract, as in the warehouse
    assert row["rating"] == 3 and row["reviewed_on"] == date(2024, 2, 1)
    assert row["recorded_by"] == REVIEWER.identity
    assert before <= row["recorded_at"] <= store._now()
    audit = app_store.audit_log().row(0, named=True)
    assert (audit["action"], audit["entry_id"], audit["version"], audit["who"]) == (
        "create", written.entry_id, 1, REVIEWER.identity)


def test_twenty_threads_writing_fifty_reviews_each_lose_nothing(app_store) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def writer(n: int) -> None:
        start.wait()
        try:
            for i in range(50):
                app_store.record("review", {**REVIEW, "comment": f"thread {n} review {i}"},
                                 REVIEWER)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    reviews = app_store.entries("review")
    assert reviews.height == 1000
    assert reviews.get_column("entry_id").n_unique() == 1000
    assert reviews.get_column("comment").n_unique() == 1000
    audit = app_store.audit_log()
    assert audit.height == 1000
    assert set(audit.get_column("action")) == {"create"}
    assert set(audit.get_column("entry_id")) == set(reviews.get_column("entry_id"))


def test_reads_while_writing_see_whole_entries(app_store) -> None:
    done = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        while not done.is_set():
            entries = app_store.entries()
            assert entries.get_column("comment").null_count() == 0
            seen.append(entries.height)

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(30):
        app_store.record("review", {**REVIEW, "comment": f"c{i}"}, REVIEWER)
    done.set()
    thread.join()
    assert seen == sorted(seen) and app_store.entries().height == 30


def test_a_viewer_cannot_write_and_nothing_is_stored(app_store) -> None:
    with pytest.raises(store.NotAllowed, match="may not record"):
        app_store.record("review", REVIEW, VIEWER_ACTOR)
    with pytest.raises(store.NotAllowed):
        app_store.record("update", UPDATE, VIEWER_ACTOR)
    assert app_store.counts() == {"update": 0, "review": 0, "audit": 0}


def test_each_role_records_only_its_own_kind(app_store) -> None:
    app_store.record("update", UPDATE, PARTNER)
    app_store.record("review", REVIEW, REVIEWER)
    with pytest.raises(store.NotAllowed):
        app_store.record("review", REVIEW, PARTNER)
    with pytest.raises(store.NotAllowed):
        app_store.record("update", UPDATE, REVIEWER)
    app_store.record("update", UPDATE, ADMIN_ACTOR)
    assert app_store.counts() == {"update": 2, "review": 1, "audit": 3}


def test_rating_seven_is_refused_naming_the_field(app_store) -> None:
    with pytest.raises(store.EntryRejected) as rejected:
        app_store.record("review", {**REVIEW, "rating": 7}, REVIEWER)
    assert [p.field for p in rejected.value.problems] == ["rating"]
    assert "rating must be a whole number from 1 to 5" in str(rejected.value)
    assert "was not recorded" in str(rejected.value)
    assert app_store.counts() == {"update": 0, "review": 0, "audit": 0}


def test_an_unknown_recommendation_is_refused_naming_the_field(app_store) -> None:
    with pytest.raises(store.EntryRejected) as rejected:
        app_store.record("review", {**REVIEW, "recommendation_id": "R10"}, REVIEWER)
    assert [p.field for p in rejected.value.problems] == ["recommendation_id"]
    assert "recommendation_id must be one of: F-A, F-B, R1" in str(rejected.value)
    assert app_store.path is None or not app_store.path.exists() or app_store.entries().is_empty()


def test_every_broken_field_is_reported_at_once(app_store) -> None:
    broken = {**UPDATE, "scope": "Narnia", "reported_on": "31/02/2024", "status": "done",
              "rag": "blue", "owner": " "}
    with pytest.raises(store.EntryRejected) as rejected:
        app_store.record("update", broken, PARTNER)
    assert {p.field for p in rejected.value.problems} == {
        "scope", "reported_on", "status", "rag", "owner"}
    assert "owner is empty" in str(rejected.value)


def test_app_rules_beyond_the_contract_and_unknown_fields(app_store) -> None:
    future = date.today() + timedelta(days=30)
    with pytest.raises(store.EntryRejected, match="reviewed_on is in the future"):
        app_store.record("review", {**REVIEW, "reviewed_on": future}, REVIEWER)
    with pytest.raises(store.EntryRejected, match="comment is longer than 5,000 characters"):
        app_store.record("review", {**REVIEW, "comment": "x" * 5001}, REVIEWER)
    with pytest.raises(store.EntryRejected, match="colour is not a field"):
        app_store.record("review", {**REVIEW, "colour": "red"}, REVIEWER)


def test_an_edit_adds_a_version_and_keeps_the_old_one(app_store) -> None:
    written = app_store.record("update", UPDATE, PARTNER)
    edited = app_store.edit(written.entry_id, {**UPDATE, "status": "implemented",
                                               "rag": "green"}, ADMIN_ACTOR, based_on_version=1)
    assert edited.version == 2
    versions = app_store.versions(written.entry_id)
    assert versions.get_column("status").to_list() == ["in_progress", "implemented"]
    assert versions.get_column("recorded_by").to_list() == [PARTNER.identity,
                                                            ADMIN_ACTOR.identity]
    current = app_store.entries()
    assert current.height == 1 and current.row(0, named=True)["version"] == 2
    audit = app_store.audit_log()
    assert audit.get_column("action").to_list() == ["create", "edit"]
    assert '"changed": ["rag", "status"]' in audit.row(1, named=True)["details"]


def test_an_edit_made_on_a_stale_version_is_refused(app_store) -> None:
    written = app_store.record("update", UPDATE, PARTNER)
    app_store.edit(written.entry_id, {**UPDATE, "rag": "green"}, PARTNER, based_on_version=1)
    with pytest.raises(store.EditConflict, match="now version 2"):
        app_store.edit(written.entry_id, {**UPDATE, "rag": "red"}, PARTNER, based_on_version=1)
    with pytest.raises(store.EntryRejected):
        app_store.edit(written.entry_id, {**UPDATE, "rag": "purple"}, PARTNER)
    assert app_store.versions(written.entry_id).height == 2


def test_only_an_admin_withdraws_and_the_audit_log_keeps_it(app_store) -> None:
    written = app_store.record("review", REVIEW, REVIEWER)
    with pytest.raises(store.NotAllowed):
        app_store.withdraw(written.entry_id, REVIEWER, "mine")
    app_store.withdraw(written.entry_id, ADMIN_ACTOR, "entered twice")
    assert app_store.entries().is_empty()
    assert app_store.entries(include_withdrawn=True).row(0, named=True)["withdrawn"] is True
    assert app_store.versions(written.entry_id).height == 2
    audit = app_store.audit_log()
    assert audit.get_column("action").to_list() == ["create", "withdraw"]
    assert "entered twice" in audit.row(1, named=True)["details"]
    with pytest.raises(store.EditConflict):
        app_store.edit(written.entry_id, REVIEW, ADMIN_ACTOR)


def test_export_and_import_move_every_version_and_the_audit_log(app_store, tmp_path) -> None:
    first = app_store.record("update", UPDATE, PARTNER)
    app_store.edit(first.entry_id, {**UPDATE, "rag": "green"}, PARTNER)
    tricky = "=HYPERLINK(\"http://example.org\") 'quoted' <script>x</script>"
    app_store.record("review", {**REVIEW, "comment": tricky}, REVIEWER)
    gone = app_store.record("review", REVIEW, REVIEWER)
    app_store.withdraw(gone.entry_id, ADMIN_ACTOR, "duplicate")
    entries_csv, audit_csv = app_store.export_csv()
    assert "'=HYPERLINK" in entries_csv.decode()  # a spreadsheet will not run it

    other = store.app_store(tmp_path / "other" / "app.duckdb")
    try:
        result = other.import_csv(entries_csv, ADMIN_ACTOR, audit_csv, source="backup")
        assert (result.added, result.already_present, result.rejected) == (5, 0, [])
        assert result.audit_added == app_store.audit_log().height
        columns = [c for c in store.ENTRY_COLUMNS if c != "recorded_at"]
        assert other.versions().select(columns).equals(app_store.versions().select(columns))
        assert tricky in other.entries().get_column("comment").to_list()
        imports = other.audit_log().filter(pl.col("action") == "import")
        assert imports.height == 1  # the import is one event, by who ran it
        event = imports.row(0, named=True)
        assert event["who"] == ADMIN_ACTOR.identity and event["version"] == 0
        assert event["entry_id"].startswith(store.IMPORT_EVENT_PREFIX)
        details = json.loads(event["details"])
        assert details["source"] == "backup" and len(details["versions_added"]) == 5
        assert details["audit_rows_added"] == result.audit_added
        again = other.import_csv(entries_csv, ADMIN_ACTOR, audit_csv)
        assert (again.added, again.already_present, again.audit_added) == (0, 5, 0)
        assert other.audit_log().filter(pl.col("action") == "import").height == 2
    finally:
        other.close()


def test_import_checks_every_row_by_the_contract(app_store) -> None:
    app_store.record("review", REVIEW, REVIEWER)
    entries_csv, _ = app_store.export_csv()
    frame = pl.read_csv(entries_csv, infer_schema=False)
    bad = frame.with_columns(pl.lit("9").alias("rating"), pl.lit("APP-REV-OTHER").alias("entry_id"))
    unknown_kind = frame.with_columns(pl.lit("note").alias("kind"),
                                      pl.lit("APP-X").alias("entry_id"))
    good = frame.with_columns(pl.lit("APP-REV-NEW").alias("entry_id"))
    upload = pl.concat([bad, unknown_kind, good]).write_csv().encode()
    result = app_store.import_csv(upload, ADMIN_ACTOR)
    assert result.added == 0 and app_store.versions().height == 1  # all or nothing
    assert result.rejected == ["row 2: rating must be a whole number from 1 to 5",
                               "row 3: kind must be one of update, review, audit_question, "
                               "audit_round, audit_answer, training"]
    assert result.summary() == "Nothing was imported: 2 problems found in the files."
    assert app_store.import_csv(good.write_csv().encode(), ADMIN_ACTOR).added == 1
    with pytest.raises(store.NotAllowed):
        app_store.import_csv(upload, PARTNER)
    with pytest.raises(store.EntryRejected, match="lacks the column"):
        app_store.import_csv(b"entry_id,kind\nA,review\n", ADMIN_ACTOR)


def test_the_command_line_exports_and_imports(app_store, tmp_path, capsys) -> None:
    app_store.record("review", REVIEW, REVIEWER)
    app_store.close()
    out = tmp_path / "backup"
    assert store.main(["--db", str(app_store.location), "export", "--out", str(out)]) == 0
    assert (out / store.ENTRIES_FILE).exists() and (out / store.AUDIT_FILE).exists()
    target = tmp_path / "moved.duckdb"
    assert store.main(["--db", str(target), "import", "--from", str(out), "--who", "me"]) == 0
    assert "Imported 1 entry" in capsys.readouterr().out
    moved = store.app_store(target)
    try:
        assert moved.entries().height == 1
        assert moved.audit_log().filter(pl.col("action") == "import").row(0, named=True)[
            "who"] == "me"
    finally:
        moved.close()


def test_reading_a_store_that_does_not_exist_creates_nothing(tmp_path) -> None:
    missing = store.app_store(tmp_path / "nowhere" / "app.duckdb")
    assert missing.entries().is_empty() and missing.audit_log().is_empty()
    assert not missing.path.exists()


def test_a_store_held_by_another_process_is_reported_not_crashed(tmp_path, monkeypatch) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            con.execute("create table x (a int)")
            print("ready", flush=True)
            sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        held = store.app_store(path)
        with pytest.raises(store.StoreUnavailable, match="cannot be opened"):
            held.record("review", REVIEW, REVIEWER)
        monkeypatch.setenv(store.APP_DB_ENV, str(path))
        assert store.entries_or_empty("review").is_empty()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_rebuilding_the_warehouse_leaves_every_app_entry_in_place(tmp_path) -> None:
    var = tmp_path / "var"  # the default layout: app.duckdb beside warehouse.duckdb
    warehouse = var / "warehouse.duckdb"
    source = make_source(tmp_path / "source")
    run_build(source, warehouse)
    app = store.app_store(var / "app.duckdb")
    try:
        written = app.record("update", UPDATE, PARTNER)
        app.edit(written.entry_id, {**UPDATE, "rag": "green"}, PARTNER)
        app.record("review", REVIEW, REVIEWER)
        before = (app.versions(), app.audit_log())
        built_before = warehouse.stat().st_ino
        time.sleep(0.01)
        run_build(source, warehouse)
        assert warehouse.stat().st_ino != built_before  # a new warehouse file was swapped in
        assert app.versions().equals(before[0]) and app.audit_log().equals(before[1])
    finally:
        app.close()
    reopened = store.app_store(var / "app.duckdb")
    try:
        assert reopened.counts() == {"update": 1, "review": 1, "audit": 3}
    finally:
        reopened.close()
