"""The browser's back button undoes a filter change (Streamlit pushes a history entry when the
query string changes; the app takes the URL's filters on every run)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from dashboard import site
from tests.browser import streamlit_page as sp
from tests.browser.streamlit_page import RunningApp

pytestmark = pytest.mark.browser

INDICATOR = "Indicator"


def test_back_undoes_a_filter_change(app_server: RunningApp, page: Page) -> None:
    sp.open_page(page, app_server.url, site.DEFAULT_PAGE)
    before = sp.selectbox_value(page, INDICATOR)
    query_before = sp.query_of(page)
    other = next(o for o in sp.selectbox_options(page, INDICATOR) if o != before)
    sp.choose(page, INDICATOR, other)
    assert sp.selectbox_value(page, INDICATOR) == other

    sp.rerun(page, page.go_back)

    assert sp.selectbox_value(page, INDICATOR) == before
    assert sp.query_of(page) == query_before
    assert not sp.shown_errors(page), sp.shown_errors(page)
