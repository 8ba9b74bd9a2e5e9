"""The workflow: capture with consent, review, the codebook, coding, quotes, second coding and
withdrawal. Every write goes through dashboard.store.records (the store's one write path);
every free text is de-identified here before it is validated and written."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import date, timedelta

import polars as pl

from dashboard.peer_research import deidentify
from dashboard.peer_research.model import (
    ACCOUNT,
    ASSIGNMENT,
    CODING,
    CONSENT,
    CONSENT_VERSION,
    CONTRACTS,
    KINDS,
    QUOTE,
    TEXT_FIELDS,
    THEME,
    WITHDRAW_DAYS_DEFAULT,
    new_reference,
)
from dashboard.store import ADMIN, COORDINATOR, PEER_RESEARCHER, Actor, AppStore, NotAllowed
from dashboard.store.model import EntryRejected, Problem
from dashboard.store.records import Change, Records  # noqa: F401 (samples use Change)

WITHDRAWAL_EVENT_PREFIX = "LEV-WDR-"
SECOND_CODING_SHARE = 0.2  # the share of approved accounts coded a second time by default
REDACTED_FIELDS = (*TEXT_FIELDS, "content_note_text", "review_note")


def is_coordinator(actor: Actor) -> bool:
    return bool({COORDINATOR, ADMIN} & actor.roles)


def is_researcher(actor: Actor) -> bool:
    return bool({PEER_RESEARCHER, COORDINATOR, ADMIN} & actor.roles)


def require_coordinator(actor: Actor, what: str) -> None:
    if not is_coordinator(actor):
        raise NotAllowed(f"{actor.label or actor.identity} may not {what}: only the "
                         "coordinator may.")


def redacted(values: Mapping[str, object]) -> dict[str, object]:
    """`values` with every free-text field de-identified."""
    return {name: deidentify.redact(value) if name in REDACTED_FIELDS and
            isinstance(value, str) else value for name, value in values.items()}


def consent_defaults(today: date | None = None) -> dict[str, object]:
    today = today or date.today()
    return {"consent_on": today, "withdraw_until": today + timedelta(days=WITHDRAW_DAYS_DEFAULT),
            "consent_version": CONSENT_VERSION}


# --- Capture ---------------------------------------------------------------------------------

def capture(store: AppStore, consent: Mapping[str, object] | None,
            account: Mapping[str, object], actor: Actor, source: str = "app",
            reference: str | None = None) -> str:
    """Record a consent and its account together (all or nothing); the withdrawal reference.
    Without a full consent nothing is stored (EntryRejected)."""
    if not is_researcher(actor):
        raise NotAllowed(f"{actor.label or actor.identity} may not record accounts: ask the "
                         "coordinator for the peer researcher role.")
    if not consent:
        raise EntryRejected("Account", [Problem("consent", "no consent was recorded: an "
                                                           "account cannot be saved without it")])
    reference = reference or new_reference()
    consent_values = {**consent_defaults(), **consent, "reference": reference}
    account_values = {**redacted(account), "reference": reference, "status": "submitted",
                      "source": source, "review_note": None}
    Records(store).write([
        Change(KINDS[CONSENT], consent_values, account_ref=reference),
        Change(KINDS[ACCOUNT], account_values, account_ref=reference),
    ], actor)
    return reference


# --- Reads -----------------------------------------------------------------------------------

def records(store: AppStore, kind: str) -> list[dict]:
    return Records(store).latest(kind)


def _creators(store: AppStore) -> dict[str, str]:
    versions = Records(store).versions()
    first = versions.filter(pl.col("version") == 1)
    return dict(zip(first["record_id"], first["recorded_by"], strict=True))


def accounts(store: AppStore, actor: Actor, status: str | None = None) -> list[dict]:
    """The accounts `actor` may see: a coordinator all, a peer researcher their own."""
    found = records(store, ACCOUNT)
    if not is_coordinator(actor):
        if not is_researcher(actor):
            return []
        creators = _creators(store)
        found = [a for a in found if creators.get(a["record_id"]) == actor.identity]
    return [a for a in found if status is None or a["status"] == status]


def approved_accounts(store: AppStore) -> list[dict]:
    return [a for a in records(store, ACCOUNT) if a["status"] == "approved"]


def account(store: AppStore, account_id: str) -> dict:
    found = [a for a in records(store, ACCOUNT) if a["record_id"] == account_id]
    if not found:
        raise LookupError(f"There is no account {account_id}.")
    return found[0]


# --- Review ----------------------------------------------------------------------------------

def review(store: AppStore, account_id: str, actor: Actor, status: str,
           edits: Mapping[str, object] | None = None, note: str | None = None,
           based_on_version: int | None = None) -> int:
    """The coordinator approves or returns an account, redacting more if needed; the new
    version's number."""
    require_coordinator(actor, "approve or return accounts")
    current = account(store, account_id)
    fields = {name: current.get(name) for name in CONTRACTS[ACCOUNT].column_names}
    values = {**fields, **redacted(dict(edits or {})), "status": status,
              "review_note": deidentify.redact(note) if note else None}
    (_, version), = Records(store).write(
        [Change(KINDS[ACCOUNT], values, record_id=account_id,
                based_on_version=based_on_version)], actor)
    return version


