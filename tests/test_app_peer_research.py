"""AppTest runs of Lived experience voices: capture (consent first, identifiers taken out
before saving), review, coding, withdrawal and the findings on the Lived experience page, with
the app store in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import store
from dashboard.peer_research import findings, service
from dashboard.store.records import Records
from tests.conftest import APP, APP_TIMEOUT
from tests.peer_helpers import CONSENT, COORD, RESEARCHER, account, approved, codebook

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32,
        "client_id": "app", "client_secret": "secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}
ROLES = {"pr.one@voices.example": "peer_researcher", "coord@voices.example": "coordinator"}
PLANTED = ("My worker Sarah Jenkins rang me on 07700 900123 about my NHS number 943 476 5919, "
           "prison number A1234BC, at 12 Acacia Avenue SW1A 1AA, email dave@example.org, "
           "born 12/03/1985.")
RAW = ("Sarah Jenkins", "07700 900123", "943 476 5919", "A1234BC", "12 Acacia Avenue",
       "SW1A 1AA", "dave@example.org", "12/03/1985")


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path,
           local_browser: None):
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv(store.APP_DB_ENV, str(path))
    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))
    yield store.app_store(path)
    store.app_store(path).close()


def open_page(page: str, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("text", "markdown", "caption", "success", "info", "warning",
                                  "error", "text_area")
             for e in getattr(at, kind)]
    parts += [str(d.value.to_dict()) for d in at.dataframe]
    return " ".join(str(p) for p in parts)


def test_capture_asks_for_consent_first_and_saves_only_de_identified_text(app_db) -> None:
    at = open_page("peer_capture.py")
    assert not at.form_submit_button  # no account form before consent
    assert any("Agree every consent statement" in i.value for i in at.info)
    for name in CONSENT:
        at.checkbox(key=f"consent-{name}").check()
    at.run()
    at.selectbox(key="capture-setting").select("hostel")
    at.selectbox(key="capture-mode").select("free_text")
    at.text_input(key="capture-researcher").input("PR-07")
    at.text_area(key="capture-account_text").input(PLANTED)
    at.form_submit_button[0].click().run()
    checked = at.text_area(key="checked-account_text").value
    assert "[name]" in checked and "[phone]" in checked and "[NHS number]" in checked
    assert not [raw for raw in RAW if raw in checked]
    assert Records(app_db).versions().is_empty()  # nothing saved before the researcher saves
    at.text_area(key="checked-account_text").input(checked.replace("rang me", "called"))
    next(b for b in at.form_submit_button if b.label == "Save account").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    message = at.success[0].value
    assert "Withdrawal reference: LV-" in message
    stored = service.records(app_db, "account")[0]
    assert stored["account_text"].startswith("My worker [name] called")
    assert not [raw for raw in RAW if raw in " ".join(Records(app_db).versions()["body"])]
    assert stored["reference"] in page_text(at)  # the researcher's own list


def test_a_peer_researcher_gets_no_coordinator_tools(app_db) -> None:
    service.capture(app_db, CONSENT, account("Waiting for review."), RESEARCHER)
    at = open_page("peer_coordinate.py", {"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": RESEARCHER.identity})
    assert "Second coding assigned to you" in [h.value for h in at.header]
    assert not at.tabs and "Waiting for review." not in page_text(at)


def test_the_coordinator_reviews_codes_and_withdraws(app_db) -> None:
    codebook(app_db)
    reference = service.capture(app_db, CONSENT, account("Nobody met me at the gate."),
                                RESEARCHER)
    at = open_page("peer_coordinate.py", {"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": COORD.identity})
    assert "Nobody met me at the gate." in page_text(at)
    account_id = service.records(app_db, "account")[0]["record_id"]
    at.text_area(key=f"review-{account_id}-account_text").input("Nobody met me at [place].")
    at.button(key=f"approve-{account_id}").click().run()
    assert not at.exception and at.success[0].value == f"Approved {reference}."
    assert service.account(app_db, account_id)["status"] == "approved"
    assert service.account(app_db, account_id)["account_text"] == "Nobody met me at [place]."
    at.selectbox(key="coding-account").select(account_id)
    at.multiselect(key="coding-themes").select("T02")
    at.run()
    next(b for b in at.button if b.label == "Save coding").click().run()
    assert service.codings(app_db)["themes"].to_list() == [["T02"]]
    at.text_input(key="withdraw-reference").input(reference)
    next(b for b in at.form_submit_button if b.label == "Withdraw the account").click().run()
    assert any(s.value.startswith("Withdrawn:") for s in at.success)
    assert service.records(app_db, "account") == [] and service.codings(app_db).is_empty()


def test_the_findings_show_on_the_lived_experience_page_with_disclosure_rules(app_db) -> None:
    codebook(app_db)
    for i in range(5):
        approved(app_db, f"Prison account {i}: the worker met me at the gate.", "prison",
                 ["T02"], quote="the worker met me at the gate")
    approved(app_db, "A lone hostel account: nobody told me.", "hostel", ["T02"],
             quote="nobody told me")
    at = open_page("lived_experience.py")
    headers = [h.value for h in at.header]
    assert "Lived experience voices: what peer researchers heard" in headers
    tables = [pl.from_pandas(d.value) for d in at.dataframe if "Prison" in d.value.columns]
    t02 = tables[0].filter(pl.col("theme") == "T02").row(0, named=True)
    assert t02["Hostel"] == findings.SUPPRESSED_MARK and t02["Prison"] == findings.SUPPRESSED_MARK
    texts = [t.value for t in at.text]
    assert "“the worker met me at the gate”" in texts
    assert "“nobody told me”" not in texts  # a cell of one account: no quote


def test_the_findings_show_no_identifier_and_no_unapproved_account(app_db) -> None:
    codebook(app_db)
    service.capture(app_db, CONSENT, account("Not yet approved words."), RESEARCHER)
    for i in range(5):
        approved(app_db, f"Account {i}: {PLANTED} The worker met me.", "prison", ["T02"],
                 quote="The worker met me.")
    at = open_page("lived_experience.py")
    shown = page_text(at)
    assert "The worker met me." in shown
    assert "Not yet approved words." not in shown
    assert not [raw for raw in RAW if raw in shown]


def test_the_board_pack_section_shows_findings_and_drops_a_withdrawn_account(app_db) -> None:
    from dashboard.exports import content

    assert content.voices_section() is None  # nothing approved: no section
    codebook(app_db)
    for i in range(5):
        approved(app_db, f"Account {i}: one plan that follows you.", "prison", ["T02"])
    reference, account_id = approved(app_db, "Account 5: one plan that follows you.", "prison",
                                     ["T02"])
    service.add_quote(app_db, account_id, "account_text", "one plan that follows you",
                      ["T02"], COORD)
    section = content.voices_section("Hackney")
    assert section is not None and "6 accounts" in section.text[0]
    assert "London-wide, not specific to Hackney" in section.text[0]
    assert section.table.filter(pl.col("name") == "Through the gate")["Prison"][0] == "6"
    service.withdraw(app_db, reference, COORD)
    section = content.voices_section()
    assert "5 accounts" in section.text[0]
    assert section.table.filter(pl.col("name") == "Through the gate")["Prison"][0] == "5"
