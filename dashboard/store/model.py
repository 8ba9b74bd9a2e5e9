"""What the app store holds and says: kinds, roles, columns, the actor, results and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl

from dashboard import settings
from dashboard.store import audit_contracts as audit
from pipelines.definitions.contracts import (
    EBE_REVIEWS,
    RECOMMENDATION_UPDATES,
    TEXT_MAX_CHARS,
    Contract,
)

APP_DB_ENV = settings.APP_DB.name

UPDATE = "update"
REVIEW = "review"
TRACKER_KINDS = (UPDATE, REVIEW)  # the Recommendations page's own kinds
CONTRACT_BY_KIND: dict[str, Contract] = {UPDATE: RECOMMENDATION_UPDATES, REVIEW: EBE_REVIEWS,
                                         **audit.CONTRACTS}
KIND_TITLES = {UPDATE: "recommendation update", REVIEW: "EbE review", **audit.TITLES}
ID_PREFIX = {UPDATE: "APP-UPD-", REVIEW: "APP-REV-", **audit.ID_PREFIXES}
DATE_FIELD = {UPDATE: "reported_on", REVIEW: "reviewed_on",
              **{kind: "reported_on" for kind in audit.CONTRACTS}}
# Kinds tied to one recommendation: the entry must name it.
RECOMMENDATION_FOR_KIND = dict(audit.RECOMMENDATION_FOR_KIND)

# Roles (mapped from the signed-in identity by dashboard.auth).
VIEWER = "viewer"
PARTNER_EDITOR = "partner_editor"
EBE_REVIEWER = "ebe_reviewer"
ADMIN = "admin"
PEER_RESEARCHER = "peer_researcher"  # Lived experience voices: records accounts
COORDINATOR = "coordinator"  # Lived experience voices: reviews, codes, withdraws, exports
ROLES = (VIEWER, PARTNER_EDITOR, EBE_REVIEWER, PEER_RESEARCHER, COORDINATOR, ADMIN)
# A service assessor completes the self-assessment of one service: the role is written
# "service_assessor:ID" (a services-directory id or a prison code), one per service.
SERVICE_ASSESSOR = "service_assessor"
SERVICE_ROLE_PREFIX = f"{SERVICE_ASSESSOR}:"
ROLE_FOR_KIND = {UPDATE: PARTNER_EDITOR, REVIEW: EBE_REVIEWER,
                 audit.QUESTION: ADMIN, audit.ROUND: ADMIN,
                 audit.ANSWER: f"{SERVICE_ASSESSOR} or {EBE_REVIEWER}",
                 audit.TRAINING: EBE_REVIEWER}


def service_role(service_id: str) -> str:
    """The role that lets someone complete one service's self-assessment."""
    return f"{SERVICE_ROLE_PREFIX}{service_id.strip()}"


def is_service_role(role: str) -> bool:
    return role.startswith(SERVICE_ROLE_PREFIX) and len(role) > len(SERVICE_ROLE_PREFIX)

CREATE, EDIT, WITHDRAW, IMPORT = "create", "edit", "withdraw", "import"
AUDIT_ACTIONS = (CREATE, EDIT, WITHDRAW, IMPORT)
IMPORT_EVENT_PREFIX = "IMPORT-"  # the entry id of an import's own audit row (version 0)
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of this machine's clock a time may be
SAME_TIME = timedelta(milliseconds=1)  # an entry version and its audit row share one time

MAX_TEXT_CHARS = TEXT_MAX_CHARS  # the contracts' bound on text, used by the forms too
# The contract fields of both kinds, in one table (the contract's own id column is entry_id).
FIELD_COLUMNS: tuple[str, ...] = (
    "recommendation_id", "scope",
    "reported_on", "status", "rag", "milestone", "next_step", "owner", "evidence",
    "reviewed_on", "panel", "rating", "comment",
    *audit.NEW_COLUMNS,
)
ENTRY_COLUMNS: tuple[str, ...] = ("entry_id", "version", "kind", *FIELD_COLUMNS, "recorded_by",
                                  "recorded_at", "withdrawn")
AUDIT_COLUMNS: tuple[str, ...] = ("audit_id", "action", "entry_id", "version", "who",
                                  "happened_at", "details")
ENTRY_SCHEMA: dict[str, pl.DataType] = {name: pl.String() for name in ENTRY_COLUMNS} | {
    "version": pl.Int32(), "reported_on": pl.Date(), "reviewed_on": pl.Date(),
    "rating": pl.Int32(), "recorded_at": pl.Datetime("us"), "withdrawn": pl.Boolean(),
} | {name: pl.Int32() for name in audit.NEW_INT_COLUMNS} | {
    name: pl.Boolean() for name in audit.NEW_BOOL_COLUMNS}
