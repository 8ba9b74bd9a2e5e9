"""Real-browser tests of the app as `make run` serves it: every page loads and shows what a person
needs with no error, passes an axe-core scan (no critical or serious violations), the filters
live in the URL (a changed filter updates it, the URL restores the view, moving between pages
keeps it), and the person at the app's own computer may record entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard import site
from dashboard.auth import REMOTE_IN_LOCAL_MODE_TEXT
from dashboard.components import SYNTHETIC_LABEL
from tests.browser import streamlit_page as sp
from tests.browser.streamlit_page import RunningApp

pytestmark = pytest.mark.browser

PAGES = site.PAGES
FILTER_KEYS = {"period", "kpi", "area", "breakdown", "ci"}
SYNTHETIC_TEXT = "Synthetic sample data"
CUTOFF_TEXT = "Data cut-off"
INDICATOR = "Indicator"
YEAR = "Financial year"
SHOWN_PER_RULE = 3
RECOMMENDATIONS = "recommendations"
RECORD_UPDATE = "Record update"


def _by_rule(violations: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for violation in violations:
        grouped.setdefault(violation["rule"], []).append(violation)
    return grouped


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(sp.query_of(page))


def _kpi_ids_by_title(app: RunningApp) -> dict[str, str]:
    with duckdb.connect(str(app.warehouse), read_only=True) as con:
        return {title: kpi_id for kpi_id, title in
                con.sql("select id, title from kpi_definitions").fetchall()}


def _heading(page: Page, title: str):
    return page.locator(sp.MAIN).locator("h1").filter(has_text=title).first


def _section_heading(page: Page, text: str):
    return page.locator(sp.MAIN).locator("h2, h3").filter(has_text=text).first


def _another_option(page: Page, label: str) -> str:
    """An option of a sidebar selectbox other than the one it shows now."""
    current = sp.selectbox_value(page, label)
    others = [option for option in sp.selectbox_options(page, label) if option != current]
    assert others, f"{label} offers nothing but {current!r}"
    return others[0]


def _go_to(page: Page, spec: site.PageSpec) -> None:
    link = page.locator(sp.SIDEBAR).get_by_role("link", name=spec.title, exact=True)
    sp.rerun(page, link.click)
    assert not sp.shown_errors(page), sp.shown_errors(page)
    expect(_heading(page, spec.title)).to_be_visible()


@dataclass
class ShownPage:
    spec: site.PageSpec
    page: Page
    errors: list[str]  # uncaught JavaScript errors


@pytest.fixture(scope="module", params=PAGES, ids=[spec.url_path for spec in PAGES])
def shown(request: pytest.FixtureRequest, app_server: RunningApp,
          browser: Browser) -> Iterator[ShownPage]:
    """Each page opened once, in its own session, and left as Streamlit finished drawing it;
    the checks and the accessibility scan below both look at it."""
    context = sp.new_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sp.open_page(page, app_server.url, request.param)
    yield ShownPage(request.param, page, errors)
    context.close()


def test_page_loads_with_its_title_the_synthetic_label_and_no_error(shown: ShownPage) -> None:
    page, where = shown.page, sp.page_path(shown.spec)
    # The run has finished and its elements are drawn: what the page shows is on it now.
    assert not sp.shown_errors(page), f"{where} shows: {sp.shown_errors(page)}"
    assert sp.path_of(page) == where, f"asked for {where}, the app showed {page.url}"
    headings = page.locator(sp.MAIN).locator("h1").all_inner_texts()
    # The heading starts with the name the navigation gives the page ("Borough profile: Lambeth").
    assert headings and re.match(rf"{re.escape(shown.spec.title)}(?!\w)", headings[0].strip()), \
        f"{where}: navigation says {shown.spec.title!r}, the page heading is {headings[:1]}"
    banner = page.locator(sp.MAIN).get_by_text(SYNTHETIC_TEXT)
    expect(banner).to_be_visible()
    expect(banner).to_have_text(SYNTHETIC_LABEL)
    expect(page.locator(sp.MAIN).get_by_text(CUTOFF_TEXT).first).to_be_visible()
    assert FILTER_KEYS <= set(_query(page)), f"filters missing from the URL: {page.url}"
    assert shown.errors == []


def test_page_has_no_critical_or_serious_accessibility_violations(shown: ShownPage) -> None:
    violations = sp.serious_violations(shown.page)

    if violations:
        pytest.fail(f"axe-core on {sp.page_path(shown.spec)}:\n" + "\n".join(
            f"- {rule} ({found[0]['impact']}, {len(found)} elements): {found[0]['help']}. "
            + "; ".join(item["html"] for item in found[:SHOWN_PER_RULE])
            for rule, found in _by_rule(violations).items()))


def test_changing_the_indicator_updates_the_url_and_the_url_restores_the_view(
        app_server: RunningApp, page: Page, browser: Browser) -> None:
    sp.open_page(page, app_server.url, site.DEFAULT_PAGE)
    assert not sp.shown_errors(page), sp.shown_errors(page)
    before = _query(page)
    chosen = _another_option(page, INDICATOR)
    chosen_id = _kpi_ids_by_title(app_server)[chosen]
    assert before["kpi"] != [chosen_id]

    sp.choose(page, INDICATOR, chosen)

    assert not sp.shown_errors(page), sp.shown_errors(page)
    assert _query(page) == {**before, "kpi": [chosen_id]}
    expect(_section_heading(page, chosen)).to_be_visible()
    shared_url = page.url

    fresh_context = sp.new_context(browser)
    try:
        fresh = fresh_context.new_page()
        fresh.goto(shared_url)
        sp.wait_for_app(fresh)
        assert not sp.shown_errors(fresh), sp.shown_errors(fresh)
        expect(_heading(fresh, site.DEFAULT_PAGE.title)).to_be_visible()
        assert sp.selectbox_value(fresh, INDICATOR) == chosen
        expect(_section_heading(fresh, chosen)).to_be_visible()
        assert _query(fresh) == _query(page)
    finally:
        fresh_context.close()


def test_filters_stay_in_the_url_when_moving_between_pages(
        app_server: RunningApp, page: Page) -> None:
    others = [spec for spec in PAGES if spec != site.DEFAULT_PAGE]
    if not others:
        pytest.skip("only one page exists so far")
    other = others[-1]
    sp.open_page(page, app_server.url, site.DEFAULT_PAGE)
    assert not sp.shown_errors(page), sp.shown_errors(page)
    year = _another_option(page, YEAR)
    sp.choose(page, YEAR, year)
    indicator = _another_option(page, INDICATOR)
    sp.choose(page, INDICATOR, indicator)
    chosen = _query(page)
    assert chosen["period"] == [year]

    _go_to(page, other)
    assert sp.path_of(page) == sp.page_path(other)
    assert _query(page) == chosen

    _go_to(page, site.DEFAULT_PAGE)
    assert _query(page) == chosen
    assert sp.selectbox_value(page, YEAR) == year
    assert sp.selectbox_value(page, INDICATOR) == indicator


@pytest.mark.parametrize("shown", [spec for spec in PAGES if spec.url_path == RECOMMENDATIONS],
                         indirect=True, ids=[RECOMMENDATIONS])
def test_someone_at_this_computer_can_record_an_update(shown: ShownPage) -> None:
    """With no sign-in set up, the person at the computer the app runs on may record entries
    (the browser reaches the app on 127.0.0.1, as `make run` serves it)."""
    main = shown.page.locator(sp.MAIN)  # drawn: check what is there now, without waiting
    assert main.get_by_text(REMOTE_IN_LOCAL_MODE_TEXT).count() == 0, \
        "the app takes the browser on 127.0.0.1 for someone on another computer"
    assert main.get_by_role("button", name=RECORD_UPDATE, exact=True).is_visible()
