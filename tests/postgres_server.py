"""A real PostgreSQL server for the tests, started once per test session in a temporary folder
with initdb and pg_ctl (listening on 127.0.0.1 and a free port, trust authentication, no fsync:
it is thrown away afterwards). Each test gets a database of its own.

The binaries are looked for on PATH, in /usr/local/bin and in /usr/lib/postgresql/*/bin (where
Debian's `postgresql` package puts them). PostgreSQL refuses to run as root: as root, the server
runs as the OS user `postgres` (made by Debian's package; created here if missing).
Without the binaries the tests are skipped, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BINARIES = ("initdb", "pg_ctl", "postgres")
SEARCH_DIRS = (Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                                                 reverse=True))
SERVER_USER = "postgres"
START_TIMEOUT_S = 60
SUPERUSER = "coc_test"


def find_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    on_path = shutil.which("pg_ctl")
    candidates = ([Path(on_path).resolve().parent] if on_path else []) + list(SEARCH_DIRS)
    for folder in candidates:
        if all((folder / name).exists() for name in BINARIES):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'create database "{name}"')
        return self.url(name)


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_USER], check=True)
    return ["runuser", "-u", SERVER_USER, "--"]


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests (apt-get install postgresql)")
    pytest.skip(reason)


def start() -> Iterator[Server]:
    """Start a server; yield it; stop it and remove its folder."""
    binaries = find_binaries()
    if binaries is None:
        unavailable("No PostgreSQL binaries (initdb, pg_ctl, postgres) on PATH, in "
                    "/usr/local/bin or /usr/lib/postgresql/*/bin")
    folder = Path(tempfile.mkdtemp(prefix="coc-pg-"))
    data = folder / "data"
    prefix = _as_server_user()
    if prefix:
        folder.chmod(0o755)
        shutil.chown(folder, user=SERVER_USER)
    port = _free_port()
    log = folder / "server.log"
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER,
                        "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], **run)
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log),
                        "-w", "-t", str(START_TIMEOUT_S), "-o",
                        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                        "-c synchronous_commit=off -c full_page_writes=off "
                        "-c max_connections=100", "start"], **run)
    except subprocess.CalledProcessError as error:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{server_log}") from error
    try:
        yield Server(port, folder)
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
