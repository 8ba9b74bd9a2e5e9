"""The app store's schema: one ordered list of SQL steps (migrations/NNN_name.sql), written once
for DuckDB and PostgreSQL, applied at start-up so an existing store upgrades in place.

`store_schema` records each step applied (its number, name and when). A store made before
schema versions has no such table and counts as version 0; its first step is written with
`if not exists`, so it upgrades without losing a row. A store made by a newer app (a version
this code does not know) is refused rather than written to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from dashboard.store.model import StoreUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
STEP_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
VERSION_TABLE = """
create table if not exists store_schema (
    version integer primary key,
    step varchar not null,
    applied_at timestamp not null
)
"""


class Transaction(Protocol):
    """What a backend's transaction offers (SQL written with `?` placeholders)."""

    def execute(self, sql: str, params: list[object] | tuple = ()) -> None: ...

    def rows(self, sql: str, params: list[object] | tuple = ()) -> list[dict[str, object]]: ...


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The step's statements (the steps hold no semicolon inside a statement)."""
        text = "\n".join(line for line in self.sql.splitlines()
                         if not line.lstrip().startswith("--"))
        return [s.strip() for s in text.split(";") if s.strip()]


def steps() -> list[Step]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = STEP_NAME.match(path.name)
        if match is None:
            raise RuntimeError(f"{path.name}: a migration is named NNN_name.sql")
        found.append(Step(int(match.group(1)), match.group(2), path.read_text()))
    numbers = [s.version for s in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1, 2, 3 ... (found {numbers})")
    return found


SCHEMA_VERSION = len(steps())


def schema_version(tx: Transaction) -> int:
    tx.execute(VERSION_TABLE)
    found = tx.rows("select coalesce(max(version), 0) as version from store_schema")
    return int(found[0]["version"])


def migrate(tx: Transaction, now: Callable[[], datetime], where: str) -> list[Mapping]:
    """Apply every step the store lacks, in order, in the caller's transaction; the steps
    applied (none when the store is current)."""
    current = schema_version(tx)
    if current > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"The app store {where} has schema version {current}, made by a newer version of "
            f"the app (this one knows up to {SCHEMA_VERSION}). Upgrade the app.")
    applied = []
    for step in steps()[current:]:
        for statement in step.statements():
            tx.execute(statement)
        tx.execute("insert into store_schema (version, step, applied_at) values (?, ?, ?)",
                   [step.version, step.name, now()])
        applied.append({"version": step.version, "step": step.name})
    return applied
