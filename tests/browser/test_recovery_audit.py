"""The Recovery audit page in Chromium at phone width (390 px): the sample rounds seeded by
`make run` fill it, and the forms work by touch and keyboard: record an EbE training session
(R8) and rate a service; the page stays within the window and axe-clean after each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard import site
from tests.browser import layout
from tests.browser import streamlit_page as sp
from tests.browser.streamlit_page import RunningApp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 900}
SPEC = next(spec for spec in site.PAGES if spec.file == "recovery_audit.py")


@pytest.fixture
def phone(browser: Browser, app_server: RunningApp) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(sp.TIMEOUT_MS)
    page = context.new_page()
    sp.open_page(page, app_server.url, SPEC)
    yield page
    context.close()


def _clean(page: Page, where: str, expected_error: str | None = None) -> None:
    errors = [e for e in sp.shown_errors(page)
              if expected_error is None or not e.startswith(expected_error)]
    assert not errors, f"{where}: {errors}"
    assert not layout.too_wide(page), f"{where}: wider than the window: {layout.too_wide(page)}"
    assert not sp.serious_violations(page), f"{where}: {sp.serious_violations(page)}"


def test_the_sample_fills_the_page_at_phone_width(phone: Page) -> None:
    main = phone.locator(sp.MAIN)
    expect(main.get_by_text("synthetic sample", exact=False).first).to_be_visible()
    expect(main.get_by_role("heading", name="Domain scores: London, round 2025-26")
           ).to_be_attached()
    expect(main.get_by_role("heading", name="Best practice across London, round 2025-26")
           ).to_be_attached()
    _clean(phone, "results at 390 px")


def test_recording_a_training_session_at_phone_width(phone: Page) -> None:
    main = phone.locator(sp.MAIN)
    main.get_by_role("tab", name="Record training (R8)").click()  # tabs switch in the browser
    main.get_by_label("Topic *").fill("Engaging people released from court")
    main.get_by_label("Staff who attended *").fill("14")
    main.get_by_label("Delivered by *").fill("London EbE group")
    sp.rerun(phone, lambda: main.get_by_role("button", name="Record training").click())
    expect(main.get_by_text("Recorded the training session at", exact=False)).to_be_visible()
    _clean(phone, "training form at 390 px")


def test_rating_a_service_refuses_missing_answers_at_phone_width(phone: Page) -> None:
    main = phone.locator(sp.MAIN)
    button = main.get_by_role("button", name="Save ratings")
    button.scroll_into_view_if_needed()
    sp.rerun(phone, button.click)
    refused = "Nothing was saved: rate every required question"
    expect(main.get_by_text(refused, exact=False)).to_be_visible()
    _clean(phone, "rating form at 390 px", expected_error=refused)
