"""Two `streamlit run` processes sharing one PostgreSQL app store (a real server:
tests/postgres_server.py), each recording a review in Chromium: both then show both reviews, and
the banner names the server and database.

This is the multi-process set-up of docs/multi-process.md without the proxy: each browser talks
to its own process directly (local mode writes only for a browser on this machine addressing
the process by its own port).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from dashboard import store
from tests.browser import streamlit_page
from tests.servers import app_healthy, free_port, stop_process_group

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PROCESSES = 2
START_DEADLINE_S = 120
STOP_GRACE_S = 15
WAIT_MS = 90_000  # two app processes and a server on a shared machine: slower than one app
COMMENTS = ("Reviewed through process one", "Reviewed through process two")


@pytest.fixture(scope="module")
def postgres_store(postgres_server) -> str:
    return postgres_server.new_database()


@pytest.fixture(scope="module")
def two_apps(postgres_store: str, sample_warehouse: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two app processes on free ports, one PostgreSQL store; yields their URLs."""
    tmp_path = tmp_path_factory.mktemp("two-apps")
    postgres_url = postgres_store
    env = {**os.environ, store.APP_DB_ENV: postgres_url, "COC_WAREHOUSE": str(sample_warehouse),
           "PYTHONPATH": str(ROOT)}  # as make run sets it
    env.pop("COC_LOCAL_WRITES", None)
    processes, urls = [], []
    try:
        for n in range(PROCESSES):
            port = free_port()
            log = (tmp_path / f"app-{n}.log").open("wb")
            processes.append((subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "streamlit"), "run", "dashboard/app.py",
                 "--server.port", str(port), "--server.address", HOST,
                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True), log))
            urls.append(f"http://{HOST}:{port}")
        deadline = time.monotonic() + START_DEADLINE_S
        for url, (process, _) in zip(urls, processes, strict=True):
            while not app_healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    logs = "\n".join(p.read_text(errors="replace")[-2000:]
                                     for p in tmp_path.glob("app-*.log"))
                    pytest.fail(f"the app at {url} did not start:\n{logs}")
                time.sleep(0.5)
        yield urls
    finally:
        for process, log in processes:
            stop_process_group(process)
            log.close()


def _recommendations(browser: Browser, url: str):
    context = streamlit_page.new_context(browser)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{url}/recommendations")
    streamlit_page.wait_for_app(page)
    return context, page, page.locator(streamlit_page.MAIN)


def test_two_processes_record_reviews_and_both_see_all(two_apps: list[str], browser: Browser,
                                                       postgres_store: str) -> None:
    for url, comment in zip(two_apps, COMMENTS, strict=True):
        context, page, main = _recommendations(browser, url)
        try:
            tab = main.get_by_role("tab", name="Record a review")
            try:
                tab.wait_for()
            except PlaywrightError:
                pytest.fail(f"no form at {url}: {page.locator('body').inner_text()[:3000]}")
            tab.click()
            form = main.locator('[data-testid="stForm"]').filter(
                has=page.get_by_role("button", name="Record review"))
            form.get_by_label("Panel or meeting *").fill("Two-process panel")
            form.get_by_text("4", exact=True).click()
            form.get_by_label("Comment").fill(comment)
            form.get_by_role("button", name="Record review").click()
            main.get_by_text("Recorded EbE review APP-REV-").wait_for()
        finally:
            context.close()

    for url in two_apps:
        context, page, main = _recommendations(browser, url)
        try:
            for comment in COMMENTS:
                main.get_by_test_id("stText").filter(has_text=comment).first.wait_for()
            banner = page.get_by_text("Entries recorded in the app are kept in PostgreSQL "
                                      "database t_")
            assert banner.count() == 1 and f"on {HOST}:" in banner.inner_text()
            assert streamlit_page.shown_errors(page) == []
        finally:
            context.close()

    reader = store.app_store(postgres_store)
    try:
        reviews = reader.entries("review")
        assert sorted(reviews["comment"].to_list()) == sorted(COMMENTS)
        assert reader.audit_log()["action"].to_list() == ["create", "create"]
    finally:
        reader.close()


NGINX_CONFIG = ROOT / "docs" / "nginx-two-processes.conf"
NGINX_MAIN = """pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/coc.conf;
}}
"""


WEBSOCKET_LOGGED = '"GET /_stcore/stream HTTP/1.1" 101'


def test_the_documented_nginx_config_serves_both_processes(
        two_apps: list[str], browser: Browser, tmp_path: Path) -> None:
    """docs/nginx-two-processes.conf as written, with only its ports changed to the test's."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed; CI must check the documented configuration")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    config = NGINX_CONFIG.read_text().replace("listen 80;", f"listen {HOST}:{port};")
    for documented, url in zip(("127.0.0.1:8601", "127.0.0.1:8602"), two_apps, strict=True):
        assert f"server {documented};" in config
        config = config.replace(f"server {documented};", f"server {url.split('//')[1]};")
    (tmp_path / "coc.conf").write_text(config)
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(folder=tmp_path))
    proxy = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not app_healthy(url):
            assert proxy.poll() is None and time.monotonic() < deadline, (
                (tmp_path / "error.log").read_text(errors="replace"))
            time.sleep(0.2)
        context, page, main = _recommendations(browser, url)
        try:
            page.get_by_text("Entries recorded in the app are kept in PostgreSQL").wait_for()
            main.get_by_role("tab", name="Record a review").wait_for()
            assert streamlit_page.shown_errors(page) == []
        finally:
            context.close()
        # The session ran over the proxied WebSocket (101 Switching Protocols). nginx logs a
        # request when it ends, so wait for the closed WebSocket's line before stopping nginx.
        access_log = tmp_path / "access.log"
        deadline = time.monotonic() + START_DEADLINE_S
        while WEBSOCKET_LOGGED not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert WEBSOCKET_LOGGED in access_log.read_text()
    finally:
        proxy.terminate()
        proxy.wait(timeout=STOP_GRACE_S)
