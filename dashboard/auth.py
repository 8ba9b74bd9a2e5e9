"""Who is using the app and what they may record.

Two modes:

- **Sign-in** (when `.streamlit/secrets.toml` has an `[auth]` section): people sign in with
  OpenID Connect through `st.login`. Their roles come from the `[roles]` table of the same file,
  which maps e-mail addresses, `@domains` and `*` (anyone signed in) to roles. Anyone not signed
  in, or not listed, is a viewer. See `.streamlit/secrets.example.toml`.
- **Local mode** (no `[auth]` section: `make run` on a laptop): nobody signs in; the person at
  the machine may record, edit and withdraw entries, recorded as `local:<user name>`. It is
  labelled on every page that writes, and a browser connecting from another machine gets only
  the viewer role. Behind a reverse proxy every browser looks local, so any copy others can
  reach must configure sign-in (or set COC_LOCAL_WRITES=off to make local mode read-only).

Roles: viewer (reads), partner_editor (records recommendation updates), ebe_reviewer (records
EbE reviews), admin (everything, including withdrawing entries and importing a backup).
The store (dashboard.store) checks the role again on every write.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Mapping

import streamlit as st

from dashboard.store import ADMIN, EBE_REVIEWER, PARTNER_EDITOR, ROLES, VIEWER, Actor

ROLE_TITLES: dict[str, str] = {
    VIEWER: "Viewer",
    PARTNER_EDITOR: "Partner editor",
    EBE_REVIEWER: "EbE reviewer",
    ADMIN: "Administrator",
}
ANYONE = "*"
LOCAL_WRITES_ENV = "COC_LOCAL_WRITES"  # "off": local mode is read-only
LOCAL_PREFIX = "local:"
REMOTE_PREFIX = "remote:"
READ_ONLY_TEXT = ("This copy of the app is read-only: no sign-in is set up and recording on this "
                  f"computer has been switched off ({LOCAL_WRITES_ENV}=off).")
LOCAL_MODE_TEXT = (
    "Local mode: no sign-in is set up for this copy of the app, so whoever uses it on this "
    "computer can record, edit and withdraw entries. Entries are recorded as {identity}."
)
LOCAL_MODE_SHORT_TEXT = "Local mode: anyone using this computer can record entries."
REMOTE_IN_LOCAL_MODE_TEXT = (
    "This copy of the app has no sign-in set up, so only someone using it on the computer it "
    "runs on can record entries. You can read everything here."
)


# --- Pure rules -------------------------------------------------------------------------------

def _roles_of(value: object) -> set[str]:
    names = [value] if isinstance(value, str) else list(value or [])
    return {str(name).strip().lower() for name in names} & set(ROLES)


def roles_for(email: str | None, table: Mapping[str, object], verified: bool = True
              ) -> frozenset[str]:
    """The roles of a signed-in person from the `[roles]` table.

    Keys are an e-mail address, an `@domain` or `*`; values a role or a list of roles. The most
    specific key that matches wins (address, then domain, then `*`). An address the provider says
    is not verified only gets what `*` gives. Everyone is at least a viewer; unknown role names
    are ignored.
    """
    by_key = {str(key).strip().lower(): value for key, value in table.items()}
    address = (email or "").strip().lower()
    candidates = []
    if address and verified:
        candidates.append(address)
        if "@" in address:
            candidates.append("@" + address.rsplit("@", 1)[1])
    candidates.append(ANYONE)
    for key in candidates:
        if key in by_key:
            return frozenset(_roles_of(by_key[key]) | {VIEWER})
    return frozenset({VIEWER})


def roles_table_problems(table: Mapping[str, object]) -> list[str]:
    """What is wrong with a `[roles]` table, for the administrator to fix."""
    problems = []
    for key, value in table.items():
        names = [value] if isinstance(value, str) else list(value or [])
        unknown = [str(n) for n in names if str(n).strip().lower() not in ROLES]
        if unknown:
            problems.append(f"[roles] {key!r}: unknown role(s) {', '.join(unknown)} "
                            f"(use {', '.join(ROLES)})")
        if key != ANYONE and "@" not in str(key):
            problems.append(f"[roles] {key!r} is not an e-mail address, an @domain or '*'")
    return problems


def provider_names(auth: Mapping[str, object]) -> list[str | None]:
    """The identity providers an `[auth]` section configures: None for the unnamed one, and
    the name of every `[auth.<name>]` table."""
    names: list[str | None] = []
    if auth.get("server_metadata_url"):
        names.append(None)
    names += sorted(str(name) for name, value in auth.items()
                    if isinstance(value, Mapping) and value.get("server_metadata_url"))
    return names


def describe(actor: Actor) -> str:
    """'Signed in as a@b.org: Partner editor, Viewer' and the like (plain text)."""
    roles = ", ".join(ROLE_TITLES[r] for r in ROLES[::-1] if r in actor.roles)
    who = actor.label or actor.identity
    return f"{who}: {roles}"


# --- Streamlit --------------------------------------------------------------------------------

def is_loopback(address: str) -> bool:
    """Whether a client address is this machine, including IPv4 seen through IPv6
    ('::ffff:127.0.0.1', as a server listening on all addresses reports it)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return (mapped or parsed).is_loopback