# --- Codebook --------------------------------------------------------------------------------

def save_theme(store: AppStore, values: Mapping[str, object], actor: Actor,
               record_id: str | None = None) -> str:
    """Add a theme, or a new version of one (the coordinator keeps the codebook)."""
    require_coordinator(actor, "change the codebook")
    themes = records(store, THEME)
    code = str(values.get("code", "")).strip()
    if any(t["code"] == code and t["record_id"] != record_id for t in themes):
        raise EntryRejected("Codebook theme", [Problem("code", f"code {code} is already used")])
    (written, _), = Records(store).write(
        [Change(KINDS[THEME], {**values, "active": values.get("active", True)},
                record_id=record_id)], actor)
    return written


def codebook(store: AppStore, active_only: bool = True) -> pl.DataFrame:
    rows = [t for t in records(store, THEME) if t["active"] or not active_only]
    schema = {"record_id": pl.String, "code": pl.String, "name": pl.String,
              "definition": pl.String, "links": pl.List(pl.String), "active": pl.Boolean,
              "version": pl.Int32}
    return pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema,
                        orient="row").sort("code")


def codebook_version(store: AppStore) -> int:
    """The codebook's version: how many theme versions have been written."""
    versions = Records(store).versions()
    return versions.filter(pl.col("kind") == THEME).height


# --- Coding ----------------------------------------------------------------------------------

def code_account(store: AppStore, account_id: str, coding_pass: str, themes: list[str],
                 actor: Actor) -> str:
    """Record the themes of one pass over one account (a new version if already coded)."""
    if coding_pass == "first":
        require_coordinator(actor, "do the first coding")
    elif not is_researcher(actor):
        raise NotAllowed(f"{actor.label or actor.identity} may not code accounts.")
    current = account(store, account_id)
    if current["status"] != "approved":
        raise EntryRejected("Coding", [Problem("account_id", "only approved accounts are "
                                                             "coded")])
    if coding_pass != "first":
        assigned = [a for a in records(store, ASSIGNMENT) if a["account_id"] == account_id]
        if not assigned:
            raise EntryRejected("Coding", [Problem("pass", "this account is not assigned for "
                                                           "second coding")])
        if assigned[0]["second_coder"] != actor.identity and not is_coordinator(actor):
            raise NotAllowed("This account is assigned to someone else for second coding.")
    known = set(codebook(store)["code"])
    unknown = sorted(set(themes) - known)
    if unknown:
        raise EntryRejected("Coding", [Problem("themes", f"not in the codebook: "
                                                         f"{', '.join(unknown)}")])
    existing = [c for c in records(store, CODING)
                if c["account_id"] == account_id and c["pass"] == coding_pass]
    values = {"account_id": account_id, "pass": coding_pass, "coder": actor.identity,
              "themes": themes}
    (written, _), = Records(store).write([Change(
        KINDS[CODING], values, record_id=existing[0]["record_id"] if existing else None,
        account_ref=current["account_ref"])], actor)
    return written


