"""Data access: the only module of the dashboard that reads the warehouse.

The warehouse is opened read-only. Each query gets its own cursor (Streamlit serves many sessions
from threads of one process). The file's identity (inode, size, mtime) is checked on every query:
when the pipeline swaps in a rebuilt warehouse, the next query opens the new file in a DuckDB
instance of its own, the replaced file is closed once its last reader is done, and the cache,
keyed by that identity, starts afresh. Results are cached in a bounded LRU cache.

Views never open connections: they call the functions at the bottom of this module.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from dashboard import settings
from pipelines.definitions import registry
from pipelines.definitions.published import ALL, ENGLAND, LONDON, PUBLISHED, QUARTER, YEAR

WAREHOUSE_ENV = settings.WAREHOUSE.name
DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "var" / "warehouse.duckdb"
QUERY_CACHE_ENTRIES = 512
CATALOG = "warehouse"  # the name the file is attached under
BUILD_COMMAND = "make warehouse"
DEFAULT_LA = "E09000022"  # Lambeth: a large borough, so most of its figures are published
BREAKDOWN_TITLES: dict[str, str] = registry.BREAKDOWN_TITLES


class WarehouseMissing(RuntimeError):
    """There is no warehouse to read yet. The message says how to build one."""


@dataclass(frozen=True)
class FileVersion:
    inode: int
    size: int
    mtime_ns: int


def warehouse_path() -> Path:
    return Path(settings.read(settings.WAREHOUSE) or DEFAULT_WAREHOUSE)


class _Snapshot:
    """One version of the warehouse file, attached read-only to a DuckDB instance of its own.

    `duckdb.connect(path)` hands back the instance it already holds for that path while any
    connection to it lives, i.e. the replaced file; an in-memory instance is never shared, so
    attaching the file to one always opens what is at the path now. The instance (and its file
    handle) is closed as soon as the snapshot is retired and its last reader has finished.
    """

    def __init__(self, path: Path, version: FileVersion) -> None:
        self.version = version
        self._connection = duckdb.connect(":memory:")
        quoted = str(path).replace("'", "''")
        self._connection.execute(f"attach '{quoted}' as {CATALOG} (read_only)")
        self._readers = 0
        self._retired = False
        self._lock = threading.Lock()

    def acquire(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            self._readers += 1
        cursor = self._connection.cursor()
        cursor.execute(f"use {CATALOG}")
        return cursor

    def release(self, cursor: duckdb.DuckDBPyConnection) -> None:
        cursor.close()
        with self._lock:
            self._readers -= 1
            if self._retired and self._readers == 0:
                self._connection.close()

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            if self._readers == 0:
                self._connection.close()


class Warehouse:
    """A read-only view of the published warehouse that follows atomic replacements."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

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

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the current file, reopening it when it has been replaced. A reader of a
        replaced file finishes on it; the file is closed when its last reader is done."""
        version = self.version()
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.version != version:
                if snapshot is not None:
                    snapshot.retire()
                snapshot = self._snapshot = _Snapshot(self.path, version)
            cursor = snapshot.acquire()
        try:
            yield cursor
        finally:
            snapshot.release(cursor)


_warehouses: dict[Path, Warehouse] = {}
_warehouses_lock = threading.Lock()


@lru_cache(maxsize=QUERY_CACHE_ENTRIES)
def _cached(path: Path, version: FileVersion, sql: str, params: tuple) -> pl.DataFrame:
    with _warehouse_for(path).cursor() as cursor:
        return cursor.sql(sql, params=list(params)).pl()


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


FIGURE_TABLES = ("kpi_values", "release_flows", "engagement_curve")


def has_published_figures() -> bool:
    """Whether this build published any London figure (a build that loaded no prison releases
    has none, and the pages that draw figures have nothing to draw)."""
    if not all(table_exists(name) for name in FIGURE_TABLES):
        return False
    found = query("select count(*) as n from kpi_values where area_type <> ?", (ENGLAND,))
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


# --- Reference data and the KPI registry ------------------------------------------------------

def kpi_definitions() -> pl.DataFrame:
    """The KPI registry as published, in display order."""
    return query("select * from kpi_definitions order by display_order")


def kpi_ids(place: str) -> list[str]:
    """Ids of the KPIs the registry shows in `place` (registry.PLACES), in display order."""
    return query("select id from kpi_definitions where list_contains(shown_in, ?) "
                 "order by display_order", (place,)).get_column("id").to_list()


def kpi_definition(kpi_id: str) -> dict:
    return kpi_definitions().filter(pl.col("id") == kpi_id).row(0, named=True)


def local_authorities() -> pl.DataFrame:
    """London LAs with codes, names, abbreviations, sub-regions and tile positions, by name."""
    return query("select * from ref_local_authorities order by name")


def prisons() -> pl.DataFrame:
    return query("select * from ref_prisons order by name")


def recommendations() -> pl.DataFrame:
    return query("select * from ref_recommendations")


# --- Published figures ------------------------------------------------------------------------

KPI_VALUE_FILTERS = ("kpi_id", "period", "period_type", "area_type", "area_code", "breakdown",
                     "category", "status")


def kpi_values(**filters: str | Sequence[str] | None) -> pl.DataFrame:
    """Rows of `kpi_values` matching the given column filters (a value or a list of values)."""
    clauses, params = [], []
    for column, wanted in filters.items():
        if column not in KPI_VALUE_FILTERS:
            raise ValueError(f"cannot filter kpi_values on {column!r}")
        if wanted is None:
            continue
        if isinstance(wanted, str):
            clauses.append(f"{column} = ?")
            params.append(wanted)
        else:
            clauses.append(f"list_contains(?, {column})")
            params.append(list(wanted))
    where = f"where {' and '.join(clauses)}" if clauses else ""
    return query(f"select * from kpi_values {where} "
                 "order by kpi_id, period_start, period, area_type, area_code, breakdown, "
                 "category", tuple(_hashable(p) for p in params))


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def periods(period_type: str) -> list[str]:
    """Periods of one type that have figures, oldest first."""
    rows = query("select distinct period, period_start from kpi_values where period_type = ? "
                 "and area_type <> ? order by period_start", (period_type, ENGLAND))
    return rows.get_column("period").to_list()


def latest_complete_year() -> str:
    """The latest year whose figure for London on the primary KPI (continuity of care) is
    published."""
    rows = query("select period from kpi_values where kpi_id = ? and area_type = ? and "
                 "breakdown = ? and period_type = ? and status = ? order by period_start desc "
                 "limit 1", (registry.PRIMARY_KPI, LONDON, ALL, YEAR, PUBLISHED))
    if rows.is_empty():
        years = periods(YEAR)
        return years[-1] if years else ""
    return rows.item()


def published_comparators(area_codes: Sequence[str]) -> pl.DataFrame:
    """Rows of the comparators extract (Fingertips) for the given areas; empty without one."""
    if not table_exists("comparators"):
        return pl.DataFrame(schema={"indicator_name": pl.String, "area_code": pl.String,
                                    "time_period": pl.String, "value": pl.Float64,
                                    "value_note": pl.String})
    return query("select indicator_name, area_code, trim(time_period) as time_period, value, "
                 "value_note from comparators where list_contains(?, area_code) "
                 "order by area_code, time_period", (tuple(area_codes),))


def spc_latest(area_type: str, area_code: str) -> pl.DataFrame:
    """Each KPI's latest headline quarter with a published figure, with its SPC columns."""
    return query(
        "select kpi_id, period, value, status, spc_signal, spc_rule, spc_limits, spc_mean, "
        "spc_lower, spc_upper, spc_assurance from kpi_values where period_type = ? "
        "and breakdown = ? and area_type = ? and area_code = ? and status = ? "
        "qualify row_number() over (partition by kpi_id order by period_start desc) = 1 "
        "order by kpi_id", (QUARTER, ALL, area_type, area_code, PUBLISHED))


def release_flows(period: str) -> pl.DataFrame:
    return query("select * from release_flows where period = ? order by prison, residence",
                 (period,))


def engagement_curve() -> pl.DataFrame:
    return query("select * from engagement_curve order by period, day")


def services(la: str | None = None) -> pl.DataFrame:
    if la is None:
        return query("select * from services order by la, name")
    return query("select * from services where la = ? order by name", (la,))


# --- Recommendation tracker and lived experience (extracts as published) -----------------------
# Entries recorded in the app are not here: they live in the app store (dashboard.store).

def tracker_updates_published() -> pl.DataFrame:
    """Partners' recommendation updates from the extract, oldest first."""
    return query("select * from recommendation_updates order by reported_on, update_id")


def tracker_reviews_published() -> pl.DataFrame:
    """The EbE group's reviews from the extract, oldest first."""
    return query("select * from ebe_reviews order by reviewed_on, review_id")


def consultation_feedback() -> pl.DataFrame:
    """What people said at consultation events (anonymised), by event date."""
    return query("select * from lived_experience_feedback order by event_date, feedback_id")