def _section(name: str) -> dict:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get(name)
    except (FileNotFoundError, KeyError):
        return {}
    return _plain(section) if isinstance(section, Mapping) else {}


def _plain(section: Mapping) -> dict:
    return {key: _plain(value) if isinstance(value, Mapping) else value
            for key, value in section.items()}


def sign_in_configured() -> bool:
    return bool(provider_names(_section("auth")))


def _signed_in() -> bool:
    try:
        return bool(st.user.get("is_logged_in", False))
    except Exception:  # st.user outside a script run
        return False


def _user_claim(name: str) -> str | None:
    value = st.user.get(name)
    return None if value is None else str(value)


def current_actor() -> Actor:
    """Who is using this session and what they may do."""
    if not sign_in_configured():
        identity = f"{LOCAL_PREFIX}{getpass.getuser()}"
        if os.environ.get(LOCAL_WRITES_ENV, "on").strip().lower() in ("off", "0", "false", "no"):
            return Actor(identity, frozenset({VIEWER}), "Local mode, read only")
        address = st.context.ip_address  # None (or not a string) for this machine
        if isinstance(address, str) and not is_loopback(address):
            return Actor(f"{REMOTE_PREFIX}{address}", frozenset({VIEWER}),
                         "Someone on another computer")
        return Actor(identity, frozenset(ROLES), f"Local mode ({identity})")
    if not _signed_in():
        return Actor("anonymous", frozenset({VIEWER}), "Not signed in")
    email = _user_claim("email")
    identity = (email or _user_claim("sub") or "unknown").strip().lower()
    verified = st.user.get("email_verified") is not False
    roles = roles_for(email, _section("roles"), verified)
    return Actor(identity, roles, identity)


def _sign_in_buttons(key: str, container) -> None:
    names = provider_names(_section("auth"))
    for name in names:
        label = "Sign in" if name is None else f"Sign in with {name}"
        if container.button(label, key=f"{key}-sign-in-{name or 'default'}",
                            icon=":material/login:"):
            if name is None:
                st.login()
            else:
                st.login(name)


def panel(key: str = "page", container=None, compact: bool = False) -> Actor:
    """Say who the person is and what they may record, with sign-in or sign-out.

    User-supplied text (the e-mail address) is shown with st.text, never as Markdown.
    """
    box = container or st
    actor = current_actor()
    if not sign_in_configured():
        if actor.can_write:
            text = (LOCAL_MODE_SHORT_TEXT if compact
                    else LOCAL_MODE_TEXT.format(identity=actor.identity))
        elif actor.identity.startswith(REMOTE_PREFIX):
            text = REMOTE_IN_LOCAL_MODE_TEXT
        else:
            text = READ_ONLY_TEXT
        box.info(text, icon=":material/computer:")
        return actor
    if not _signed_in():
        box.text("Not signed in: you can read everything here." if compact else
                 "You are not signed in: you can read everything here. Sign in to record an "
                 "update or a review.")
        _sign_in_buttons(key, box)
        return actor
    box.text(f"Signed in as {describe(actor)}")
    if box.button("Sign out", key=f"{key}-sign-out", icon=":material/logout:"):
        st.logout()
    return actor


def sidebar() -> Actor:
    """Sign-in state in the sidebar, for the router to call on every page."""
    return panel("sidebar", st.sidebar, compact=True)
