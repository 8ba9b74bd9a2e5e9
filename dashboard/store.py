"""The app store (`app.duckdb`): recommendation updates and EbE reviews recorded in the app.

This is the only module that opens the app store, and the only write path into it (DESIGN §2).
The pipeline never touches the file, so rebuilding the warehouse loses nothing recorded here.

- One serialised write path: every write takes the module's write lock and runs on the one
  connection this process holds to the file. Streamlit serves every session from threads of one
  process, so concurrent writers queue on the lock and nothing is lost. (DuckDB lets one process
  at a time open a file for writing; a second process gets `StoreUnavailable`.)
- Reads run on their own cursors, never on the write connection itself.
- Every write is validated with the same contract as the extracts (pipelines.contracts, applied
  by pipelines.validate.stage to a one-row text frame): on error nothing is stored and
  `EntryRejected` names each field and the reason.
- Rows are only ever appended. An edit adds a new version of the entry; withdrawing adds a
  version marked withdrawn. Every write adds a row to the audit log saying what was done, to
  which entry and version, by whom and when (UTC).
- Export and import as CSV, from the page or the command line:
  `python -m dashboard.store export --out DIR` and `python -m dashboard.store import --from DIR`.
  An import is checked as a whole against itself and the store (`history_problems`): versions
  of an entry run 1, 2, 3 ... with one kind and an id of that kind, nothing follows a
  withdrawal, times do not go backwards or lie in the future, and every audit row matches the
  entry version it names (create for version 1, edit for a later one, withdraw for a withdrawn
  one; same person, same time). With an audit log, every version brought in must come with its
  audit row. If anything fails, nothing is imported and every problem is listed. A successful
  import is itself one audit row (action `import`, entry id `IMPORT-...`, version 0) saying who
  ran it, from where, and what it added.
- The store file (and its write-ahead log and exports) is readable by its owner only (0600).
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from dashboard import formatting
from pipelines.contracts import EBE_REVIEWS, RECOMMENDATION_UPDATES, TEXT_MAX_CHARS, Contract
from pipelines.ingest import FILE_COLUMN, FORMAT_COLUMN, ROW_COLUMN
from pipelines.reference import LONDON_CODE
from pipelines.validate import stage

APP_DB_ENV = "COC_APP_DB"
DEFAULT_APP_DB = Path(__file__).resolve().parent.parent / "var" / "app.duckdb"

UPDATE = "update"
REVIEW = "review"
CONTRACT_BY_KIND: dict[str, Contract] = {UPDATE: RECOMMENDATION_UPDATES, REVIEW: EBE_REVIEWS}
KIND_TITLES = {UPDATE: "recommendation update", REVIEW: "EbE review"}
ID_PREFIX = {UPDATE: "APP-UPD-", REVIEW: "APP-REV-"}
DATE_FIELD = {UPDATE: "reported_on", REVIEW: "reviewed_on"}

# Roles (mapped from the signed-in identity by dashboard.auth).
VIEWER = "viewer"
PARTNER_EDITOR = "partner_editor"
EBE_REVIEWER = "ebe_reviewer"
ADMIN = "admin"
ROLES = (VIEWER, PARTNER_EDITOR, EBE_REVIEWER, ADMIN)
ROLE_FOR_KIND = {UPDATE: PARTNER_EDITOR, REVIEW: EBE_REVIEWER}

CREATE, EDIT, WITHDRAW, IMPORT = "create", "edit", "withdraw", "import"
AUDIT_ACTIONS = (CREATE, EDIT, WITHDRAW, IMPORT)
IMPORT_EVENT_PREFIX = "IMPORT-"  # the entry id of an import's own audit row (version 0)
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of this machine's clock a time may be
SAME_TIME = timedelta(milliseconds=1)  # an entry version and its audit row share one time
PRIVATE_UMASK = 0o077  # files the store creates: owner only
PRIVATE_MODE = 0o600

MAX_TEXT_CHARS = TEXT_MAX_CHARS  # the contracts' bound on text, used by the forms too
# The contract fields of both kinds, in one table (the contract's own id column is entry_id).
FIELD_COLUMNS: tuple[str, ...] = (
    "recommendation_id", "scope",
    "reported_on", "status", "rag", "milestone", "next_step", "owner", "evidence",
    "reviewed_on", "panel", "rating", "comment",
)
DATE_COLUMNS = ("reported_on", "reviewed_on")
ENTRY_COLUMNS: tuple[str, ...] = ("entry_id", "version", "kind", *FIELD_COLUMNS, "recorded_by",
                                  "recorded_at", "withdrawn")
AUDIT_COLUMNS: tuple[str, ...] = ("audit_id", "action", "entry_id", "version", "who",
                                  "happened_at", "details")
ENTRIES_FILE = "app_entries.csv"
AUDIT_FILE = "app_audit_log.csv"

SCHEMA = """
create table if not exists entries (
    entry_id varchar not null,
    version integer not null,
    kind varchar not null,
    recommendation_id varchar not null,
    scope varchar not null,
    reported_on date,
    status varchar,
    rag varchar,
    milestone varchar,
    next_step varchar,
    owner varchar,
    evidence varchar,
    reviewed_on date,
    panel varchar,
    rating integer,
    comment varchar,
    recorded_by varchar not null,
    recorded_at timestamp not null,
    withdrawn boolean not null,
    primary key (entry_id, version)
);
create sequence if not exists audit_ids;
create table if not exists audit_log (
    audit_id bigint primary key default nextval('audit_ids'),
    action varchar not null,
    entry_id varchar not null,
    version integer not null,
    who varchar not null,
    happened_at timestamp not null,
    details varchar
);
"""
LATEST_VERSIONS = """
select * from entries
qualify row_number() over (partition by entry_id order by version desc) = 1
"""


# --- Who is writing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Someone using the app: how they are recorded, and their roles."""

    identity: str
    roles: frozenset[str] = frozenset({VIEWER})
    label: str = ""  # how the app describes them, e.g. "Local mode (root)"

    def can_record(self, kind: str) -> bool:
        return ADMIN in self.roles or ROLE_FOR_KIND[kind] in self.roles

    @property
    def can_withdraw(self) -> bool:
        return ADMIN in self.roles

    @property
    def can_import(self) -> bool:
        return ADMIN in self.roles

    @property
    def can_write(self) -> bool:
        return any(self.can_record(kind) for kind in CONTRACT_BY_KIND)


