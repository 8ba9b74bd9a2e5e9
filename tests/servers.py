"""Small helpers for tests that start the app (or a proxy in front of it) as a real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request

LOOPBACK = "127.0.0.1"
STOP_GRACE_S = 15


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on now (the server started next binds it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def app_healthy(url: str) -> bool:
    """Whether the Streamlit server at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a server started with start_new_session=True and everything under it (`make run`
    and its streamlit share one process group): SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