# Columns an export made before the Recovery Audit lacks (read as empty).
OPTIONAL_EXPORT_COLUMNS = audit.NEW_COLUMNS
AUDIT_SCHEMA: dict[str, pl.DataType] = {
    "audit_id": pl.Int64(), "action": pl.String(), "entry_id": pl.String(),
    "version": pl.Int32(), "who": pl.String(), "happened_at": pl.Datetime("us"),
    "details": pl.String(),
}
ENTRIES_FILE = "app_entries.csv"
AUDIT_FILE = "app_audit_log.csv"


def now() -> datetime:
    """The store's clock: UTC, without a zone (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def empty_entries() -> pl.DataFrame:
    return pl.DataFrame(schema=ENTRY_SCHEMA)


def empty_audit() -> pl.DataFrame:
    return pl.DataFrame(schema=AUDIT_SCHEMA)


# --- Who is writing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Someone using the app: how they are recorded, and their roles."""

    identity: str
    roles: frozenset[str] = frozenset({VIEWER})
    label: str = ""  # how the app describes them, e.g. "Local mode (root)"

    @property
    def assessed_services(self) -> frozenset[str]:
        """The services whose self-assessment this person may complete."""
        return frozenset(role[len(SERVICE_ROLE_PREFIX):] for role in self.roles
                         if is_service_role(role))

    def can_record(self, kind: str) -> bool:
        """Whether this person may record entries of this kind at all (`record_problem` then
        checks the entry itself: which service, which view)."""
        if ADMIN in self.roles:
            return True
        if kind == audit.ANSWER:
            return EBE_REVIEWER in self.roles or bool(self.assessed_services)
        return ROLE_FOR_KIND[kind] in self.roles

    def record_problem(self, kind: str, values: dict[str, object]) -> str | None:
        """Why this person may not record this entry, or None. A rating of a service's own view
        needs that service's assessor role; the EbE view needs the EbE reviewer role."""
        if not self.can_record(kind):
            return (f"{self.label or self.identity} may not record a {KIND_TITLES[kind]}. Ask "
                    f"an administrator for the '{ROLE_FOR_KIND[kind]}' role.")
        if kind != audit.ANSWER or ADMIN in self.roles:
            return None
        service = str(values.get("service_id") or "")
        if values.get("audit_view") == audit.EBE:
            if EBE_REVIEWER not in self.roles:
                return (f"{self.label or self.identity} may not record the EbE panel's rating: "
                        f"that needs the '{EBE_REVIEWER}' role.")
            return None
        if service not in self.assessed_services:
            return (f"{self.label or self.identity} may not record the self-assessment of "
                    f"{service or 'this service'}: a service assessor rates only their own "
                    f"service ('{service_role(service or 'ID')}').")
        return None

    @property
    def can_withdraw(self) -> bool:
        return ADMIN in self.roles

    @property
    def can_import(self) -> bool:
        return ADMIN in self.roles

    @property
    def can_write(self) -> bool:
        return any(self.can_record(kind) for kind in CONTRACT_BY_KIND)


# --- What can go wrong ------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return self.reason


class StoreError(Exception):
    """Base of the app store's errors; the message is written for the person using the app."""


class EntryRejected(StoreError, ValueError):
    """An entry that breaks its contract. Nothing was stored."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.kind = kind
        self.problems = problems
        reasons = "; ".join(str(p) for p in problems)
        super().__init__(f"The {KIND_TITLES.get(kind, kind)} was not recorded: {reasons}.")


class NotAllowed(StoreError, PermissionError):
    """The person may not make this change. Nothing was stored."""


class EntryNotFound(StoreError, LookupError):
    pass


class EditConflict(StoreError):
    """The entry changed since the person opened it. Nothing was stored."""


class StoreUnavailable(StoreError, RuntimeError):
    """The app store cannot be opened (for example another copy of the app holds its file, or
    the PostgreSQL server cannot be reached)."""


@dataclass(frozen=True)
class Written:
    """What a write stored."""

    entry_id: str
    version: int
    kind: str
    action: str


@dataclass
class ImportResult:
    added: int = 0
    already_present: int = 0
    audit_added: int = 0
    rejected: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.rejected:
            count = len(self.rejected)
            return (f"Nothing was imported: {count} problem{'s' if count != 1 else ''} "
                    "found in the files.")
        return (f"Imported {self.added} entr{'y' if self.added == 1 else 'ies'} "
                f"({self.already_present} already here) and {self.audit_added} audit log "
                f"row{'' if self.audit_added == 1 else 's'}.")
