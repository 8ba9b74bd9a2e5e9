"""Versioned records for features with their own shapes (Lived experience voices): the same one
write path as entries — the role checked, the fields validated by the caller's contract, a new
version appended and its audit row written in one transaction.

A record's fields are kept as JSON in `peer_records.body`. The audit row says which kind, which
record and version, and which fields were given, never their values. `purge` is the one change
that rewrites old rows: it empties the body of every version of every record of one account (a
participant's withdrawal), so what they said is in no version, page, export or later backup.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from dashboard.store.backup import RECORD_ID_PREFIX
from dashboard.store.core import AppStore, _audit
from dashboard.store.model import (
    ADMIN,
    CREATE,
    EDIT,
    IMPORT,
    WITHDRAW,
    Actor,
    EditConflict,
    EntryNotFound,
    NotAllowed,
    now,
)

RECORD_COLUMNS = ("record_id", "version", "kind", "account_ref", "body", "recorded_by",
                  "recorded_at", "withdrawn")
RECORD_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(), "version": pl.Int32(), "kind": pl.String(),
    "account_ref": pl.String(), "body": pl.String(), "recorded_by": pl.String(),
    "recorded_at": pl.Datetime("us"), "withdrawn": pl.Boolean(),
}
RECORD_LIST = ", ".join(RECORD_COLUMNS)
INSERT_RECORD = (f"insert into peer_records ({RECORD_LIST}) values "
                 f"({', '.join('?' for _ in RECORD_COLUMNS)})")
LATEST = f"""
select {', '.join('r.' + c for c in RECORD_COLUMNS)}
from peer_records r
join (select record_id, max(version) as latest from peer_records group by record_id) m
  on r.record_id = m.record_id and r.version = m.latest
"""


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: its name and title, who may write it, and its validator (the
    record's typed fields, or an EntryRejected)."""

    name: str
    title: str
    write_roles: frozenset[str]
    validate: Callable[[Mapping[str, object]], dict[str, object]]

    def allowed(self, actor: Actor) -> bool:
        return ADMIN in actor.roles or bool(self.write_roles & actor.roles)


@dataclass(frozen=True)
class Change:
    """One record to write: new (record_id None) or a new version of `record_id`."""

    kind: RecordKind
    values: Mapping[str, object]
    record_id: str | None = None
    account_ref: str | None = None
    based_on_version: int | None = None


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not stored in a record")


def new_record_id(kind: str) -> str:
    return f"{RECORD_ID_PREFIX}{kind[:3].upper()}-{uuid.uuid4().hex[:12].upper()}"


