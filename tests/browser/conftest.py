"""Fixtures for the browser tests: the app started exactly as `make run` starts it (on a free
port, with its warehouse and app store in a temporary folder), and Debian's Chromium.

Without /usr/bin/chromium the tests are skipped, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import streamlit_page
from tests.browser.streamlit_page import RunningApp
from tests.servers import app_healthy, free_port, stop_process_group

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 180  # the first start builds the warehouse from data_samples/ (~15 s)
HEALTH_POLL_S = 0.5
LOG_TAIL_CHARS = 4_000
EXPECT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not streamlit_page.CHROMIUM.exists():
        reason = (f"Debian Chromium is not installed at {streamlit_page.CHROMIUM} "
                  "(apt-get install chromium fonts-liberation)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    return streamlit_page.CHROMIUM


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-LOG_TAIL_CHARS:] if log.exists() else ""


def _stop(process: subprocess.Popen) -> None:
    """Terminate `make run` and streamlit under it (they share a process group)."""
    stop_process_group(process)


@pytest.fixture(scope="session")
def app_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`make run` on a free port, serving a warehouse built from data_samples/ into a temporary
    folder; yields once /_stcore/health answers "ok"."""
    folder = tmp_path_factory.mktemp("browser-app")
    port = free_port()
    app = RunningApp(url=f"http://127.0.0.1:{port}", warehouse=folder / "warehouse.duckdb",
                     log=folder / "make-run.log")
    command = ["make", "run", f"PORT={port}", f"WAREHOUSE={app.warehouse}",
               f"APP_DB={folder / 'app.duckdb'}"]
    with app.log.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not app_healthy(app.url):
            try:
                code = process.wait(timeout=HEALTH_POLL_S)  # returns at once if make run died
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    pytest.fail(f"`{' '.join(command)}` did not answer {app.url}/_stcore/health "
                                f"within {START_DEADLINE_S} s:\n{_tail(app.log)}")
                continue
            pytest.fail(f"`{' '.join(command)}` exited with {code}:\n{_tail(app.log)}")
        yield app
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = streamlit_page.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own Streamlit session) that can reach 127.0.0.1 only."""
    context = streamlit_page.new_context(browser)
    yield context.new_page()
    context.close()

