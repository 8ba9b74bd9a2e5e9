"""Every page at 1440, 640 and 390 px wide (a desktop, 200% zoom, a phone; WCAG 1.4.10
reflow): nothing wider than the window, no chart text overlapping or cut off at a chart's
edge, and no critical, serious or moderate axe-core violation.

One server for the session (conftest.app_server) and one browser context per width; each page
is opened once per width and all three checks look at it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from dashboard import site
from tests.browser import layout
from tests.browser import streamlit_page as sp
from tests.browser.streamlit_page import RunningApp

pytestmark = pytest.mark.browser

AXE_IMPACTS = ("critical", "serious", "moderate")
WINDOW_HEIGHT = 900
SHOWN = 8


@pytest.fixture(scope="module", params=layout.WIDTHS, ids=[f"{w}px" for w in layout.WIDTHS])
def context(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": request.param, "height": WINDOW_HEIGHT})
    context.set_default_timeout(sp.TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture(params=site.PAGES, ids=[spec.url_path for spec in site.PAGES])
def opened(request: pytest.FixtureRequest, app_server: RunningApp,
           context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    sp.open_page(page, app_server.url, request.param)
    yield page
    page.close()


def _listed(found: list[str]) -> str:
    return "\n".join(f"- {item}" for item in found[:SHOWN]) + (
        f"\n... and {len(found) - SHOWN} others" if len(found) > SHOWN else "")


def test_the_page_fits_the_window_with_readable_charts_and_passes_axe(opened: Page) -> None:
    where = f"{sp.path_of(opened)} at {opened.viewport_size['width']} px"
    assert not sp.shown_errors(opened), f"{where}: {sp.shown_errors(opened)}"
    wide = layout.too_wide(opened)
    text = layout.overlapping_chart_text(opened)
    violations = [f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}: "
                  f"{v['nodes'][0]['html'][:140]}"
                  for v in Axe().run(opened).response["violations"]
                  if v["impact"] in AXE_IMPACTS]
    problems = []
    if wide:
        problems.append(f"wider than the window:\n{_listed(wide)}")
    if text:
        problems.append(f"chart text overlapping or cut off:\n{_listed(text)}")
    if violations:
        problems.append(f"axe-core:\n{_listed(violations)}")
    assert not problems, f"{where}:\n" + "\n".join(problems)