# --- What can go wrong ------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return self.reason


class StoreError(Exception):
    """Base of the app store's errors; the message is written for the person using the app."""


class EntryRejected(StoreError, ValueError):
    """An entry that breaks its contract. Nothing was stored."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.kind = kind
        self.problems = problems
        reasons = "; ".join(str(p) for p in problems)
        super().__init__(f"The {KIND_TITLES.get(kind, kind)} was not recorded: {reasons}.")


class NotAllowed(StoreError, PermissionError):
    """The person may not make this change. Nothing was stored."""


class EntryNotFound(StoreError, LookupError):
    pass


class EditConflict(StoreError):
    """The entry changed since the person opened it. Nothing was stored."""


class StoreUnavailable(StoreError, RuntimeError):
    """The app store cannot be opened (for example another copy of the app holds it)."""


@dataclass(frozen=True)
class Written:
    """What a write stored."""

    entry_id: str
    version: int
    kind: str
    action: str


@dataclass
class ImportResult:
    added: int = 0
    already_present: int = 0
    audit_added: int = 0
    rejected: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.rejected:
            count = len(self.rejected)
            return (f"Nothing was imported: {count} problem{'s' if count != 1 else ''} "
                    "found in the files.")
        return (f"Imported {self.added} entr{'y' if self.added == 1 else 'ies'} "
                f"({self.already_present} already here) and {self.audit_added} audit log "
                f"row{'' if self.audit_added == 1 else 's'}.")


# --- Validation -------------------------------------------------------------------------------

def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _landed(contract: Contract, rows: list[Mapping[str, object]], rows_numbers: list[int]
            ) -> pl.DataFrame:
    """Rows as pipelines.ingest would land them: every value text, with file and row."""
    columns = {name: [_as_text(r.get(name)) for r in rows] for name in contract.column_names}
    frame = pl.DataFrame(columns, schema={name: pl.String for name in contract.column_names})
    return frame.with_columns(
        pl.lit("app").alias(FILE_COLUMN),
        pl.Series(ROW_COLUMN, rows_numbers, dtype=pl.Int64),
        pl.lit("form").alias(FORMAT_COLUMN),
    )


def _extra_problems(kind: str, row: Mapping[str, object], today: date) -> list[Problem]:
    """Rules the app adds for typed-in entries: no dates in the future. (The length of text is
    a contract rule, checked with the rest of the contract.)"""
    problems = []
    on = row.get(DATE_FIELD[kind])
    if isinstance(on, date) and on > today + timedelta(days=1):
        problems.append(Problem(DATE_FIELD[kind], f"{DATE_FIELD[kind]} is in the future"))
    return problems


def validate_rows(kind: str, rows: list[Mapping[str, object]], row_numbers: list[int] | None = None
                  ) -> tuple[list[dict[str, object] | None], list[list[Problem]]]:
    """Each row's typed contract fields (None where rejected) and its problems, by the contract.

    Values may be text or Python values (dates, numbers); they are turned into text and cast by
    pipelines.validate.stage exactly as an extract would be.
    """
    if kind not in CONTRACT_BY_KIND:
        raise ValueError(f"unknown kind {kind!r}: use 'update' or 'review'")
    contract = CONTRACT_BY_KIND[kind]
    numbers = row_numbers or list(range(1, len(rows) + 1))
    # The store keeps scopes as codes; London's code is given to the contract as 'london'.
    keyed = [{**row, contract.key: f"row-{n}",
              "scope": "london" if _as_text(row.get("scope")) == LONDON_CODE else row.get("scope")}
             for row, n in zip(rows, numbers, strict=True)]
    staged = stage(contract, _landed(contract, keyed, numbers))
    problems: dict[int, list[Problem]] = {n: [] for n in numbers}
    for reject in staged.rejects.iter_rows(named=True):
        if reject["column"] == contract.key:
            continue  # the id is the store's, not the person's
        problems[reject["row"]].append(Problem(reject["column"], reject["reason"]))
    good = {r[ROW_COLUMN]: {name: r[name] for name in contract.column_names if name != contract.key}
            for r in staged.good.iter_rows(named=True)}
    today = datetime.now(UTC).date()
    typed: list[dict[str, object] | None] = []
    for n in numbers:
        row = good.get(n)
        if row is not None:
            problems[n].extend(_extra_problems(kind, row, today))
        typed.append(row if row is not None and not problems[n] else None)
    return typed, [problems[n] for n in numbers]


def validate(kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """One entry's typed fields, or EntryRejected naming every field that breaks the contract."""
    contract = CONTRACT_BY_KIND.get(kind)
    if contract is None:
        raise ValueError(f"unknown kind {kind!r}: use 'update' or 'review'")
    allowed = set(contract.column_names) - {contract.key}
    unknown = sorted(set(values) - allowed - {contract.key})
    typed, problems = validate_rows(kind, [values])
    found = [Problem(name, f"{name} is not a field of a {KIND_TITLES[kind]}") for name in unknown]
    found += problems[0]
    if found or typed[0] is None:
        raise EntryRejected(kind, found)
    return typed[0]


