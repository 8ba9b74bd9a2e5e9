"""Data access: the only module of the dashboard that reads the warehouse.

The warehouse is opened read-only. Each query gets its own cursor (Streamlit serves many sessions
from threads of one process). The file's identity (inode, size, mtime) is checked on every query:
when the pipeline swaps in a rebuilt warehouse, the next query opens the new file and the cache,
keyed by that identity, starts afresh. Results are cached in a bounded LRU cache.

Views never open connections: they call the functions at the bottom of this module.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

WAREHOUSE_ENV = "COC_WAREHOUSE"
DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "var" / "warehouse.duckdb"
QUERY_CACHE_ENTRIES = 512
BUILD_COMMAND = "make warehouse"


class WarehouseMissing(RuntimeError):
    """There is no warehouse to read yet. The message says how to build one."""


@dataclass(frozen=True)
class FileVersion:
    inode: int
    size: int
    mtime_ns: int


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


class Warehouse:
    """A read-only view of the published warehouse that follows atomic replacements."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._version: FileVersion | None = None

    def version(self) -> FileVersion:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise WarehouseMissing(
                f"No warehouse has been built at {self.path}. Build it with `{BUILD_COMMAND}` "
                "(or `python -m pipelines build --source data_samples --warehouse "
                f"{self.path}`), then reload this page."
            ) from None
        return FileVersion(stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def cursor(self) -> tuple[duckdb.DuckDBPyConnection, FileVersion]:
        """A new cursor on the current file, reopening it when it has been replaced."""
        version = self.version()
        with self._lock:
            if self._connection is None or version != self._version:
                # The old connection is left to close when its last cursor is gone: another
                # thread may still be reading the previous file through it.
                self._connection = duckdb.connect(str(self.path), read_only=True)
                self._version = version
            return self._connection.cursor(), version


_warehouses: dict[Path, Warehouse] = {}
_warehouses_lock = threading.Lock()


@lru_cache(maxsize=QUERY_CACHE_ENTRIES)
def _cached(path: Path, version: FileVersion, sql: str, params: tuple) -> pl.DataFrame:
    cursor, _ = _warehouse_for(path).cursor()
    try:
        return cursor.sql(sql, params=list(params)).pl()
    finally:
        cursor.close()


def _warehouse_for(path: Path) -> Warehouse:
    with _warehouses_lock:
        return _warehouses.setdefault(path, Warehouse(path))


def _warehouse() -> Warehouse:
    return _warehouse_for(warehouse_path())


def query(sql: str, params: tuple = ()) -> pl.DataFrame:
    """Run a read query on the current warehouse, cached per warehouse version."""
    store = _warehouse()
    return _cached(store.path, store.version(), sql, params)


def table_exists(name: str) -> bool:
    found = query("select count(*) as n from duckdb_tables() where table_name = ?", (name,))
    return bool(found.item())


# --- Build and load history -------------------------------------------------------------------

def build_info() -> dict:
    """The latest build: run id, time, data cut-off, whether the data is synthetic, source."""
    rows = query("select * from build_info limit 1").to_dicts()
    return rows[0] if rows else {}


def load_runs() -> pl.DataFrame:
    return query(
        "select run_id, started_at, finished_at, data_cutoff, synthetic, files, rows_read, "
        "rows_loaded, rows_rejected, duplicates from load_runs order by started_at desc"
    )


def load_files(run_id: str) -> pl.DataFrame:
    return query(
        "select extract, path, rows_read, rows_loaded, rows_rejected, duplicates, "
        "ignored_columns from load_files where run_id = ? order by extract, path",
        (run_id,),
    )


def reject_reasons(run_id: str) -> pl.DataFrame:
    """Rejected rows of a run, counted by extract, file, column and reason."""
    return query(
        "select extract, path, \"column\", reason, count(*) as rows, min(row) as first_row "
        "from load_rejects where run_id = ? group by all order by rows desc, extract, path",
        (run_id,),
    )


def rejected_rows(run_id: str, limit: int = 1000) -> pl.DataFrame:
    """Rejected rows with file, row, column and reason (never the values)."""
    return query(
        "select extract, path, row, \"column\", reason from load_rejects where run_id = ? "
        "order by extract, path, row limit ?",
        (run_id, limit),
    )
