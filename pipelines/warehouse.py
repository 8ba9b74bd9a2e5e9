"""Publishing: write the published tables into a new DuckDB file and swap it in atomically.

The new warehouse is built beside the old one under a temporary name, checkpointed, closed and
fsynced, and only then renamed over the old file (`os.replace`, atomic on one filesystem). A
build that fails or is killed at any moment therefore leaves the previous warehouse in place,
readable and unchanged; readers holding it open keep reading the old file until they reopen.

The load history is carried forward from the previous warehouse so the Data page can show every
successful load, not just the latest. One build of a warehouse runs at a time (`build_lock`):
two at once would each carry forward the same history, and the later swap would lose the
other's load.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import polars as pl

HISTORY_TABLES = ("load_runs", "load_files")
TEMP_SUFFIX = ".building"
LOCK_SUFFIX = ".lock"


class PublishError(Exception):
    """The warehouse (or the report) cannot be written, or another build of it is running.
    Raised before anything is replaced; the message says what to do."""


def check_output_path(path: Path, what: str) -> None:
    """Refuse, before any work, a file the build could not write: a folder, a path under a
    file, or a folder in which no file can be created (a file is replaced by renaming a new
    one over it, so it is the folder that must be writable)."""
    if path.is_dir():
        raise PublishError(f"the {what} {path} is a folder, not a file")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise PublishError(f"cannot write the {what} {path}: {folder} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise PublishError(f"cannot write the {what} {path}: cannot create a file in {folder} "
                           f"({exc.strerror or exc})") from exc


def lock_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}{LOCK_SUFFIX}")


@contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's build lock (an advisory lock on a file beside it, freed by the
    system if the build dies) or raise PublishError naming the build that holds it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path_for(warehouse), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise PublishError(f"another build of {warehouse} is running (pid {holder}); "
                               "wait for it to finish, then build again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the file frees the lock


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
            return {name: _utc(con.sql(f"select * from {name}").pl())
                    for name in HISTORY_TABLES if name in present}
    except duckdb.Error:
        # An unreadable old warehouse loses its history but must not block a rebuild.
        return {}


def _utc(frame: pl.DataFrame) -> pl.DataFrame:
    """Time stamps as the build makes them (zone "UTC"). DuckDB hands TIMESTAMPTZ back in the
    session's zone (e.g. "Etc/UTC"), and Polars will not stack two zones, so without this the
    history of the last build could not be carried into the next one."""
    return frame.with_columns(
        pl.col(name).dt.convert_time_zone("UTC")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    )


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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_builds(warehouse: Path) -> list[Path]:
    """Delete temporary files left by builds that were killed (their process is gone from
    this machine); a build still running keeps its file."""
    removed: list[Path] = []
    prefix = f"{warehouse.name}{TEMP_SUFFIX}-"
    if not warehouse.parent.is_dir():
        return removed
    for path in warehouse.parent.iterdir():
        if not path.name.startswith(prefix):
            continue
        pid_text = path.name[len(prefix):].removesuffix(".wal")
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
            continue
        with suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


def publish(warehouse: Path, tables: Mapping[str, pl.DataFrame]) -> None:
    """Write `tables` into a fresh warehouse file and atomically replace `warehouse` with it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(warehouse)
    temp = temp_path_for(warehouse)
    # A leftover of this pid from an earlier run (pids are reused), with its WAL: DuckDB would
    # otherwise replay the stale WAL into the new file.
    for leftover in (temp, Path(f"{temp}.wal")):
        with suppress(FileNotFoundError):
            leftover.unlink()
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