# --- The store --------------------------------------------------------------------------------

_write_lock = threading.RLock()  # the one write path: every write in this process queues here


def app_db_path() -> Path:
    return Path(os.environ.get(APP_DB_ENV) or DEFAULT_APP_DB).resolve()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _new_entry_id(kind: str) -> str:
    return f"{ID_PREFIX[kind]}{uuid.uuid4().hex[:12].upper()}"


def empty_entries() -> pl.DataFrame:
    schema = {name: pl.String for name in ENTRY_COLUMNS} | {
        "version": pl.Int32, "reported_on": pl.Date, "reviewed_on": pl.Date,
        "rating": pl.Int32, "recorded_at": pl.Datetime("us"), "withdrawn": pl.Boolean,
    }
    return pl.DataFrame(schema=schema)


def _empty_audit() -> pl.DataFrame:
    return pl.DataFrame(schema={"audit_id": pl.Int64, "action": pl.String,
                                "entry_id": pl.String, "version": pl.Int32, "who": pl.String,
                                "happened_at": pl.Datetime("us"), "details": pl.String})


class AppStore:
    """The app store at one path: one write connection, reads on their own cursors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: duckdb.DuckDBPyConnection | None = None

    # Connections ----------------------------------------------------------------------------

    def _open(self, create: bool) -> duckdb.DuckDBPyConnection | None:
        """The write connection (opened once, under the write lock); None when there is no
        store file yet and `create` is false."""
        with _write_lock:
            if self._connection is not None:
                return self._connection
            if not create and not self.path.exists():
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with _private_files():
                    connection = duckdb.connect(str(self.path))
                    connection.execute(SCHEMA)
                    connection.execute("checkpoint")
                _make_private(self.path)
            except duckdb.Error as error:
                raise StoreUnavailable(
                    f"The app store {self.path} cannot be opened ({error}). If another copy "
                    "of the app is running on the same store, give this one its own with "
                    f"{APP_DB_ENV} (make run APP_DB=...)."
                ) from error
            self._connection = connection
            return connection

    def _read(self, sql: str, params: Iterable[object] = ()) -> pl.DataFrame | None:
        connection = self._open(create=False)
        if connection is None:
            return None
        with _write_lock:  # cursors are made from the write connection one at a time
            cursor = connection.cursor()
        try:
            return cursor.sql(sql, params=list(params)).pl()
        finally:
            cursor.close()

    def close(self) -> None:
        with _write_lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # Reads ----------------------------------------------------------------------------------

    def entries(self, kind: str | None = None, include_withdrawn: bool = False) -> pl.DataFrame:
        """The latest version of every entry (of one kind), withdrawn ones left out unless
        asked for."""
        where = []
        params: list[object] = []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if not include_withdrawn:
            where.append("not withdrawn")
        clause = f"where {' and '.join(where)}" if where else ""
        frame = self._read(f"select * from ({LATEST_VERSIONS}) {clause} "
                           "order by recorded_at, entry_id", params)
        return empty_entries() if frame is None else frame.select(ENTRY_COLUMNS)

    def versions(self, entry_id: str | None = None) -> pl.DataFrame:
        """Every version of one entry (or of all), oldest first."""
        if entry_id is None:
            frame = self._read("select * from entries order by entry_id, version")
        else:
            frame = self._read("select * from entries where entry_id = ? order by version",
                               [entry_id])
        return empty_entries() if frame is None else frame.select(ENTRY_COLUMNS)

    def audit_log(self) -> pl.DataFrame:
        frame = self._read("select * from audit_log order by audit_id")
        return _empty_audit() if frame is None else frame.select(AUDIT_COLUMNS)

    def counts(self) -> dict[str, int]:
        """Current (not withdrawn) entries by kind, and audit rows."""
        entries = self.entries()
        return {
            UPDATE: entries.filter(pl.col("kind") == UPDATE).height,
            REVIEW: entries.filter(pl.col("kind") == REVIEW).height,
            "audit": self.audit_log().height,
        }

    # Writes ---------------------------------------------------------------------------------

    def _insert(self, connection: duckdb.DuckDBPyConnection, row: Mapping[str, object],
                action: str, who: str, at: datetime, details: Mapping[str, object]) -> None:
        values = [row.get(name) for name in ENTRY_COLUMNS]
        connection.execute(
            f"insert into entries ({', '.join(ENTRY_COLUMNS)}) values "
            f"({', '.join('?' for _ in ENTRY_COLUMNS)})", values)
        self._audit(connection, action, str(row["entry_id"]), int(row["version"]), who, at,
                    details)

    @staticmethod
    def _audit(connection: duckdb.DuckDBPyConnection, action: str, entry_id: str, version: int,
               who: str, at: datetime, details: Mapping[str, object]) -> None:
        connection.execute(
            "insert into audit_log (action, entry_id, version, who, happened_at, details) "
            "values (?, ?, ?, ?, ?, ?)",
            [action, entry_id, version, who, at, json.dumps(details, sort_keys=True,
                                                           default=str)])

    def _transaction(self, work) -> Written:
        connection = self._open(create=True)
        assert connection is not None
        with _write_lock, _private_files():  # the write-ahead log is created by a write
            connection.execute("begin transaction")
            try:
                written = work(connection)
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")
            return written

    def record(self, kind: str, values: Mapping[str, object], actor: Actor) -> Written:
        """Store a new entry (validated by its contract) and its audit row."""
        if kind not in CONTRACT_BY_KIND:
            raise ValueError(f"unknown kind {kind!r}: use 'update' or 'review'")
        if not actor.can_record(kind):
            raise NotAllowed(f"{actor.label or actor.identity} may not record a "
                             f"{KIND_TITLES[kind]}. Ask an administrator for the "
                             f"'{ROLE_FOR_KIND[kind]}' role.")
        typed = validate(kind, values)
        entry_id = _new_entry_id(kind)
        at = _now()
        row = {**typed, "entry_id": entry_id, "version": 1, "kind": kind,
               "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}

        def work(connection: duckdb.DuckDBPyConnection) -> Written:
            self._insert(connection, row, CREATE, actor.identity, at, {"kind": kind})
            return Written(entry_id, 1, kind, CREATE)

        return self._transaction(work)

    def _latest(self, connection: duckdb.DuckDBPyConnection, entry_id: str) -> dict:
        rows = connection.sql("select * from entries where entry_id = ? order by version desc "
                              "limit 1", params=[entry_id]).pl().to_dicts()
        if not rows:
            raise EntryNotFound(f"There is no entry {entry_id} in the app store.")
        return rows[0]

    def edit(self, entry_id: str, values: Mapping[str, object], actor: Actor,
             based_on_version: int | None = None) -> Written:
        """A new version of an entry with the given fields (the old versions are kept)."""

        def work(connection: duckdb.DuckDBPyConnection) -> Written:
            latest = self._latest(connection, entry_id)
            kind = latest["kind"]
            if not actor.can_record(kind):
                raise NotAllowed(f"{actor.label or actor.identity} may not change a "
                                 f"{KIND_TITLES[kind]}.")
            if latest["withdrawn"]:
                raise EditConflict(f"Entry {entry_id} has been withdrawn and cannot be edited.")
            if based_on_version is not None and latest["version"] != based_on_version:
                raise EditConflict(
                    f"Entry {entry_id} was changed by {latest['recorded_by']} (it is now "
                    f"version {latest['version']}) after you opened it. Nothing was saved: "
                    "reload it and make your change again.")
            typed = validate(kind, values)
            changed = sorted(name for name, value in typed.items() if latest.get(name) != value)
            at = _now()
            version = latest["version"] + 1
            row = {**typed, "entry_id": entry_id, "version": version, "kind": kind,
                   "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}
            self._insert(connection, row, EDIT, actor.identity, at, {"changed": changed})
            return Written(entry_id, version, kind, EDIT)

        return self._transaction(work)

    def withdraw(self, entry_id: str, actor: Actor, reason: str = "") -> Written:
        """Withdraw an entry (administrators only): a new version marked withdrawn, so it no
        longer shows; every earlier version and the audit log keep it."""
        if not actor.can_withdraw:
            raise NotAllowed(f"{actor.label or actor.identity} may not withdraw entries: "
                             "only an administrator may.")
        if len(reason) > MAX_TEXT_CHARS:
            raise EntryRejected("withdrawal", [Problem("reason", "the reason is longer than "
                                                                 f"{MAX_TEXT_CHARS:,} characters")])

        def work(connection: duckdb.DuckDBPyConnection) -> Written:
            latest = self._latest(connection, entry_id)
            if latest["withdrawn"]:
                raise EditConflict(f"Entry {entry_id} is already withdrawn.")
            at = _now()
            version = latest["version"] + 1
            row = {**latest, "version": version, "recorded_by": actor.identity,
                   "recorded_at": at, "withdrawn": True}
            self._insert(connection, row, WITHDRAW, actor.identity, at, {"reason": reason})
            return Written(entry_id, version, latest["kind"], WITHDRAW)

        return self._transaction(work)

    # Export and import ----------------------------------------------------------------------

    def export_csv(self) -> tuple[bytes, bytes]:
        """(entries CSV, audit log CSV): every version of every entry, and the whole log."""
        return _csv(self.versions()), _csv(self.audit_log())

    def export_to(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        entries, audit = self.export_csv()
        for name, content in ((ENTRIES_FILE, entries), (AUDIT_FILE, audit)):
            _write_private(folder / name, content)
        return folder / ENTRIES_FILE, folder / AUDIT_FILE

    def import_csv(self, entries_csv: bytes, actor: Actor, audit_csv: bytes | None = None,
                   source: str = "upload") -> ImportResult:
        """Add the entry versions and audit rows of an export that are not here yet.

        Every row is validated by its contract and the history as a whole by
        `history_problems`; if anything is wrong nothing is imported and `rejected` lists every
        problem. A successful import adds one audit row of its own, by `actor`.
        """
        if not actor.can_import:
            raise NotAllowed(f"{actor.label or actor.identity} may not import entries: only an "
                             "administrator may.")
        incoming, result = _read_entries(entries_csv)
        audit_rows = _read_audit(audit_csv, result) if audit_csv is not None else None

        def work(connection: duckdb.DuckDBPyConnection) -> Written:
            at = _now()
            stored = {(r["entry_id"], r["version"]): r
                      for r in connection.sql("select * from entries").pl().to_dicts()}
            stored_audit = connection.sql("select * from audit_log").pl().to_dicts()
            new_versions = []
            for row in incoming:
                found = stored.get((row["entry_id"], row["version"]))
                if found is None:
                    new_versions.append(row)
                elif _same_entry(found, row):
                    result.already_present += 1
                else:
                    result.rejected.append(
                        f"{row['entry_id']} version {row['version']}: a different version "
                        "with this number is already in the store")
            here = {_audit_key(a) for a in stored_audit}
            new_audit = [a for a in audit_rows or [] if _audit_key(a) not in here]
            result.rejected += history_problems(stored, new_versions, stored_audit, new_audit,
                                                audit_rows is not None, at)
            if result.rejected:
                return Written("", 0, "", IMPORT)
            for row in new_versions:
                connection.execute(
                    f"insert into entries ({', '.join(ENTRY_COLUMNS)}) values "
                    f"({', '.join('?' for _ in ENTRY_COLUMNS)})",
                    [row.get(name) for name in ENTRY_COLUMNS])
            for audit in new_audit:
                connection.execute(
                    "insert into audit_log (action, entry_id, version, who, happened_at, details) "
                    "values (?, ?, ?, ?, ?, ?)",
                    [audit["action"], audit["entry_id"], audit["version"], audit["who"],
                     audit["happened_at"], audit["details"]])
            result.added, result.audit_added = len(new_versions), len(new_audit)
            event = f"{IMPORT_EVENT_PREFIX}{uuid.uuid4().hex[:12].upper()}"
            self._audit(connection, IMPORT, event, 0, actor.identity, at, {
                "source": source, "audit_log_supplied": audit_rows is not None,
                "versions_added": [f"{r['entry_id']} v{r['version']}" for r in new_versions],
                "audit_rows_added": len(new_audit), "already_present": result.already_present})
            return Written(event, 0, "", IMPORT)

        self._transaction(work)
        return result

    def import_from(self, folder: Path, actor: Actor) -> ImportResult:
        audit = folder / AUDIT_FILE
        return self.import_csv((folder / ENTRIES_FILE).read_bytes(), actor,
                               audit.read_bytes() if audit.exists() else None, source=str(folder))


def _same_entry(stored: Mapping[str, object], incoming: Mapping[str, object]) -> bool:
    return all(stored.get(name) == incoming.get(name) for name in ENTRY_COLUMNS
               if name != "recorded_at") and _close_in_time(stored["recorded_at"],
                                                            incoming["recorded_at"])


def _close_in_time(first: object, second: object) -> bool:
    if isinstance(first, datetime) and isinstance(second, datetime):
        return abs(first - second) < SAME_TIME
    return first == second


def _audit_key(row: Mapping[str, object]) -> tuple[object, ...]:
    """What makes two audit rows the same row (an export keeps times to the microsecond)."""
    return (row["action"], row["entry_id"], int(row["version"]), row["who"],
            row["happened_at"], row["details"] or "")


def _action_for(version: Mapping[str, object]) -> str:
    if version["withdrawn"]:
        return WITHDRAW
    return CREATE if version["version"] == 1 else EDIT


def history_problems(stored: Mapping[tuple[str, int], Mapping[str, object]],
                     new_versions: list[dict[str, object]],
                     stored_audit: list[Mapping[str, object]],
                     new_audit: list[Mapping[str, object]], audit_supplied: bool,
                     now: datetime) -> list[str]:
    """What makes an import's history impossible, given what the store already holds.

    Entries: the versions of an entry (stored and new together) run 1, 2, 3 ... without a
    gap, share one kind, carry an id of that kind, never follow a withdrawal, and were recorded
    in order and not in the future. Audit rows: a create, edit or withdraw row names a version
    that exists, is the action that version needs, by the person who recorded it, at the time
    it was recorded, and is the only such row; an import row is either an import event
    (IMPORT-..., version 0) or names a version that exists and comes after it. With an audit
    log, every new version comes with its own row (new or already here).
    """
    problems: list[str] = []
    latest_allowed = now + CLOCK_SKEW
    versions: dict[tuple[str, int], Mapping[str, object]] = {**stored}
    for row in new_versions:
        versions[(str(row["entry_id"]), int(row["version"]))] = row
    by_entry: dict[str, list[Mapping[str, object]]] = {}
    for (entry_id, _), row in sorted(versions.items()):
        by_entry.setdefault(entry_id, []).append(row)
    touched = sorted({str(r["entry_id"]) for r in new_versions})
    for entry_id in touched:
        rows = by_entry[entry_id]
        numbers = [int(r["version"]) for r in rows]
        if numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            problems.append(f"{entry_id}: version(s) {', '.join(map(str, missing))} missing")
        kinds = {r["kind"] for r in rows}
        if len(kinds) > 1:
            problems.append(f"{entry_id}: its versions are of different kinds")
        elif not entry_id.startswith(ID_PREFIX[next(iter(kinds))]):
            problems.append(f"{entry_id}: not an id of a {KIND_TITLES[next(iter(kinds))]}")
        if any(r["withdrawn"] for r in rows[:-1]):
            problems.append(f"{entry_id}: a version follows its withdrawal")
        times = [r["recorded_at"] for r in rows]
        if any(later < earlier for earlier, later in zip(times, times[1:], strict=False)):
            problems.append(f"{entry_id}: a later version was recorded before an earlier one")
        if any(t > latest_allowed for t in times):
            problems.append(f"{entry_id}: recorded in the future")
    claimed: set[tuple[str, int]] = {
        (str(a["entry_id"]), int(a["version"])) for a in stored_audit if a["action"] != IMPORT}
    for audit in new_audit:
        entry_id, number = str(audit["entry_id"]), int(audit["version"])
        where = f"audit row {audit['action']} {entry_id} version {number}"
        happened = audit["happened_at"]
        if happened > latest_allowed:
            problems.append(f"{where}: dated in the future")
        if audit["action"] == IMPORT:
            if entry_id.startswith(IMPORT_EVENT_PREFIX) and number == 0:
                continue
            version = versions.get((entry_id, number))
            if version is None:
                problems.append(f"{where}: there is no such entry version")
            elif happened < version["recorded_at"] - SAME_TIME:
                problems.append(f"{where}: dated before the version was recorded")
            continue
        version = versions.get((entry_id, number))
        if version is None:
            problems.append(f"{where}: there is no such entry version")
            continue
        if audit["action"] != _action_for(version):
            problems.append(f"{where}: that version is a {_action_for(version)}")
        if audit["who"] != version["recorded_by"]:
            problems.append(f"{where}: recorded by {version['recorded_by']}, not "
                            f"{audit['who']}")
        if not _close_in_time(happened, version["recorded_at"]):
            problems.append(f"{where}: the version was recorded at {version['recorded_at']}")
        if (entry_id, number) in claimed:
            problems.append(f"{where}: that version already has its audit row")
        claimed.add((entry_id, number))
    if audit_supplied:
        for row in new_versions:
            key = (str(row["entry_id"]), int(row["version"]))
            if key not in claimed:
                problems.append(f"{key[0]} version {key[1]}: no audit row for it in the audit "
                                "log")
    return problems


@contextmanager
def _private_files() -> Iterator[None]:
    """Files created inside are readable by their owner only (umask is per process: callers
    hold the write lock, and other threads' files are at worst made stricter)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _make_private(path: Path) -> None:
    """Tighten a store made before files were created private (owner only)."""
    for found in (path, path.with_name(path.name + ".wal")):
        if not found.exists():
            continue
        status = found.stat()
        if status.st_mode & 0o777 != PRIVATE_MODE and status.st_uid == os.getuid():
            found.chmod(PRIVATE_MODE)


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(descriptor, "wb") as output:
        output.write(content)
    path.chmod(PRIVATE_MODE)  # an existing file keeps its mode through os.open


def _csv(frame: pl.DataFrame) -> bytes:
    """A CSV whose formula-like text is neutralised (formatting.spreadsheet_text); import takes
    the neutralising apostrophe off again, so a round trip gives back what was entered."""
    buffer = io.BytesIO()
    formatting.spreadsheet_safe(frame).write_csv(buffer)
    return buffer.getvalue()


def _read_csv(data: bytes) -> pl.DataFrame:
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    return frame.with_columns(
        pl.col(name).map_elements(formatting.from_spreadsheet_text, return_dtype=pl.String)
        for name in frame.columns)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _read_entries(data: bytes) -> tuple[list[dict[str, object]], ImportResult]:
    """Valid rows of an entries export (typed), and a result listing the rows rejected."""
    result = ImportResult()
    try:
        frame = _read_csv(data)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise EntryRejected("import", [Problem("file", f"the file is not a readable CSV "
                                                       f"({error})")]) from error
    missing = [name for name in ENTRY_COLUMNS if name not in frame.columns]
    if missing:
        raise EntryRejected("import", [Problem("file", "the file lacks the column(s) "
                                                       + ", ".join(missing))])
    rows = frame.to_dicts()
    good: list[dict[str, object]] = []
    for kind in CONTRACT_BY_KIND:
        numbers = [i + 2 for i, r in enumerate(rows) if r["kind"] == kind]
        if not numbers:
            continue
        chosen = [rows[n - 2] for n in numbers]
        typed, problems = validate_rows(kind, chosen, numbers)
        for n, source, fields, found in zip(numbers, chosen, typed, problems, strict=True):
            found = list(found)
            version = _as_int(source.get("version"))
            at = _parse_time(source.get("recorded_at"))
            withdrawn = (source.get("withdrawn") or "").strip().lower()
            if not (source.get("entry_id") or "").strip():
                found.append(Problem("entry_id", "entry_id is empty"))
            if version is None or version < 1:
                found.append(Problem("version", "version must be a whole number of at least 1"))
            if not (source.get("recorded_by") or "").strip():
                found.append(Problem("recorded_by", "recorded_by is empty"))
            if at is None:
                found.append(Problem("recorded_at", "recorded_at is not a date and time"))
            if withdrawn not in ("true", "false"):
                found.append(Problem("withdrawn", "withdrawn must be true or false"))
            if found or fields is None:
                result.rejected.append(f"row {n}: " + "; ".join(str(p) for p in found))
                continue
            good.append({**{name: None for name in FIELD_COLUMNS}, **fields,
                         "entry_id": source["entry_id"].strip(), "version": version,
                         "kind": kind, "recorded_by": source["recorded_by"].strip(),
                         "recorded_at": at, "withdrawn": withdrawn == "true"})
    for i, r in enumerate(rows):
        if r["kind"] not in CONTRACT_BY_KIND:
            result.rejected.append(f"row {i + 2}: kind must be 'update' or 'review'")
    return good, result


def _read_audit(data: bytes, result: ImportResult) -> list[dict[str, object]]:
    frame = _read_csv(data)
    missing = [name for name in AUDIT_COLUMNS if name != "audit_id" and name not in frame.columns]
    if missing:
        raise EntryRejected("import", [Problem("file", "the audit log file lacks the column(s) "
                                                       + ", ".join(missing))])
    rows = []
    for i, r in enumerate(frame.to_dicts()):
        version = _as_int(r.get("version"))
        at = _parse_time(r.get("happened_at"))
        if r.get("action") not in AUDIT_ACTIONS or version is None or at is None \
                or not r.get("entry_id") or not r.get("who"):
            result.rejected.append(f"audit log row {i + 2}: not a valid audit row")
            continue
        rows.append({"action": r["action"], "entry_id": r["entry_id"], "version": version,
                     "who": r["who"], "happened_at": at, "details": r.get("details")})
    return rows


def _as_int(text: object) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


# --- The store of this process ----------------------------------------------------------------

_stores: dict[Path, AppStore] = {}


def app_store(path: Path | None = None) -> AppStore:
    """The store at `path` (default: COC_APP_DB, else var/app.duckdb): one per file."""
    resolved = (path or app_db_path()).resolve()
    with _write_lock:
        return _stores.setdefault(resolved, AppStore(resolved))


def entries_or_empty(kind: str) -> pl.DataFrame:
    """Current entries of one kind, or none when the store cannot be opened (pages that only
    show entries use this; the Recommendations page reports the reason instead)."""
    try:
        return app_store().entries(kind)
    except StoreUnavailable:
        return empty_entries()


def as_updates(entries: pl.DataFrame) -> pl.DataFrame:
    """App entries of kind 'update' in the shape of the warehouse's recommendation_updates, with
    who recorded them and when."""
    return entries.filter(pl.col("kind") == UPDATE).select(
        pl.col("entry_id").alias("update_id"),
        *RECOMMENDATION_UPDATES.column_names[1:],
        "version", "recorded_by", "recorded_at",
    )


def as_reviews(entries: pl.DataFrame) -> pl.DataFrame:
    """App entries of kind 'review' in the shape of the warehouse's ebe_reviews, with who
    recorded them and when."""
    return entries.filter(pl.col("kind") == REVIEW).select(
        pl.col("entry_id").alias("review_id"),
        "recommendation_id", "scope", "reviewed_on", "panel",
        pl.col("rating").cast(pl.Int64), "comment",
        "version", "recorded_by", "recorded_at",
    )


# --- Command line -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.store",
        description="Back up and move the app store (recommendation updates and EbE reviews "
                    "recorded in the app) as CSV.")
    parser.add_argument("--db", type=Path, help=f"the app store (default: ${APP_DB_ENV} or "
                                                f"{DEFAULT_APP_DB})")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help=f"write {ENTRIES_FILE} and {AUDIT_FILE}")
    export.add_argument("--out", type=Path, required=True, help="folder to write to")
    load = commands.add_parser("import", help="add the entries and audit log of an export")
    load.add_argument("--from", dest="source", type=Path, required=True,
                      help=f"folder holding {ENTRIES_FILE} (and {AUDIT_FILE})")
    load.add_argument("--who", default=f"cli:{getpass.getuser()}",
                      help="who the audit log records as importing (default: cli:<user>)")
    args = parser.parse_args(argv)
    store = app_store(args.db)
    try:
        if args.command == "export":
            entries, audit = store.export_to(args.out)
            counts = store.versions().height, store.audit_log().height
            print(f"Wrote {counts[0]} entry versions to {entries} and {counts[1]} audit rows "
                  f"to {audit}.")
            return 0
        if not (args.source / ENTRIES_FILE).exists():
            print(f"{args.source / ENTRIES_FILE} does not exist.", file=sys.stderr)
            return 2
        result = store.import_from(args.source, Actor(args.who, frozenset({ADMIN})))
        print(result.summary(), file=sys.stderr if result.rejected else sys.stdout)
        for line in result.rejected:
            print(f"  {line}", file=sys.stderr)
        return 2 if result.rejected else 0
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
