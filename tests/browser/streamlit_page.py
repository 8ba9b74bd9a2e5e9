"""Driving a running Streamlit app in Chromium: launch, open a page, wait on Streamlit's own
run state (never on sleeps), choose from a sidebar selectbox, and run an axe scan.

Used by the browser tests and by the screenshot script, so both wait the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from dashboard import site

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1400, "height": 1000}
NO_PROXY_BUT_LOOPBACK = {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"}
TIMEOUT_MS = 30_000

# Streamlit's frontend sets these on its root element: the websocket is connected and no
# script run is in progress (the value is "initial" until the first run has finished).
APP_READY = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
ERROR_ELEMENTS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]',
                  '[data-testid="stDialog"]')
SERIOUS_IMPACTS = ("critical", "serious")

# Counts script runs that finish after it is installed: each time the run-state attribute
# leaves "running". Installed just before an action that makes Streamlit rerun, so the wait
# cannot return on the state left over from the previous run.
_WATCH_RUNS = """() => {
  window.__stRunsFinished = 0;
  if (window.__stRunWatcher) window.__stRunWatcher.disconnect();
  window.__stRunWatcher = new MutationObserver(records => {
    for (const record of records) {
      if (record.oldValue === 'running') window.__stRunsFinished += 1;
    }
  });
  window.__stRunWatcher.observe(document.body, {
    subtree: true, attributes: true, attributeOldValue: true,
    attributeFilter: ['data-test-script-state'],
  });
}"""
_A_RUN_FINISHED = "() => window.__stRunsFinished > 0"
# After a run, the frontend still loads some element types lazily: each shows a skeleton until
# its code has loaded, and a Vega chart is empty until vega-embed has drawn it (a chart hidden
# on this width, whose table is shown instead, is never drawn).
_ALL_DRAWN = """() =>
  document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
  && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
       .filter(chart => chart.closest('[class*="st-key-wide-only-"]') === null
                        || chart.offsetParent !== null)
       .every(chart => chart.querySelector('canvas, svg') !== null)"""


@dataclass(frozen=True)
class RunningApp:
    """The app under test: its address, its warehouse and the log of `make run`."""

    url: str
    warehouse: Path
    log: Path


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless. Every request except to 127.0.0.1 goes to a proxy on a
    closed loopback port and fails at once (unlike request routing, this keeps the HTTP cache,
    so each page does not fetch the frontend again)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS),
                                      proxy=NO_PROXY_BUT_LOOPBACK)


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def page_path(spec: site.PageSpec) -> str:
    """The path Streamlit serves a page at: the default page lives at "/"."""
    return "/" if spec == site.DEFAULT_PAGE else "/" + spec.url_path


def wait_for_app(page: Page) -> None:
    """Wait until the script run has finished and its elements are drawn."""
    page.wait_for_selector(APP_READY, state="attached")
    page.wait_for_function(_ALL_DRAWN)


def open_page(page: Page, base_url: str, spec: site.PageSpec, query: str = "") -> None:
    """Go to a page and wait until Streamlit has finished running it."""
    page.goto(base_url + page_path(spec) + (f"?{query}" if query else ""))
    wait_for_app(page)


def rerun(page: Page, action: Callable[[], object]) -> None:
    """Do something that makes Streamlit rerun (a widget change, a page link) and wait until
    that run has finished."""
    page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function(_A_RUN_FINISHED)
    wait_for_app(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox by its visible text and wait for the rerun."""
    page.locator(SIDEBAR).get_by_role("combobox", name=label, exact=True).click()
    rerun(page, lambda: page.get_by_role("option", name=option, exact=True).click())


def selectbox_options(page: Page, label: str) -> list[str]:
    """The visible options of a sidebar selectbox (opens and closes its list)."""
    box = page.locator(SIDEBAR).get_by_role("combobox", name=label, exact=True)
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    box.press("Escape")
    return options


def selectbox_value(page: Page, label: str) -> str:
    return page.locator(SIDEBAR).get_by_role("combobox", name=label, exact=True).input_value()


def query_of(page: Page) -> str:
    return urlsplit(page.url).query


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def shown_errors(page: Page) -> list[str]:
    """The text of every exception, error message or dialog the page shows."""
    return [text for selector in ERROR_ELEMENTS
            for text in page.locator(selector).all_inner_texts()]


def serious_violations(page: Page) -> list[dict]:
    """axe-core's critical and serious violations on the page, one dict per element."""
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append({
                "rule": violation["id"], "impact": violation["impact"],
                "help": violation["help"], "target": " ".join(map(str, node["target"])),
                "html": node["html"][:160],
            })
    return found
