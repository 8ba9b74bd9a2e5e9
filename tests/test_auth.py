"""Who may write: roles from the [roles] table, sign-in mode and local mode."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.store import (
    ADMIN,
    COORDINATOR,
    EBE_REVIEWER,
    PARTNER_EDITOR,
    PEER_RESEARCHER,
    VIEWER,
)
from dashboard.store import ROLES as ALL_ROLES

ROLES = {
    "lead@ohid.example": "admin",
    "@london.example": ["partner_editor"],
    "@voices.example": ["ebe_reviewer", "partner_editor"],
    "*": "viewer",
}
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "app", "client_secret": "secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}


@pytest.mark.parametrize(("email", "expected"), [
    ("lead@ohid.example", {ADMIN, VIEWER}),
    ("LEAD@OHID.example ", {ADMIN, VIEWER}),
    ("someone@london.example", {PARTNER_EDITOR, VIEWER}),
    ("peer@voices.example", {EBE_REVIEWER, PARTNER_EDITOR, VIEWER}),
    ("stranger@elsewhere.example", {VIEWER}),
    ("someone@sub.london.example", {VIEWER}),  # a domain means exactly that domain
    (None, {VIEWER}),
])
def test_roles_come_from_the_most_specific_match(email, expected) -> None:
    assert auth.roles_for(email, ROLES) == frozenset(expected)


def test_an_address_beats_its_domain_and_star_gives_a_default() -> None:
    table = {"boss@london.example": "admin", "@london.example": "partner_editor",
             "*": "ebe_reviewer"}
    assert auth.roles_for("boss@london.example", table) == {ADMIN, VIEWER}
    assert auth.roles_for("other@else.example", table) == {EBE_REVIEWER, VIEWER}


def test_an_unverified_address_only_gets_what_star_gives() -> None:
    assert auth.roles_for("lead@ohid.example", ROLES, verified=False) == {VIEWER}


def test_unknown_role_names_are_ignored_and_reported() -> None:
    table = {"a@b.example": ["admin", "superuser"], "nobody": "viewer"}
    assert auth.roles_for("a@b.example", table) == {ADMIN, VIEWER}
    problems = auth.roles_table_problems(table)
    assert any("unknown role(s) superuser" in p for p in problems)
    assert any("'nobody' is not an e-mail address" in p for p in problems)
    assert auth.roles_table_problems(ROLES) == []


def test_providers_configured_in_the_auth_section() -> None:
    assert auth.provider_names({}) == []
    assert auth.provider_names(AUTH) == [None]
    named = {"redirect_uri": "x", "cookie_secret": "y",
             "microsoft": {"client_id": "a", "server_metadata_url": "https://m"},
             "google": {"client_id": "b", "server_metadata_url": "https://g"}}
    assert auth.provider_names(named) == ["google", "microsoft"]


def _panel_app() -> None:
    import streamlit as st

    from dashboard import auth

    actor = auth.panel("test")
    st.text(f"identity={actor.identity}")
    st.text(f"roles={','.join(sorted(actor.roles))}")


def _run(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_function(_panel_app, default_timeout=30)
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_local_mode_lets_the_person_at_the_machine_do_everything(local_browser) -> None:
    at = _run()
    assert any(i.value.startswith("Local mode: no sign-in is set up") for i in at.info)
    texts = _texts(at)
    assert any(t.startswith("identity=local:") for t in texts)
    assert f"roles={','.join(sorted(ALL_ROLES))}" in texts
    assert {ADMIN, EBE_REVIEWER, PARTNER_EDITOR, VIEWER, PEER_RESEARCHER, COORDINATOR} == \
        set(ALL_ROLES)


def test_local_mode_gives_a_session_without_a_readable_connection_only_the_viewer_role() -> None:
    at = _run()  # AppTest: no browser connection to check
    assert "roles=viewer" in _texts(at)
    assert any(t.startswith(f"identity={auth.REMOTE_PREFIX}") for t in _texts(at))
    assert any(i.value == auth.REMOTE_IN_LOCAL_MODE_TEXT for i in at.info)


LOCAL = auth.BrowserRequest("localhost:8501", frozenset({"host", "origin"}), "127.0.0.1")


@pytest.mark.parametrize("request_, problem", [
    (LOCAL, None),
    (auth.BrowserRequest("127.0.0.1:8501", frozenset({"host"}), "::ffff:127.0.0.1"), None),
    (auth.BrowserRequest("[::1]:8501", frozenset({"host"}), "::1"), None),
    (auth.BrowserRequest("LocalHost:8501", frozenset({"host"}), "127.0.0.1"), None),
    (None, "cannot be read"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host"}), None), "not this machine"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host"}), "192.0.2.7"), "192.0.2.7"),
    (auth.BrowserRequest("evil.example:8501", frozenset({"host"}), "127.0.0.1"), "evil.example"),
    (auth.BrowserRequest("localhost:9999", frozenset({"host"}), "127.0.0.1"), "port 8501"),
    (auth.BrowserRequest("localhost", frozenset({"host"}), "127.0.0.1"), "port 8501"),
    (auth.BrowserRequest("localhost.evil.example:8501", frozenset({"host"}), "127.0.0.1"),
     "Host"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host", "x-forwarded-for"}), "127.0.0.1"),
     "x-forwarded-for"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host", "forwarded"}), "127.0.0.1"),
     "forwarded"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host", "x-real-ip"}), "127.0.0.1"),
     "x-real-ip"),
    (auth.BrowserRequest("localhost:8501", frozenset({"host", "via"}), "127.0.0.1"), "via"),
    (auth.BrowserRequest("127.0.0.1:8501", frozenset({"host", "origin"}), "127.0.0.1",
                         "https://dash.example"), "origin"),
    (auth.BrowserRequest("127.0.0.1:8501", frozenset({"host", "origin"}), "127.0.0.1",
                         "http://localhost:8501"), None),
])
def test_local_mode_writes_only_for_a_direct_request_from_this_machine(request_, problem) -> None:
    found = auth.local_request_problem(request_, 8501)
    assert (found is None) if problem is None else (problem in found)


def test_port_80_may_be_left_out_of_the_host() -> None:
    request_ = auth.BrowserRequest("localhost", frozenset({"host"}), "127.0.0.1")
    assert auth.local_request_problem(request_, 80) is None


def test_local_mode_can_be_made_read_only(monkeypatch, local_browser) -> None:
    monkeypatch.setenv(auth.LOCAL_WRITES_ENV, "off")
    at = _run()
    assert "roles=viewer" in _texts(at)
    assert any("read-only" in i.value for i in at.info)


def test_with_sign_in_configured_a_visitor_is_a_viewer_with_a_sign_in_button() -> None:
    at = _run({"auth": AUTH, "roles": ROLES}, {"is_logged_in": False})
    assert "roles=viewer" in _texts(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.info


def test_a_signed_in_partner_gets_the_partner_role_and_a_sign_out_button() -> None:
    at = _run({"auth": AUTH, "roles": ROLES},
              {"is_logged_in": True, "email": "Someone@London.example", "sub": "s1"})
    texts = _texts(at)
    assert "identity=someone@london.example" in texts
    assert "roles=partner_editor,viewer" in texts
    assert "Signed in as someone@london.example: Partner editor, Viewer" in texts
    assert [b.label for b in at.button] == ["Sign out"]


def test_a_signed_in_person_with_an_unverified_address_is_a_viewer() -> None:
    at = _run({"auth": AUTH, "roles": ROLES},
              {"is_logged_in": True, "email": "lead@ohid.example", "email_verified": False})
    assert "roles=viewer" in _texts(at)


def test_the_example_secrets_file_is_valid() -> None:
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.example.toml"
    settings = tomllib.loads(example.read_text())
    assert auth.provider_names(settings["auth"]) == [None]
    assert auth.roles_table_problems(settings["roles"]) == []
    assert auth.roles_for("someone@london.example.gov.uk", settings["roles"]) == {
        PARTNER_EDITOR, VIEWER}
