"""Signing in for real: the app with `[auth]` configured against a local OpenID Connect provider
(oidc-provider-mock), in Chromium. An EbE reviewer signs in, records a review on the
Recommendations page and sees it there; the store records it under their address.

Self-contained: it starts its own provider and its own Streamlit server on free loopback ports,
with a temporary secrets.toml (passed with --secrets.files, so no secrets file of the project is
read or written) and a temporary app store.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard import store
from tests.servers import app_healthy, free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REVIEWER = "member@voices.example"
COMMENT = "Signed in and reviewed: the <b>hub</b> opens late [see](javascript:alert(1))"
START_DEADLINE_S = 90
TIMEOUT_MS = 30_000
APP_READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
             '[data-test-script-state="notRunning"]')
MAIN = '[data-testid="stMain"]'


def _needs(module: str):
    """Import a test dependency; skipped where it is not installed, except under CI."""
    if os.environ.get("CI") == "true":
        return importlib.import_module(module)
    return pytest.importorskip(module)


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[str]:
    """A local OpenID Connect provider; yields its base URL."""
    mock = _needs("oidc_provider_mock")
    werkzeug_serving = _needs("werkzeug.serving")
    _needs("authlib")  # st.login needs it
    server = werkzeug_serving.make_server(HOST, 0, mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _secrets(port: int, provider: str) -> str:
    return f"""
[auth]
redirect_uri = "http://{HOST}:{port}/oauth2callback"
cookie_secret = "{'s' * 48}"
client_id = "london-coc-test"
client_secret = "test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[roles]
"@voices.example" = "ebe_reviewer"
"""


@dataclass
class RunningApp:
    url: str
    app_db: Path
    process: subprocess.Popen

    def stop(self) -> None:
        """Stop the server (and anything it started): it releases the app store."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def signed_in_app(chromium: Path, identity_provider: str, sample_warehouse: Path,
                  tmp_path: Path) -> Iterator[RunningApp]:
    """Streamlit serving the app with sign-in configured, on a free port."""
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(_secrets(port, identity_provider))
    app_db = tmp_path / "app.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COC_WAREHOUSE": str(sample_warehouse),
           store.APP_DB_ENV: str(app_db)}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
               "--server.port", str(port), "--server.address", HOST,
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--secrets.files", str(secrets)]
    log = tmp_path / "streamlit.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    app = RunningApp(f"http://{HOST}:{port}", app_db, process)
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not app_healthy(app.url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Streamlit did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield app
    finally:
        app.stop()


def _ready(page) -> None:
    page.wait_for_selector(APP_READY, timeout=TIMEOUT_MS)


def test_sign_in_record_a_review_and_see_it(signed_in_app: RunningApp, identity_provider: str,
                                           browser) -> None:
    """Uses the session's Chromium (tests/browser/conftest.py): one Playwright per process."""
    url = signed_in_app.url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/recommendations")
        _ready(page)
        main = page.locator(MAIN)
        main.get_by_text("You are not signed in").wait_for()
        main.get_by_role("button", name="Sign in").click()

        # The provider's own sign-in form.
        page.wait_for_url(f"{identity_provider}/**")
        page.locator("input[name=sub]").fill(REVIEWER)
        page.get_by_role("button", name="Authorize").click()

        page.wait_for_url(f"{url}/**")
        page.goto(f"{url}/recommendations")
        _ready(page)
        main = page.locator(MAIN)
        main.get_by_text(f"Signed in as {REVIEWER}: EbE reviewer, Viewer").wait_for()
        main.get_by_role("tab", name="Record a review").click()
        form = main.locator('[data-testid="stForm"]').filter(has_text="Rating")
        form.get_by_label("Panel or meeting *").fill("Browser test panel")
        form.get_by_text("4", exact=True).click()
        form.get_by_label("Comment").fill(COMMENT)
        form.get_by_role("button", name="Record review").click()
        main.get_by_text("Recorded EbE review APP-REV-").wait_for()
        _ready(page)
        # The new review is the item's latest: shown as text, exactly as typed.
        shown = main.get_by_test_id("stText").filter(has_text=COMMENT)
        shown.first.wait_for()
        assert shown.first.inner_text() == COMMENT
        assert page.locator(f"{MAIN} b", has_text="hub").count() == 0
        assert page.locator(f"{MAIN} a", has_text="see").count() == 0
        page.screenshot(path=str(signed_in_app.app_db.parent / "after-review.png"),
                        full_page=True)
    finally:
        context.close()

    signed_in_app.stop()  # release the store, then read what it recorded
    reader = store.app_store(signed_in_app.app_db)
    try:
        reviews = reader.entries("review").to_dicts()
        audit = reader.audit_log().to_dicts()
    finally:
        reader.close()
    assert [(r["recorded_by"], r["rating"], r["comment"]) for r in reviews] == [
        (REVIEWER, 4, COMMENT)]
    assert [(a["action"], a["who"]) for a in audit] == [("create", REVIEWER)]
