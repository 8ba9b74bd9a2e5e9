"""Times every page as a person feels it, in Chromium (`python -m tests.browser.bench`).

Run by `make bench` against the warehouse built from the sample. It serves the app on a free port
against the given warehouse (as `make run` does), then for each page measures, from navigation
until Streamlit has finished the script run and drawn every chart:
- cold: a new browser context (a new Streamlit session) opening the page's URL;
- warm: in a session that has already seen the page, clicking its sidebar link from another
  page (median of WARM_RUNS).
Prints the timings as JSON. Needs Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from dashboard import site
from tests.browser import streamlit_page as sp
from tests.browser.conftest import ROOT, _free_port, _healthy, _stop

WARM_RUNS = 3
START_DEADLINE_S = 120
TIMEOUT_MS = 180_000  # a busy machine: a slow page is a measurement, not a failure


def _serve(warehouse: Path, app_db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "COC_WAREHOUSE": str(warehouse.resolve()),
           "COC_APP_DB": str(app_db), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE_S
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the app did not start on {url}")
        time.sleep(0.5)
    return process, url


def time_pages(url: str) -> list[dict]:
    results = []
    with sync_playwright() as playwright:
        browser = sp.launch(playwright)
        # One throwaway visit so the frontend's files are in the HTTP cache and the server has
        # imported its modules: 'cold' is a new session, not a new server.
        warm_up = sp.new_context(browser)
        warm_up.set_default_timeout(TIMEOUT_MS)
        sp.open_page(warm_up.new_page(), url, site.DEFAULT_PAGE)
        warm_up.close()
        for spec in site.PAGES:
            context = sp.new_context(browser)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            started = time.perf_counter()
            sp.open_page(page, url, spec)
            cold = time.perf_counter() - started
            other = next(s for s in site.PAGES if s != spec)
            warm = []
            for _ in range(WARM_RUNS):
                link = page.locator(sp.SIDEBAR).get_by_role("link", name=other.title,
                                                            exact=True)
                sp.rerun(page, link.click)
                link = page.locator(sp.SIDEBAR).get_by_role("link", name=spec.title,
                                                            exact=True)
                started = time.perf_counter()
                sp.rerun(page, link.click)
                warm.append(time.perf_counter() - started)
            results.append({"page": spec.title, "cold_s": round(cold, 2),
                            "warm_s": round(statistics.median(warm), 2),
                            "errors": sp.shown_errors(page)})
            context.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, url = _serve(args.warehouse, Path(folder) / "app.duckdb")
        try:
            print(json.dumps(time_pages(url)))
        finally:
            _stop(process)


if __name__ == "__main__":
    main()