def codings(store: AppStore) -> pl.DataFrame:
    rows = records(store, CODING)
    schema = {"account_id": pl.String, "pass": pl.String, "coder": pl.String,
              "themes": pl.List(pl.String)}
    return pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema, orient="row")


def assign_second_coding(store: AppStore, second_coder: str, actor: Actor,
                         share: float = SECOND_CODING_SHARE, seed: int | None = None) -> list[str]:
    """Choose a random share (at least one) of the approved, first-coded accounts not yet
    assigned, for `second_coder`; the accounts chosen."""
    require_coordinator(actor, "assign second coding")
    coded = set(codings(store).filter(pl.col("pass") == "first")["account_id"])
    assigned = {a["account_id"] for a in records(store, ASSIGNMENT)}
    pool = sorted(a["record_id"] for a in approved_accounts(store)
                  if a["record_id"] in coded and a["record_id"] not in assigned)
    if not pool:
        return []
    total = len(coded)
    wanted = max(1, round(share * total) - len(assigned & coded))
    chosen = sorted(random.Random(seed).sample(pool, min(wanted, len(pool))))
    refs = {a["record_id"]: a["account_ref"] for a in approved_accounts(store)}
    Records(store).write([Change(KINDS[ASSIGNMENT], {"account_id": a,
                                                     "second_coder": second_coder},
                                 account_ref=refs[a]) for a in chosen], actor)
    return chosen


def assignments(store: AppStore, actor: Actor) -> list[dict]:
    """Second codings assigned to `actor` (all of them for the coordinator)."""
    found = records(store, ASSIGNMENT)
    return found if is_coordinator(actor) else \
        [a for a in found if a["second_coder"] == actor.identity]


# --- Quotes ----------------------------------------------------------------------------------

def add_quote(store: AppStore, account_id: str, source_field: str, text: str,
              themes: list[str], actor: Actor, approved: bool = True) -> str:
    """A passage of an approved account, for quoting; it must be a passage of that answer."""
    require_coordinator(actor, "choose quotes")
    current = account(store, account_id)
    clean = deidentify.redact(text.strip()) or ""
    if current["status"] != "approved":
        raise EntryRejected("Quote", [Problem("account_id", "quotes come from approved "
                                                            "accounts only")])
    if " ".join(clean.split()) not in " ".join(str(current.get(source_field) or "").split()):
        raise EntryRejected("Quote", [Problem("text", "the quote is not a passage of that "
                                                      "answer")])
    unknown = sorted(set(themes) - set(codebook(store)["code"]))
    if unknown:
        raise EntryRejected("Quote", [Problem("themes", f"not in the codebook: "
                                                        f"{', '.join(unknown)}")])
    (written, _), = Records(store).write([Change(
        KINDS[QUOTE], {"account_id": account_id, "source_field": source_field, "text": clean,
                       "themes": themes, "approved": approved},
        account_ref=current["account_ref"])], actor)
    return written


def quotes(store: AppStore) -> pl.DataFrame:
    rows = records(store, QUOTE)
    schema = {"record_id": pl.String, "account_id": pl.String, "source_field": pl.String,
              "text": pl.String, "themes": pl.List(pl.String), "approved": pl.Boolean}
    return pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema, orient="row")


# --- Withdrawal ------------------------------------------------------------------------------

def withdraw(store: AppStore, reference: str, actor: Actor) -> int:
    """Withdraw a participant's account by their reference: its consent, account, codings,
    quotes and assignments are emptied in every version. The audit log says only that a
    withdrawal happened. The number of records removed (0: no such reference)."""
    require_coordinator(actor, "withdraw accounts")
    event = f"{WITHDRAWAL_EVENT_PREFIX}{uuid.uuid4().hex[:12].upper()}"
    return Records(store).purge(reference.strip().upper(), actor, True, event)
