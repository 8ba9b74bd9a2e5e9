"""Lived experience voices in a real browser at phone width (390 px): a peer researcher takes
consent, records an account, checks the de-identified text and saves it; the findings on the
Lived experience page (from the synthetic samples `make run` loads) fit the window. axe-core
finds no critical, serious or moderate violation at any step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from dashboard import site
from dashboard.peer_research.model import CONSENT_STATEMENTS
from tests.browser import layout
from tests.browser import streamlit_page as sp
from tests.browser.streamlit_page import RunningApp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
AXE_IMPACTS = ("critical", "serious", "moderate")
CAPTURE = next(spec for spec in site.PAGES if spec.file == "peer_capture.py")
LIVED = next(spec for spec in site.PAGES if spec.file == "lived_experience.py")
COORDINATE = next(spec for spec in site.PAGES if spec.file == "peer_coordinate.py")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(sp.TIMEOUT_MS)
    yield context.new_page()
    context.close()


def problems(page: Page) -> list[str]:
    found = [f"error shown: {e}" for e in sp.shown_errors(page)]
    found += [f"wider than the window: {w}" for w in layout.too_wide(page)]
    found += [f"axe {v['id']} ({v['impact']}): {v['help']}: {v['nodes'][0]['html'][:120]}"
              for v in Axe().run(page).response["violations"] if v["impact"] in AXE_IMPACTS]
    return found


def test_a_peer_researcher_records_an_account_on_a_phone(app_server: RunningApp,
                                                         phone: Page) -> None:
    sp.open_page(phone, app_server.url, CAPTURE)
    assert phone.get_by_role("button", name="Check for identifiers").count() == 0
    assert problems(phone) == []
    for statement in CONSENT_STATEMENTS.values():
        sp.rerun(phone, lambda s=statement: phone.get_by_text(s, exact=True).click())
    phone.get_by_role("textbox", name="Peer researcher's pseudonymous id").fill("PR-07")
    phone.get_by_role("textbox", name="What helps?").fill(
        "My keyworker Sarah Jenkins on 07700 900123 met me at the gate.")
    assert problems(phone) == []
    sp.rerun(phone, lambda: phone.get_by_role("button", name="Check for identifiers").click())
    checked = phone.get_by_role("textbox", name="What helps (as it will be saved)")
    assert checked.input_value() == "My keyworker [name] on [phone] met me at the gate."
    assert problems(phone) == []
    sp.rerun(phone, lambda: phone.get_by_role("button", name="Save account").click())
    saved = phone.get_by_text("Withdrawal reference: LV-")
    assert saved.count() == 1
    assert "Sarah" not in phone.locator("body").inner_text()
    assert problems(phone) == []


def test_the_findings_view_fits_a_phone_and_passes_axe(app_server: RunningApp,
                                                       phone: Page) -> None:
    sp.open_page(phone, app_server.url, LIVED)
    heading = phone.get_by_role("heading", name="Lived experience voices: what peer "
                                                "researchers heard")
    heading.scroll_into_view_if_needed()
    assert heading.count() == 1
    body = phone.locator("body").inner_text()
    assert "approved accounts" in body and "Themes by setting" in body
    assert "07700" not in body and "A1234BC" not in body  # planted in the samples
    assert problems(phone) == []


def test_the_coordinator_reviews_and_codes_on_a_phone(app_server: RunningApp,
                                                      phone: Page) -> None:
    sp.open_page(phone, app_server.url, COORDINATE)
    assert problems(phone) == []
    waiting = phone.get_by_text("account(s) waiting for review").inner_text()
    before = int(waiting.split()[0])
    assert before >= 1  # the samples leave some for review
    sp.rerun(phone, lambda: phone.get_by_role("button", name="Approve").first.click())
    assert phone.get_by_text("Approved LV-").count() == 1
    assert phone.get_by_text(f"{before - 1} account(s) waiting for review").count() == 1
    phone.get_by_role("tab", name="Coding").click()  # tabs switch in the browser: no rerun
    coded = phone.get_by_text("approved accounts coded").inner_text()
    assert problems(phone) == []
    box = phone.get_by_role("combobox", name="Themes (first coding)")
    box.scroll_into_view_if_needed()
    box.click()
    box.press("ArrowDown")
    sp.rerun(phone, lambda: box.press("Enter"))  # the first theme
    phone.keyboard.press("Escape")
    sp.rerun(phone, lambda: phone.get_by_role("button", name="Save coding").click())
    assert phone.get_by_text("Saved the coding.").count() == 1
    assert phone.get_by_role("heading", name="Agreement by theme").count() == 1
    assert coded
    assert problems(phone) == []
