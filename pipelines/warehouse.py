"""Publishing: write the published tables into a new DuckDB file and swap it in atomically.

The new warehouse is built beside the old one under a temporary name, checkpointed, closed and
fsynced, and only then renamed over the old file (`os.replace`, atomic on one filesystem). A
build that fails or is killed at any moment therefore leaves the previous warehouse in place,
readable and unchanged; readers holding it open keep reading the old file until they reopen.

The load history is carried forward from the previous warehouse so the Data page can show every
successful load, not just the latest.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

import duckdb
import polars as pl

HISTORY_TABLES = ("load_runs", "load_files")
TEMP_SUFFIX = ".building"


def temp_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}{TEMP_SUFFIX}-{os.getpid()}")


def previous_history(warehouse: Path) -> dict[str, pl.DataFrame]:
    """Load-history tables of the current warehouse, if there is a readable one."""
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            present = {row[0] for row in con.execute("select table_name from duckdb_tables()").
                       fetchall()}
            return {name: con.sql(f"select * from {name}").pl()
                    for name in HISTORY_TABLES if name in present}
    except duckdb.Error:
        # An unreadable old warehouse loses its history but must not block a rebuild.
        return {}


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register("_incoming", frame)
    try:
        con.execute(f'create table "{name}" as select * from _incoming')
    finally:
        con.unregister("_incoming")


def publish(warehouse: Path, tables: Mapping[str, pl.DataFrame]) -> None:
    """Write `tables` into a fresh warehouse file and atomically replace `warehouse` with it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(warehouse)
    with suppress(FileNotFoundError):
        temp.unlink()
    try:
        with duckdb.connect(str(temp)) as con:
            for name, frame in tables.items():
                write_table(con, name, frame)
            con.execute("checkpoint")
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, warehouse)
        _fsync_dir(warehouse.parent)
    finally:
        with suppress(FileNotFoundError):
            temp.unlink()
        with suppress(FileNotFoundError):
            Path(f"{temp}.wal").unlink()
