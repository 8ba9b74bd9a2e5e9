"""The app store's one write path and its reads, the same on both backends.

Every write is one transaction that checks the role, validates by the contract, appends the
entry version and writes its audit row; the backend serialises writes per entry (and an import
against every other write). Rows are only ever appended.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import polars as pl

from dashboard.store import backup
from dashboard.store.backends import Backend, Transaction, describe, open_backend, write_private
from dashboard.store.model import (
    AUDIT_COLUMNS,
    AUDIT_FILE,
    AUDIT_SCHEMA,
    CONTRACT_BY_KIND,
    CREATE,
    EDIT,
    ENTRIES_FILE,
    ENTRY_COLUMNS,
    ENTRY_SCHEMA,
    ID_PREFIX,
    IMPORT,
    IMPORT_EVENT_PREFIX,
    KIND_TITLES,
    MAX_TEXT_CHARS,
    REVIEW,
    ROLE_FOR_KIND,
    UPDATE,
    WITHDRAW,
    Actor,
    EditConflict,
    EntryNotFound,
    EntryRejected,
    ImportResult,
    NotAllowed,
    Problem,
    Written,
    empty_audit,
    empty_entries,
    now,
)
from dashboard.store.validation import validate

ENTRY_LIST = ", ".join(ENTRY_COLUMNS)
INSERT_ENTRY = (f"insert into entries ({ENTRY_LIST}) values "
                f"({', '.join('?' for _ in ENTRY_COLUMNS)})")
INSERT_AUDIT = ("insert into audit_log (action, entry_id, version, who, happened_at, details) "
                "values (?, ?, ?, ?, ?, ?)")
# The latest version of every entry, in SQL both backends run.
LATEST_VERSIONS = f"""
select {', '.join('e.' + name for name in ENTRY_COLUMNS)}
from entries e
join (select entry_id, max(version) as latest from entries group by entry_id) m
  on e.entry_id = m.entry_id and e.version = m.latest
