"""Who is using the app and what they may record.

Two modes:

- **Sign-in** (when `.streamlit/secrets.toml` has an `[auth]` section): people sign in with
  OpenID Connect through `st.login`. Their roles come from the `[roles]` table of the same file,
  which maps e-mail addresses, `@domains` and `*` (anyone signed in) to roles. Anyone not signed
  in, or not listed, is a viewer. See `.streamlit/secrets.example.toml`.
- **Local mode** (no `[auth]` section: `make run` on a laptop): nobody signs in; the person at
  the machine may record, edit and withdraw entries, recorded as `local:<user name>`. It is
  labelled on every page that writes. A browser may write only when its connection is plainly
  from this machine: the peer address is loopback, the Host header (and the Origin, when sent)
  is `localhost`, `127.0.0.1` or `[::1]` with the app's port (a page on another name resolving
  to 127.0.0.1, i.e. DNS rebinding, fails this), and no proxy or forwarding header is present
  (a same-machine reverse proxy adds one, or passes on the page's own origin). Any other
  browser, or a session whose connection cannot be read, is a viewer. Any copy others can
  reach should still configure sign-in (or set COC_LOCAL_WRITES=off).

Roles: viewer (reads), partner_editor (records recommendation updates), ebe_reviewer (records
EbE reviews, the EbE panel's Recovery Audit ratings and EbE training sessions),
`service_assessor:ID` (completes the Recovery Audit self-assessment of service ID only: a
services-directory id such as SVC-012 or a prison code such as BZI; list one per service),
peer_researcher (records Lived experience voices accounts and sees their own), coordinator
(reviews and approves accounts, keeps the codebook, codes, withdraws, exports), admin
(everything, including the audit framework and rounds, withdrawing entries and importing a
backup).
The store (dashboard.store) checks the role again on every write.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import streamlit as st
from streamlit.runtime.context import _get_client_context

from dashboard import settings
from dashboard.store import (
    ADMIN,
    COORDINATOR,
    EBE_REVIEWER,
    PARTNER_EDITOR,
    PEER_RESEARCHER,
    ROLES,
    SERVICE_ROLE_PREFIX,
    VIEWER,
    Actor,
    is_service_role,
)

_LOGGER = logging.getLogger(__name__)
ROLE_TITLES: dict[str, str] = {
    VIEWER: "Viewer",
    PARTNER_EDITOR: "Partner editor",
    EBE_REVIEWER: "EbE reviewer",
    PEER_RESEARCHER: "Peer researcher",
    COORDINATOR: "Coordinator",
    ADMIN: "Administrator",
}
ANYONE = "*"
LOCAL_HOST_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_HTTP_PORT = 80
# Headers a proxy, load balancer or forwarder adds: any of them means the browser is elsewhere.
FORWARDING_HEADERS = frozenset({
    "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
    "x-forwarded-port", "x-forwarded-server", "x-forwarded-prefix", "x-real-ip",
    "x-client-ip", "x-cluster-client-ip", "true-client-ip", "cf-connecting-ip",
    "fastly-client-ip", "x-original-forwarded-for", "x-proxyuser-ip", "via",
})
LOCAL_WRITES_ENV = settings.LOCAL_WRITES.name  # "off": local mode is read-only
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
    "runs on, at http://localhost, can record entries. You can read everything here."
)


# --- Pure rules -------------------------------------------------------------------------------

def _role_name(name: object) -> str:
    """A role as written in the table: role names in lower case; a service assessor's service
    id as written after the prefix (ids such as SVC-012 and BZI are upper case)."""
    text = str(name).strip()
    if text.lower().startswith(SERVICE_ROLE_PREFIX):
        return SERVICE_ROLE_PREFIX + text[len(SERVICE_ROLE_PREFIX):].strip().upper()
    return text.lower()


def _roles_of(value: object) -> set[str]:
    names = [value] if isinstance(value, str) else list(value or [])
    return {role for role in map(_role_name, names) if role in ROLES or is_service_role(role)}


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
        unknown = [str(n) for n in names
                   if _role_name(n) not in ROLES and not is_service_role(_role_name(n))]
        if unknown:
            problems.append(f"[roles] {key!r}: unknown role(s) {', '.join(unknown)} "
                            f"(use {', '.join(ROLES)} or {SERVICE_ROLE_PREFIX}SERVICE_ID)")
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
    titles = [ROLE_TITLES[r] for r in ROLES[::-1] if r in actor.roles]
    services = sorted(actor.assessed_services)
    if services:
        titles.insert(0, f"Service assessor ({', '.join(services)})")
    roles = ", ".join(titles)
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


@dataclass(frozen=True)
class BrowserRequest:
    """What the browser's websocket handshake told the server: Host, header names, TCP peer."""

    host: str
    header_names: frozenset[str]
    peer: str | None
    origin: str | None = None  # the page's origin, which a browser always sends here


def local_request_problem(request: BrowserRequest | None, port: int) -> str | None:
    """Why this request may not write in local mode, or None when it plainly comes from a
    browser on this machine talking to this app directly."""
    if request is None:
        return "the connection cannot be read"
    if request.peer is None or not is_loopback(request.peer):
        return f"the peer address {request.peer} is not this machine"
    forwarded = sorted(request.header_names & FORWARDING_HEADERS)
    if forwarded:
        return f"forwarding header(s) {', '.join(forwarded)} present"
    allowed = {f"{name}:{port}" for name in LOCAL_HOST_NAMES}
    if port == DEFAULT_HTTP_PORT:
        allowed |= set(LOCAL_HOST_NAMES)
    if request.host.strip().lower() not in allowed:
        return f"the Host header {request.host!r} is not this machine on port {port}"
    # A proxy that leaves Host as its upstream (127.0.0.1:port) still passes on the page's
    # own origin.
    if request.origin is not None and urlsplit(request.origin.strip().lower()).netloc \
            not in allowed:
        return f"the page's origin {request.origin!r} is not this machine on port {port}"
    return None


def _request_from(headers: object, peer: object) -> BrowserRequest | None:
    if not isinstance(headers, Iterable) or not (peer is None or isinstance(peer, str)):
        return None
    pairs = list(headers)
    if not all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(v, str) for v in p)
               for p in pairs):
        return None
    names = [name.lower() for name, _ in pairs]
    hosts = [value for name, value in pairs if name.lower() == "host"]
    origins = [value for name, value in pairs if name.lower() == "origin"]
    if len(hosts) != 1 or len(origins) > 1:
        return None
    return BrowserRequest(hosts[0], frozenset(names), peer, origins[0] if origins else None)


def browser_request() -> BrowserRequest | None:
    """This session's websocket handshake, or None when there is none that can be read (no
    browser connection, or a disconnected one)."""
    # Not st.context.ip_address: it reports a loopback peer and an unknown one alike as None.
    try:
        client = _get_client_context()
    except Exception:  # no runtime: not served
        return None
    if client is None:
        return None
    return _request_from(client.headers, client.remote_ip)


def _app_port() -> int:
    return int(st.get_option("server.port"))


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
        if (settings.read(settings.LOCAL_WRITES) or "on").strip().lower() in ("off", "0", "false",
                                                                      "no"):
            return Actor(identity, frozenset({VIEWER}), "Local mode, read only")
        request = browser_request()
        problem = local_request_problem(request, _app_port())
        if problem is not None:
            _LOGGER.info("Local mode: read only for this browser because %s", problem)
            peer = request.peer if request is not None else None
            return Actor(f"{REMOTE_PREFIX}{peer or 'unknown'}", frozenset({VIEWER}),
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
