"""Shared set-up for the Lived experience voices tests: actors, a consent, an account."""

from __future__ import annotations

from datetime import date, timedelta

from dashboard.peer_research import service
from dashboard.store import COORDINATOR, PEER_RESEARCHER, Actor, AppStore

RESEARCHER = Actor("pr.one@voices.example", frozenset({PEER_RESEARCHER}), "Peer researcher one")
OTHER_RESEARCHER = Actor("pr.two@voices.example", frozenset({PEER_RESEARCHER}), "Peer two")
COORD = Actor("coord@voices.example", frozenset({COORDINATOR}), "Coordinator")
CONSENT = {"purpose_explained": True, "anonymous_quotes": True, "withdrawal_explained": True,
           "consent_given": True}
THEMES = (("T01", "Housing", ["F-A"]), ("T02", "Through the gate", ["F-B", "R3"]),
          ("T03", "Peer support", ["R3"]))


def account(text: str = "The worker met me at the gate.", setting: str = "hostel",
            **extra: object) -> dict[str, object]:
    return {"collected_on": date.today() - timedelta(days=1), "researcher": "PR-07",
            "setting": setting, "mode": "free_text", "account_text": text,
            "content_note": False, **extra}


def codebook(store: AppStore) -> None:
    for code, name, links in THEMES:
        service.save_theme(store, {"code": code, "name": name, "definition": f"About {name}.",
                                   "links": links}, COORD)


def approved(store: AppStore, text: str, setting: str, themes: list[str],
             quote: str | None = None) -> tuple[str, str]:
    """Capture, approve, code (first pass) and optionally quote one account: (reference, id)."""
    reference = service.capture(store, CONSENT, account(text, setting), RESEARCHER)
    account_id = next(a["record_id"] for a in service.records(store, "account")
                      if a["reference"] == reference)
    service.review(store, account_id, COORD, "approved")
    service.code_account(store, account_id, "first", themes, COORD)
    if quote:
        service.add_quote(store, account_id, "account_text", quote, themes, COORD)
    return reference, account_id
