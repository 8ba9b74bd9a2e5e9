"""Where the app store lives: a DuckDB file (the embedded default, one writing process) or a
PostgreSQL database (any number of processes).

Both offer the same three things to dashboard.store.core: `read` (rows of one query),
`transaction` (one all-or-nothing write, serialised per entry) and `close`. SQL is written once
with `?` placeholders.

- DuckDB: one connection per process, opened on first use; every write takes this process's
  write lock, so the threads of one Streamlit process queue. DuckDB lets one process at a time
  open the file for writing: a second process gets `StoreUnavailable` ("Conflicting lock").
- PostgreSQL: a psycopg connection pool per process. Every write transaction (read committed)
  first takes transaction-scoped advisory locks: the store lock shared (an import takes it
  exclusively, as it checks the whole history) and the entry's own lock, so two processes
  editing one entry queue and the second reads the version the first wrote.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import duckdb
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from dashboard.store import schema
from dashboard.store.model import APP_DB_ENV, StoreUnavailable, now

URL_SCHEMES = ("postgresql://", "postgres://")
PRIVATE_UMASK = 0o077  # files the store creates: owner only
PRIVATE_MODE = 0o600
POOL_MIN, POOL_MAX = 1, 8  # connections per app process
CONNECT_TIMEOUT_S = 10  # how long a write waits for the server or a free connection
# Advisory lock keys (two-int form): the store as a whole, and one entry by its id's hash.
STORE_LOCK = (1601, 0)
ENTRY_LOCK_CLASS = 1602

_write_lock = threading.RLock()  # DuckDB: the one write path of this process


def is_server_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def describe(location: str | Path) -> str:
    """Where the store is, for people: the file, or the server, port, database and user; never a
    password."""
    if not is_server_url(location):
        return f"file {location}"
    try:
        parts = conninfo_to_dict(str(location))
    except psycopg.ProgrammingError:
        return "a PostgreSQL server (the address in the setting cannot be read)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f" as {parts['user']}" if parts.get("user") else ""
    return f"PostgreSQL database {parts.get('dbname') or '(default)'} on {host}{port}{user}"


def _redacted(text: str, location: str) -> str:
    """An error message with the URL's password (if any) taken out."""
    try:
        password = conninfo_to_dict(location).get("password")
    except psycopg.ProgrammingError:
        return text.replace(location, "(the configured address)")
    return text.replace(password, "********") if password else text


Transaction = schema.Transaction


class Backend(Protocol):
    where: str

    def exists(self) -> bool: ...

    def read(self, sql: str, params: list[object] | tuple = ()
             ) -> list[dict[str, object]] | None: ...

    def transaction(self, entry_id: str | None = None, whole_store: bool = False
                    ) -> Iterator[Transaction]: ...

    def compact(self) -> None: ...

    def close(self) -> None: ...


# --- DuckDB (embedded, one process) ------------------------------------------------------------

class _DuckTransaction:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: list[object] | tuple = ()) -> None:
        self._connection.execute(sql, list(params))

    def rows(self, sql: str, params: list[object] | tuple = ()) -> list[dict[str, object]]:
        return _duck_rows(self._connection.execute(sql, list(params)))