"""


def _new_entry_id(kind: str) -> str:
    return f"{ID_PREFIX[kind]}{uuid.uuid4().hex[:12].upper()}"


def _frame(rows: list[dict[str, object]] | None, schema: Mapping[str, pl.DataType]
           ) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=dict(schema))
    return pl.DataFrame([{name: row[name] for name in schema} for row in rows],
                        schema=dict(schema), orient="row")


class AppStore:
    """The app store at one location (a DuckDB file or a PostgreSQL URL)."""

    def __init__(self, location: Path | str) -> None:
        self.backend: Backend = open_backend(location)
        self.location = location
        # The file of a DuckDB store (None for a server).
        self.path: Path | None = location if isinstance(location, Path) else None

    def describe(self) -> str:
        """Where this store is, for people (never a password)."""
        return describe(self.location)

    def close(self) -> None:
        self.backend.close()

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
        rows = self.backend.read(f"select * from ({LATEST_VERSIONS}) latest {clause} "
                                 "order by recorded_at, entry_id", params)
        return _frame(rows, ENTRY_SCHEMA)

    def versions(self, entry_id: str | None = None) -> pl.DataFrame:
        """Every version of one entry (or of all), oldest first."""
        if entry_id is None:
            rows = self.backend.read(f"select {ENTRY_LIST} from entries "
                                     "order by entry_id, version")
        else:
            rows = self.backend.read(f"select {ENTRY_LIST} from entries where entry_id = ? "
                                     "order by version", [entry_id])
        return _frame(rows, ENTRY_SCHEMA)

    def audit_log(self) -> pl.DataFrame:
        rows = self.backend.read(f"select {', '.join(AUDIT_COLUMNS)} from audit_log "
                                 "order by audit_id")
        return _frame(rows, AUDIT_SCHEMA)

    def counts(self) -> dict[str, int]:
        """Current (not withdrawn) entries by kind, and audit rows."""
        entries = self.entries()
        return {
            UPDATE: entries.filter(pl.col("kind") == UPDATE).height,
            REVIEW: entries.filter(pl.col("kind") == REVIEW).height,
            "audit": self.audit_log().height,
        }

    # Writes ---------------------------------------------------------------------------------

    @staticmethod
    def _insert(tx: Transaction, row: Mapping[str, object], action: str, who: str,
                at: datetime, details: Mapping[str, object]) -> None:
        tx.execute(INSERT_ENTRY, [row.get(name) for name in ENTRY_COLUMNS])
        _audit(tx, action, str(row["entry_id"]), int(row["version"]), who, at, details)

    def record(self, kind: str, values: Mapping[str, object], actor: Actor) -> Written:
        """Store a new entry (validated by its contract) and its audit row."""
        if kind not in CONTRACT_BY_KIND:
            raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(CONTRACT_BY_KIND)}")
        if not actor.can_record(kind):
            raise NotAllowed(f"{actor.label or actor.identity} may not record a "
                             f"{KIND_TITLES[kind]}. Ask an administrator for the "
                             f"'{ROLE_FOR_KIND[kind]}' role.")
        typed = validate(kind, values)
        _check_allowed(actor, kind, typed)
        entry_id = _new_entry_id(kind)
        with self.backend.transaction(entry_id) as tx:
            at = now()
            row = {**typed, "entry_id": entry_id, "version": 1, "kind": kind,
                   "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}
            self._insert(tx, row, CREATE, actor.identity, at, {"kind": kind})
        return Written(entry_id, 1, kind, CREATE)

    def _latest(self, tx: Transaction, entry_id: str) -> dict:
        rows = tx.rows(f"select {ENTRY_LIST} from entries where entry_id = ? "
                       "order by version desc limit 1", [entry_id])
        if not rows:
            raise EntryNotFound(f"There is no entry {entry_id} in the app store.")
        return dict(rows[0])

    def _after(self, latest: Mapping[str, object]) -> datetime:
        """Now, or the latest version's time if another machine's clock ran ahead: versions
        never go back in time."""
        return max(now(), latest["recorded_at"])

    def edit(self, entry_id: str, values: Mapping[str, object], actor: Actor,
             based_on_version: int | None = None) -> Written:
        """A new version of an entry with the given fields (the old versions are kept)."""
        with self.backend.transaction(entry_id) as tx:
            latest = self._latest(tx, entry_id)
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
            _check_allowed(actor, kind, latest)  # neither the entry as it was ...
            _check_allowed(actor, kind, typed)  # ... nor as it becomes may be another's
            changed = sorted(name for name, value in typed.items() if latest.get(name) != value)
            at = self._after(latest)
            version = int(latest["version"]) + 1
            row = {**typed, "entry_id": entry_id, "version": version, "kind": kind,
                   "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}
            self._insert(tx, row, EDIT, actor.identity, at, {"changed": changed})
        return Written(entry_id, version, kind, EDIT)

    def withdraw(self, entry_id: str, actor: Actor, reason: str = "") -> Written:
        """Withdraw an entry (administrators only): a new version marked withdrawn, so it no
        longer shows; every earlier version and the audit log keep it."""
        if not actor.can_withdraw:
            raise NotAllowed(f"{actor.label or actor.identity} may not withdraw entries: "
                             "only an administrator may.")
        if len(reason) > MAX_TEXT_CHARS:
            raise EntryRejected("withdrawal", [Problem("reason", "the reason is longer than "
                                                                 f"{MAX_TEXT_CHARS:,} characters")])
        with self.backend.transaction(entry_id) as tx:
            latest = self._latest(tx, entry_id)
            if latest["withdrawn"]:
                raise EditConflict(f"Entry {entry_id} is already withdrawn.")
            at = self._after(latest)
            version = int(latest["version"]) + 1
            row = {**latest, "version": version, "recorded_by": actor.identity,
                   "recorded_at": at, "withdrawn": True}
            self._insert(tx, row, WITHDRAW, actor.identity, at, {"reason": reason})
        return Written(entry_id, version, latest["kind"], WITHDRAW)

    def record_batch(self, changes: list[tuple[str | None, str, Mapping[str, object]]],
                     actor: Actor) -> list[Written]:
        """Several entries in one transaction, all or nothing: each change is (entry_id or None
        for a new entry, kind, values). Every change is checked and validated like `record`
        and `edit` (an unchanged existing entry is left as it is); if any breaks its contract
        or is not allowed, nothing is stored. Holds the whole store, so the entries named
        cannot change between the check and the write."""
        checked: list[tuple[str | None, str, dict[str, object]]] = []
        for entry_id, kind, values in changes:
            if kind not in CONTRACT_BY_KIND:
                raise ValueError(f"unknown kind {kind!r}")
            typed = validate(kind, values)
            _check_allowed(actor, kind, typed)
            checked.append((entry_id, kind, typed))
        written: list[Written] = []
        with self.backend.transaction(whole_store=True) as tx:
            for entry_id, kind, typed in checked:
                if entry_id is None:
                    at, new_id = now(), _new_entry_id(kind)
                    row = {**typed, "entry_id": new_id, "version": 1, "kind": kind,
                           "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}
                    self._insert(tx, row, CREATE, actor.identity, at, {"kind": kind})
                    written.append(Written(new_id, 1, kind, CREATE))
                    continue
                latest = self._latest(tx, entry_id)
                if latest["kind"] != kind or latest["withdrawn"]:
                    raise EditConflict(f"Entry {entry_id} cannot be changed as a "
                                       f"{KIND_TITLES[kind]}.")
                _check_allowed(actor, kind, latest)
                changed = sorted(name for name, value in typed.items()
                                 if latest.get(name) != value)
                if not changed:
                    continue
                at, version = self._after(latest), int(latest["version"]) + 1
                row = {**typed, "entry_id": entry_id, "version": version, "kind": kind,
                       "recorded_by": actor.identity, "recorded_at": at, "withdrawn": False}
                self._insert(tx, row, EDIT, actor.identity, at, {"changed": changed})
                written.append(Written(entry_id, version, kind, EDIT))
        return written

    # Export and import ----------------------------------------------------------------------

    def export_csv(self) -> tuple[bytes, bytes]:
        """(entries CSV, audit log CSV): every version of every entry, and the whole log."""
        return backup.to_csv(self.versions()), backup.to_csv(self.audit_log())

    def export_to(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        entries, audit = self.export_csv()
        for name, content in ((ENTRIES_FILE, entries), (AUDIT_FILE, audit)):
            write_private(folder / name, content)
        return folder / ENTRIES_FILE, folder / AUDIT_FILE

    def import_csv(self, entries_csv: bytes, actor: Actor, audit_csv: bytes | None = None,
                   source: str = "upload") -> ImportResult:
        """Add the entry versions and audit rows of an export that are not here yet.

        Every row is validated by its contract and the history as a whole by
        `history_problems`; if anything is wrong nothing is imported and `rejected` lists every
        problem. A successful import adds one audit row of its own, by `actor`. It holds the
        whole store while it checks and writes, so no other write comes between.
        """
        if not actor.can_import:
            raise NotAllowed(f"{actor.label or actor.identity} may not import entries: only an "
                             "administrator may.")
        incoming, result = backup.read_entries(entries_csv)
        audit_rows = backup.read_audit(audit_csv, result) if audit_csv is not None else None
        with self.backend.transaction(whole_store=True) as tx:
            at = now()
            stored = {(r["entry_id"], r["version"]): r
                      for r in tx.rows(f"select {ENTRY_LIST} from entries")}
            stored_audit = tx.rows(f"select {', '.join(AUDIT_COLUMNS)} from audit_log")
            new_versions = []
            for row in incoming:
                found = stored.get((row["entry_id"], row["version"]))
                if found is None:
                    new_versions.append(row)
                elif backup.same_entry(found, row):
                    result.already_present += 1
                else:
                    result.rejected.append(
                        f"{row['entry_id']} version {row['version']}: a different version "
                        "with this number is already in the store")
            here = {backup.audit_key(a) for a in stored_audit}
            new_audit = [a for a in audit_rows or [] if backup.audit_key(a) not in here]
            result.rejected += backup.history_problems(stored, new_versions, stored_audit,
                                                       new_audit, audit_rows is not None, at)
            if result.rejected:
                return result
            for row in new_versions:
                tx.execute(INSERT_ENTRY, [row.get(name) for name in ENTRY_COLUMNS])
            for audit in new_audit:
                tx.execute(INSERT_AUDIT, [audit["action"], audit["entry_id"], audit["version"],
                                          audit["who"], audit["happened_at"], audit["details"]])
            result.added, result.audit_added = len(new_versions), len(new_audit)
            event = f"{IMPORT_EVENT_PREFIX}{uuid.uuid4().hex[:12].upper()}"
            _audit(tx, IMPORT, event, 0, actor.identity, at, {
                "source": source, "audit_log_supplied": audit_rows is not None,
                "versions_added": [f"{r['entry_id']} v{r['version']}" for r in new_versions],
                "audit_rows_added": len(new_audit), "already_present": result.already_present})
        return result

    def import_from(self, folder: Path, actor: Actor) -> ImportResult:
        audit = folder / AUDIT_FILE
        return self.import_csv((folder / ENTRIES_FILE).read_bytes(), actor,
                               audit.read_bytes() if audit.exists() else None, source=str(folder))


def _check_allowed(actor: Actor, kind: str, values: Mapping[str, object]) -> None:
    problem = actor.record_problem(kind, dict(values))
    if problem is not None:
        raise NotAllowed(problem)


def _audit(tx: Transaction, action: str, entry_id: str, version: int, who: str,
           at: datetime, details: Mapping[str, object]) -> None:
    tx.execute(INSERT_AUDIT, [action, entry_id, version, who, at,
                              json.dumps(details, sort_keys=True, default=str)])


__all__ = ["AppStore", "empty_audit", "empty_entries"]
