"""Local mode against a real server: the app served by `streamlit run` on a free port, reached by
raw websocket handshakes (no browser needed), each with the Host, Origin, forwarding headers and
TCP peer of one kind of visitor. Only the plain local browser may write; the rest are viewers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from dashboard import auth, store
from tests.servers import app_healthy, free_port, stop_process_group

ROOT = Path(__file__).resolve().parent.parent
START_DEADLINE_S = 90
RUN_DEADLINE_S = 60
TEST_NET = "192.0.2.1"  # RFC 5737: only used to ask the kernel which local address routes out
WRITES = auth.LOCAL_MODE_SHORT_TEXT
READS = auth.REMOTE_IN_LOCAL_MODE_TEXT


def _other_local_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((TEST_NET, 9))  # UDP connect sends nothing
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if auth.is_loopback(address) or address == "0.0.0.0" else address


@pytest.fixture(scope="module")
def server(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The app in local mode, listening on every address; yields its port."""
    folder = tmp_path_factory.mktemp("local-mode-server")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COC_WAREHOUSE": str(sample_warehouse),
           store.APP_DB_ENV: str(folder / "app.duckdb")}
    env.pop(auth.LOCAL_WRITES_ENV, None)
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
               "--server.port", str(port), "--server.address", "0.0.0.0",
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--secrets.files", str(folder / "no-secrets.toml")]
    log = folder / "streamlit.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not app_healthy(f"http://127.0.0.1:{port}"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Streamlit did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield port
    finally:
        stop_process_group(process)


def _strings(message: object) -> Iterator[str]:
    for _, value in message.ListFields():
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]
        for item in values:
            if isinstance(item, str):
                yield item
            elif hasattr(item, "ListFields"):
                yield from _strings(item)


def _page_texts(peer: str, port: int, host: str, headers: dict[str, str],
                origin: str | None = None) -> list[str]:
    """Open the app's websocket from `peer` with this Host, an Origin (matching the Host unless
    given) and `headers`, run the default page and return every text it sent."""
    sock = socket.create_connection((peer, port), timeout=RUN_DEADLINE_S)
    texts: list[str] = []
    with connect(f"ws://{host}/_stcore/stream", sock=sock, origin=origin or f"http://{host}",
                 additional_headers=headers, subprotocols=["streamlit"],
                 open_timeout=RUN_DEADLINE_S, max_size=None) as websocket:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        websocket.send(rerun.SerializeToString())
        deadline = time.monotonic() + RUN_DEADLINE_S
        while time.monotonic() < deadline:
            message = ForwardMsg()
            message.ParseFromString(websocket.recv(timeout=RUN_DEADLINE_S))
            if message.WhichOneof("type") == "delta":
                texts += _strings(message.delta)
            if message.WhichOneof("type") == "script_finished":
                return texts
    raise AssertionError("the page did not finish")


def _role(texts: list[str]) -> str:
    writes, reads = WRITES in texts, READS in texts
    assert writes != reads, f"expected exactly one local-mode notice, got {texts[:20]}"
    return "writes" if writes else "reads"


def test_the_local_browser_writes(server: int) -> None:
    assert _role(_page_texts("127.0.0.1", server, f"localhost:{server}", {})) == "writes"
    assert _role(_page_texts("127.0.0.1", server, f"127.0.0.1:{server}", {})) == "writes"


def test_dns_rebinding_host_with_matching_origin_is_a_viewer(server: int) -> None:
    texts = _page_texts("127.0.0.1", server, f"evil.example:{server}", {})
    assert _role(texts) == "reads"


@pytest.mark.parametrize("header", [
    {"X-Forwarded-For": "127.0.0.1"},  # a forged local address: the peer stays loopback
    {"X-Forwarded-For": "198.51.100.7"},
    {"Forwarded": "for=198.51.100.7;host=localhost"},
    {"X-Real-IP": "127.0.0.1"},
])
def test_a_loopback_peer_with_a_forwarding_header_is_a_viewer(server: int,
                                                              header: dict[str, str]) -> None:
    texts = _page_texts("127.0.0.1", server, f"localhost:{server}", header)
    assert _role(texts) == "reads"


def test_a_proxy_that_keeps_the_upstream_host_but_passes_the_origin_is_a_viewer(
        server: int) -> None:
    """nginx's default: Host is the upstream (127.0.0.1:port), no forwarding header, and the
    browser's Origin passed on. Here the Origin is another site on this machine (another
    port), which Streamlit's own origin check lets through."""
    texts = _page_texts("127.0.0.1", server, f"127.0.0.1:{server}", {},
                        origin=f"http://localhost:{server + 1}")
    assert _role(texts) == "reads"


def test_a_peer_on_another_address_is_a_viewer_even_naming_localhost(server: int) -> None:
    other = _other_local_address()
    if other is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    texts = _page_texts(other, server, f"localhost:{server}", {})
    assert _role(texts) == "reads"


def test_make_run_listens_on_this_machine_only_unless_address_is_set() -> None:
    def run_command(*settings: str) -> str:
        shown = subprocess.run(["make", "-n", "run", *settings], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.replace("\\\n", " ")
        return next(line for line in shown.splitlines() if "streamlit run" in line)

    assert "--server.address 127.0.0.1" in run_command()
    assert "--server.address 0.0.0.0" in run_command("ADDRESS=0.0.0.0")