def _duck_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class DuckDBBackend:
    """The store in one DuckDB file: one write connection, reads on their own cursors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._connection: duckdb.DuckDBPyConnection | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def _open(self, create: bool) -> duckdb.DuckDBPyConnection | None:
        """The write connection (opened once, under the write lock, and brought up to the
        current schema); None when there is no store file yet and `create` is false."""
        with _write_lock:
            if self._connection is not None:
                return self._connection
            if not create and not self.path.exists():
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with private_files():
                    connection = duckdb.connect(str(self.path))
                    try:
                        connection.execute("begin transaction")
                        schema.migrate(_DuckTransaction(connection), now, self.where)
                        connection.execute("commit")
                        connection.execute("checkpoint")
                    except BaseException:
                        connection.close()
                        raise
                make_private(self.path)
            except duckdb.Error as error:
                raise StoreUnavailable(
                    f"The app store {self.path} cannot be opened ({error}). A DuckDB store is "
                    "written by one process at a time: if another copy of the app is running "
                    f"on it, give this one its own with {APP_DB_ENV} (make run APP_DB=...), or "
                    "use a PostgreSQL store for several processes."
                ) from error
            self._connection = connection
            return connection

    def read(self, sql: str, params: list[object] | tuple = ()
             ) -> list[dict[str, object]] | None:
        connection = self._open(create=False)
        if connection is None:
            return None
        with _write_lock:  # cursors are made from the write connection one at a time
            cursor = connection.cursor()
        try:
            return _duck_rows(cursor.execute(sql, list(params)))
        finally:
            cursor.close()

    @contextmanager
    def transaction(self, entry_id: str | None = None, whole_store: bool = False
                    ) -> Iterator[Transaction]:
        connection = self._open(create=True)
        assert connection is not None
        with _write_lock, private_files():  # the write-ahead log is created by a write
            connection.execute("begin transaction")
            try:
                yield _DuckTransaction(connection)
            except BaseException:
                connection.execute("rollback")
                raise
            connection.execute("commit")

    def compact(self) -> None:
        """Write the file through (a checkpoint), so rows changed in place, such as a purged
        account, are no longer in the write-ahead log."""
        connection = self._open(create=False)
        if connection is not None:
            with _write_lock:
                connection.execute("checkpoint")

    def close(self) -> None:
        with _write_lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


# --- PostgreSQL (a server, any number of processes) -------------------------------------------

def _pg_sql(sql: str) -> str:
    return sql.replace("?", "%s")  # the store's SQL holds no literal ? or %


class _PgTransaction:
    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: list[object] | tuple = ()) -> None:
        self._connection.execute(_pg_sql(sql), list(params) or None)

    def rows(self, sql: str, params: list[object] | tuple = ()) -> list[dict[str, object]]:
        with self._connection.cursor(row_factory=dict_row) as cursor:
            cursor.execute(_pg_sql(sql), list(params) or None)
            return cursor.fetchall()


class PostgresBackend:
    """The store in a PostgreSQL database, through a connection pool of this process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = describe(url)
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return True

    def _unavailable(self, error: BaseException) -> StoreUnavailable:
        reason = _redacted(str(error).strip() or type(error).__name__, self.url)
        return StoreUnavailable(f"The app store ({self.where}) cannot be reached ({reason}). "
                                f"Check the server and {APP_DB_ENV}.")

    def _connections(self) -> ConnectionPool:
        with self._lock:
            if self._pool is not None:
                return self._pool
            try:  # one direct attempt first: a server that is down is reported at once
                psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S).close()
            except psycopg.Error as error:
                raise self._unavailable(error) from error
            pool = ConnectionPool(self.url, min_size=POOL_MIN, max_size=POOL_MAX,
                                  timeout=CONNECT_TIMEOUT_S, open=False,
                                  name="coc-app-store",
                                  kwargs={"connect_timeout": CONNECT_TIMEOUT_S})
            try:
                pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
                with pool.connection() as connection:
                    tx = _PgTransaction(connection)
                    # Processes starting together migrate one at a time.
                    tx.execute("select pg_advisory_xact_lock(?, ?)", STORE_LOCK)
                    schema.migrate(tx, now, self.where)
            except (psycopg.Error, PoolTimeout) as error:
                pool.close()
                raise self._unavailable(error) from error
            except BaseException:
                pool.close()
                raise
            self._pool = pool
            return pool

    def read(self, sql: str, params: list[object] | tuple = ()
             ) -> list[dict[str, object]] | None:
        pool = self._connections()
        try:
            with pool.connection() as connection:
                return _PgTransaction(connection).rows(sql, params)
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise self._unavailable(error) from error

    @contextmanager
    def transaction(self, entry_id: str | None = None, whole_store: bool = False
                    ) -> Iterator[Transaction]:
        pool = self._connections()
        try:
            # The pool's context commits when the block ends and rolls back on an exception.
            with pool.connection() as connection:
                tx = _PgTransaction(connection)
                store_lock = "pg_advisory_xact_lock" if whole_store else \
                    "pg_advisory_xact_lock_shared"
                if entry_id is None:
                    tx.execute(f"select {store_lock}(?, ?)", STORE_LOCK)
                else:  # both locks in one round trip, the store's first
                    tx.execute(f"select {store_lock}(?, ?), "
                               "pg_advisory_xact_lock(?, hashtext(?))",
                               [*STORE_LOCK, ENTRY_LOCK_CLASS, entry_id])
                yield tx
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise self._unavailable(error) from error

    def compact(self) -> None:
        """VACUUM the records table (outside a transaction), so the dead row versions a purge
        leaves behind are cleared."""
        pool = self._connections()
        try:
            with pool.connection() as connection:
                connection.commit()
                connection.autocommit = True
                try:
                    connection.execute("vacuum peer_records")
                finally:
                    connection.autocommit = False
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise self._unavailable(error) from error

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def open_backend(location: str | Path) -> Backend:
    if is_server_url(location):
        return PostgresBackend(str(location))
    return DuckDBBackend(Path(location))


# --- Private files (DuckDB store and exports) --------------------------------------------------

@contextmanager
def private_files() -> Iterator[None]:
    """Files created inside are readable by their owner only (umask is per process: callers
    hold the write lock, and other threads' files are at worst made stricter)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(path: Path) -> None:
    """Tighten a store made before files were created private (owner only)."""
    for found in (path, path.with_name(path.name + ".wal")):
        if not found.exists():
            continue
        status = found.stat()
        if status.st_mode & 0o777 != PRIVATE_MODE and status.st_uid == os.getuid():
            found.chmod(PRIVATE_MODE)


def write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(descriptor, "wb") as output:
        output.write(content)
    path.chmod(PRIVATE_MODE)  # an existing file keeps its mode through os.open