class Records:
    """The records of one app store."""

    def __init__(self, store: AppStore) -> None:
        self.store = store

    # Reads -----------------------------------------------------------------------------------

    def latest(self, kind: str | None = None, include_withdrawn: bool = False) -> list[dict]:
        """The latest version of every record (of one kind): its columns and its fields."""
        where, params = [], []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if not include_withdrawn:
            where.append("not withdrawn")
        clause = f"where {' and '.join(where)}" if where else ""
        rows = self.store.backend.read(f"select * from ({LATEST}) latest {clause} "
                                       "order by recorded_at, record_id", params) or []
        return [_with_fields(row) for row in rows]

    def versions(self, record_id: str | None = None) -> pl.DataFrame:
        """Every version (of one record, or of all), as stored."""
        sql = f"select {RECORD_LIST} from peer_records"
        params: list[object] = []
        if record_id is not None:
            sql += " where record_id = ?"
            params.append(record_id)
        rows = self.store.backend.read(sql + " order by record_id, version", params) or []
        if not rows:
            return pl.DataFrame(schema=RECORD_SCHEMA)
        return pl.DataFrame([{c: r[c] for c in RECORD_COLUMNS} for r in rows],
                            schema=RECORD_SCHEMA, orient="row")

    # Writes ----------------------------------------------------------------------------------

    def write(self, changes: Iterable[Change], actor: Actor) -> list[tuple[str, int]]:
        """Write every change in one transaction (all or nothing): (record id, version) each.
        The role is checked and every change validated before anything is written."""
        changes = list(changes)
        typed = []
        for change in changes:
            if not change.kind.allowed(actor):
                raise NotAllowed(f"{actor.label or actor.identity} may not record a "
                                 f"{change.kind.title}.")
            typed.append(change.kind.validate(change.values))
        written = []
        lock = changes[0].record_id or changes[0].account_ref if changes else None
        with self.store.backend.transaction(lock) as tx:
            at = now()
            for change, fields in zip(changes, typed, strict=True):
                if change.record_id is None:
                    record_id, version, action = new_record_id(change.kind.name), 1, CREATE
                    account_ref = change.account_ref
                else:
                    found = tx.rows(f"select {RECORD_LIST} from peer_records where record_id = ? "
                                    "order by version desc limit 1", [change.record_id])
                    if not found:
                        raise EntryNotFound(f"There is no record {change.record_id}.")
                    latest = found[0]
                    if latest["withdrawn"]:
                        raise EditConflict(f"{change.record_id} has been withdrawn.")
                    if latest["kind"] != change.kind.name:
                        raise EditConflict(f"{change.record_id} is not a {change.kind.title}.")
                    if change.based_on_version is not None and \
                            latest["version"] != change.based_on_version:
                        raise EditConflict(
                            f"This {change.kind.title} was changed by {latest['recorded_by']} "
                            "after you opened it. Nothing was saved: reload it and make your "
                            "change again.")
                    record_id, action = change.record_id, EDIT
                    version = int(latest["version"]) + 1
                    account_ref = latest["account_ref"]
                    at = max(at, latest["recorded_at"])
                body = json.dumps(fields, sort_keys=True, default=_json_default)
                tx.execute(INSERT_RECORD, [record_id, version, change.kind.name, account_ref,
                                           body, actor.identity, at, False])
                _audit(tx, action, record_id, version, actor.identity, at,
                       {"kind": change.kind.name, "fields": sorted(fields)})
                written.append((record_id, version))
        return written

    def retire(self, record_id: str, kind: RecordKind, actor: Actor) -> tuple[str, int]:
        """A new version marked withdrawn (a record taken out of use, e.g. a quote rejected or
        a second-coding assignment cancelled); its content stays in earlier versions."""
        if not kind.allowed(actor):
            raise NotAllowed(f"{actor.label or actor.identity} may not change a {kind.title}.")
        with self.store.backend.transaction(record_id) as tx:
            found = tx.rows(f"select {RECORD_LIST} from peer_records where record_id = ? "
                            "order by version desc limit 1", [record_id])
            if not found or found[0]["kind"] != kind.name:
                raise EntryNotFound(f"There is no {kind.title} {record_id}.")
            latest = found[0]
            if latest["withdrawn"]:
                raise EditConflict(f"{record_id} is already withdrawn.")
            at = max(now(), latest["recorded_at"])
            version = int(latest["version"]) + 1
            tx.execute(INSERT_RECORD, [record_id, version, kind.name, latest["account_ref"],
                                       latest["body"], actor.identity, at, True])
            _audit(tx, WITHDRAW, record_id, version, actor.identity, at, {"kind": kind.name})
        return record_id, version

    def purge(self, account_ref: str, actor: Actor, allowed: bool, event_id: str) -> int:
        """Empty the body of every version of every record of `account_ref` and mark them all
        withdrawn; one audit row (`event_id`) says a withdrawal happened and how many records it
        took out. Returns that number (0: nothing held that reference)."""
        if not allowed:
            raise NotAllowed(f"{actor.label or actor.identity} may not withdraw an account.")
        with self.store.backend.transaction(whole_store=True) as tx:
            found = tx.rows("select count(distinct record_id) as n from peer_records "
                            "where account_ref = ?", [account_ref])
            count = int(found[0]["n"])
            if count == 0:
                return 0
            tx.execute("update peer_records set body = null, withdrawn = true "
                       "where account_ref = ?", [account_ref])
            _audit(tx, WITHDRAW, event_id, 0, actor.identity, now(),
                   {"kind": "participant withdrawal", "records_removed": count})
        self.store.backend.compact()
        return count


def restore(store: AppStore, versions: pl.DataFrame, actor: Actor, event_id: str) -> int:
    """Add the record versions of a backup (`Records.versions` as CSV) that the store lacks, in
    one transaction, with one audit row (`event_id`). A version of an account the store has
    withdrawn is never brought back. The number of versions added."""
    if ADMIN not in actor.roles:
        raise NotAllowed(f"{actor.label or actor.identity} may not restore records: only an "
                         "administrator may.")
    with store.backend.transaction(whole_store=True) as tx:
        held = {(r["record_id"], int(r["version"])) for r in
                tx.rows("select record_id, version from peer_records")}
        withdrawn = {r["account_ref"] for r in tx.rows(
            "select distinct account_ref from peer_records where withdrawn and body is null")}
        added = 0
        for row in versions.iter_rows(named=True):
            if (row["record_id"], int(row["version"])) in held or \
                    (row["account_ref"] is not None and row["account_ref"] in withdrawn):
                continue
            tx.execute(INSERT_RECORD, [row[c] for c in RECORD_COLUMNS])
            added += 1
        _audit(tx, IMPORT, event_id, 0, actor.identity, now(),
               {"kind": "peer records restored", "versions_added": added})
    return added


def read_backup(content: bytes) -> pl.DataFrame:
    """A `backup` CSV as record versions (typed)."""
    return pl.read_csv(content, schema=RECORD_SCHEMA)


def _with_fields(row: Mapping[str, object]) -> dict:
    fields = json.loads(row["body"]) if row.get("body") else {}
    return {**fields, **{c: row[c] for c in RECORD_COLUMNS if c != "body"}}
