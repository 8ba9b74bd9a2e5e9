"""Lived experience voices: the declared contracts of every record (consent, account, theme,
coding, quote, second-coding assignment), the project's questions and consent wording, and who
may write what. Forms, the XLSForm, imports and validation are all built from these."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime

from dashboard.store.model import COORDINATOR, PEER_RESEARCHER, EntryRejected, Problem
from dashboard.store.records import RecordKind
from pipelines.definitions import reference
from pipelines.definitions.contracts import TEXT_MAX_CHARS, Column, Contract

CONSENT, ACCOUNT, THEME, CODING, QUOTE, ASSIGNMENT = (
    "consent", "account", "theme", "coding", "quote", "assignment")
CONSENT_VERSION = "LEV consent v1 (2026-11)"
REFERENCE_PREFIX = "LV"
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)
REFERENCE_LENGTH = 6
WITHDRAW_DAYS_DEFAULT = 90  # the withdrawal window offered by default, in days

# What the researcher reads out before anything is recorded (the participant keeps the card).
CONSENT_STATEMENTS: dict[str, str] = {
    "purpose_explained": (
        "What this is for: your account helps OHID and the National Expert Citizens Group "
        "understand what people need for drug and alcohol services to work. It is read by the "
        "peer research team and the project coordinator."),
    "anonymous_quotes": (
        "Your words may be quoted in reports, anonymously: names, places, numbers and dates "
        "that could identify anyone are taken out before anything is saved."),
    "withdrawal_explained": (
        "You can withdraw your account, with the reference on your card and no other details, "
        "until the date written on it. It is then deleted from everything we make afterwards."),
    "consent_given": "The participant agrees to their account being recorded on these terms.",
}

SETTINGS = ("community", "hostel", "prison", "recently_released", "treatment_service",
            "online", "street_outreach", "other")
SETTING_TITLES = {"community": "Community", "hostel": "Hostel", "prison": "Prison",
                  "recently_released": "Recently released", "treatment_service":
                  "Treatment service", "online": "Online", "street_outreach": "Street outreach",
                  "other": "Other"}
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
SEXES = ("female", "male", "other", "prefer_not_to_say")
# Coarse places only: a sub-region or a borough (never anything finer).
AREAS: dict[str, str] = {s.code: s.name for s in reference.SUBREGIONS} | {
    la.code: la.name for la in reference.LONDON_LAS}
MODES = ("questions", "free_text")
STATUSES = ("submitted", "approved", "returned")
PASSES = ("first", "second")
QUESTIONS: dict[str, str] = {
    "what_helps": "What helps?",
    "gets_in_the_way": "What gets in the way?",
    "would_make_work": "What would make services work for you?",
}
FREE_TEXT = "account_text"
TEXT_FIELDS = (*QUESTIONS, FREE_TEXT)
QUOTE_SOURCES = (*QUESTIONS, FREE_TEXT)
RESEARCHER_PATTERN = r"^PR-\d{2,4}$"  # a peer researcher's pseudonymous id, e.g. PR-07

CONSENT_CONTRACT = Contract(
    name="lev_consent", title="Consent",
    description="A participant's recorded consent; no name or contact details are ever taken.",
    key="reference",
    columns=(
        Column("reference", "id", "The participant's withdrawal reference (made by the app)."),
        *(Column(name, "bool", text, allowed=("true",))
          for name, text in CONSENT_STATEMENTS.items()),
        Column("withdraw_until", "date", "Last day the participant can withdraw."),
        Column("consent_on", "date", "Day consent was recorded."),
        Column("consent_version", "code", "The consent wording used.",
               allowed=(CONSENT_VERSION,)),
    ))

ACCOUNT_CONTRACT = Contract(
    name="lev_account", title="Account",
    description="One participant's account, de-identified before it is stored.",
    key="reference",
    columns=(
        Column("reference", "id", "The participant's withdrawal reference."),
        Column("collected_on", "date", "Day the account was given."),
        Column("researcher", "text", "Peer researcher's pseudonymous id, e.g. PR-07."),
        Column("setting", "code", "Where the account was given.", allowed=SETTINGS),
        Column("area", "code", "Sub-region or borough (optional, coarse only).",
               required=False, allowed=tuple(AREAS)),
        Column("age_band", "code", "Age band (optional).", required=False, allowed=AGE_BANDS),
        Column("sex", "code", "Sex (optional).", required=False, allowed=SEXES),
        Column("mode", "code", "Answers to the questions, or free text.", allowed=MODES),
        *(Column(name, "text", question, required=False) for name, question in QUESTIONS.items()),
        Column(FREE_TEXT, "text", "The account in the participant's words.", required=False),
        Column("content_note", "bool", "The account touches on trauma (shown with a note)."),
        Column("content_note_text", "text", "What the content note says, e.g. 'abuse'.",
               required=False),
        Column("status", "code", "Where the account is in review.", allowed=STATUSES),
        Column("review_note", "text", "The coordinator's note to the researcher.",
               required=False),
        Column("source", "code", "How it came in.", allowed=("app", "xlsform")),
    ))

THEME_CONTRACT = Contract(
    name="lev_theme", title="Codebook theme",
    description="A theme of the codebook, linked to the foundations and recommendations.",
    key="code",
    columns=(
        Column("code", "id", "Short code, e.g. T03."),
        Column("name", "text", "Theme name."),
        Column("definition", "text", "When to apply it (and when not)."),
        Column("links", "text", "Foundations and recommendations it relates to (F-A, R4...)."),
        Column("active", "bool", "In use (an old theme is retired, never deleted)."),
    ))

CODING_CONTRACT = Contract(
    name="lev_coding", title="Coding",
    description="The themes one coder applied to one account, in the first or second pass.",
    key="account_id",
    columns=(
        Column("account_id", "id", "The account coded."),
        Column("pass", "code", "First coding or second (agreement) coding.", allowed=PASSES),
        Column("coder", "text", "Who coded it."),
        Column("themes", "text", "Theme codes applied (may be none)."),
    ))

QUOTE_CONTRACT = Contract(
    name="lev_quote", title="Quote",
    description="A passage of an approved account, coded and approved for quoting.",
    key="account_id",
    columns=(
        Column("account_id", "id", "The account it is from."),
        Column("source_field", "code", "Which answer it is from.", allowed=QUOTE_SOURCES),
        Column("text", "text", "The passage (de-identified)."),
        Column("themes", "text", "Theme codes of the passage."),
        Column("approved", "bool", "Approved by the coordinator for quoting."),
    ))

ASSIGNMENT_CONTRACT = Contract(
    name="lev_assignment", title="Second-coding assignment",
    description="An account chosen for second coding, and who codes it.",
    key="account_id",
    columns=(
        Column("account_id", "id", "The account."),
        Column("second_coder", "text", "Who is to code it a second time."),
    ))

CONTRACTS: dict[str, Contract] = {
    CONSENT: CONSENT_CONTRACT, ACCOUNT: ACCOUNT_CONTRACT, THEME: THEME_CONTRACT,
    CODING: CODING_CONTRACT, QUOTE: QUOTE_CONTRACT, ASSIGNMENT: ASSIGNMENT_CONTRACT}
LIST_FIELDS = {"links", "themes"}  # text columns holding a list (stored as a JSON list)
WRITE_ROLES: dict[str, frozenset[str]] = {
    CONSENT: frozenset({PEER_RESEARCHER, COORDINATOR}),
    ACCOUNT: frozenset({PEER_RESEARCHER, COORDINATOR}),
    THEME: frozenset({COORDINATOR}),
    CODING: frozenset({COORDINATOR, PEER_RESEARCHER}),
    QUOTE: frozenset({COORDINATOR}),
    ASSIGNMENT: frozenset({COORDINATOR}),
}
TRUE_WORDS = {"true", "yes", "y", "1", "agreed", "agree", "ok"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


def new_reference() -> str:
    """A short withdrawal reference such as LV-7KQ3MX (random, no look-alike characters)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{REFERENCE_PREFIX}-{body}"


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text[:10] if "T" in text else text)
        except ValueError:
            continue
    return None


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        items = [str(v) for v in value]
    else:
        items = str(value).replace(",", " ").split()
    return sorted({item.strip() for item in items if item.strip()})


def check(contract: Contract, values: Mapping[str, object]) -> tuple[dict[str, object],
                                                                      list[Problem]]:
    """Typed fields by the contract (every column, None where empty) and every problem."""
    problems: list[Problem] = []
    unknown = sorted(set(values) - set(contract.column_names))
    problems += [Problem(name, f"{name} is not a field of a {contract.title.lower()}")
                 for name in unknown]
    typed: dict[str, object] = {}
    for column in contract.columns:
        raw = values.get(column.name)
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or \
            (column.name in LIST_FIELDS and raw == [])
        if empty and column.name not in LIST_FIELDS:
            typed[column.name] = None
            if column.required:
                problems.append(Problem(column.name, f"{column.name} is required"))
            continue
        name = column.name
        if name in LIST_FIELDS:
            typed[name] = _as_list(raw)
        elif column.kind in ("id", "text"):
            text = str(raw).strip()
            if len(text) > TEXT_MAX_CHARS:
                problems.append(Problem(name, f"{name} is longer than {TEXT_MAX_CHARS:,} "
                                              "characters"))
            typed[name] = text
        elif column.kind == "code":
            text = str(raw).strip()
            match = next((a for a in column.allowed if a.lower() == text.lower()), None)
            if match is None:
                problems.append(Problem(name, f"{name} {text!r} is not one of "
                                              f"{', '.join(column.allowed)}"))
            typed[name] = match
        elif column.kind == "bool":
            text = str(raw).strip().lower() if not isinstance(raw, bool) else \
                ("true" if raw else "false")
            if text not in TRUE_WORDS | FALSE_WORDS:
                problems.append(Problem(name, f"{name} {raw!r} is not yes or no"))
            value = text in TRUE_WORDS
            if column.allowed == ("true",) and not value:
                problems.append(Problem(name, f"{name}: the participant has not agreed"))
            typed[name] = value
        elif column.kind == "date":
            day = _as_date(raw)
            if day is None:
                problems.append(Problem(name, f"{name} {raw!r} is not a date"))
            typed[name] = day
        else:
            raise ValueError(f"{contract.name}.{name}: kind {column.kind} is not used here")
    return typed, problems


def _validator(kind: str):
    contract = CONTRACTS[kind]

    def validate(values: Mapping[str, object]) -> dict[str, object]:
        typed, problems = check(contract, values)
        problems += RULES[kind](typed)
        if problems:
            raise EntryRejected(contract.title, problems)
        return typed

    return validate


def _consent_rules(c: Mapping[str, object]) -> list[Problem]:
    found = []
    today = date.today()
    if isinstance(c.get("consent_on"), date) and c["consent_on"] > today:
        found.append(Problem("consent_on", "consent_on is in the future"))
    if isinstance(c.get("withdraw_until"), date) and isinstance(c.get("consent_on"), date) and \
            c["withdraw_until"] < c["consent_on"]:
        found.append(Problem("withdraw_until", "withdraw_until is before consent was given"))
    return found


def _account_rules(a: Mapping[str, object]) -> list[Problem]:
    import re

    found = []
    if a.get("researcher") and not re.match(RESEARCHER_PATTERN, str(a["researcher"])):
        found.append(Problem("researcher", "researcher must be a pseudonymous id like PR-07"))
    if isinstance(a.get("collected_on"), date) and a["collected_on"] > date.today():
        found.append(Problem("collected_on", "collected_on is in the future"))
    if not any(a.get(name) for name in TEXT_FIELDS):
        found.append(Problem(FREE_TEXT, "the account is empty: write it or answer a question"))
    if a.get("content_note") and not a.get("content_note_text"):
        found.append(Problem("content_note_text", "say briefly what the content note is about"))
    return found


def _theme_rules(t: Mapping[str, object]) -> list[Problem]:
    unknown = [link for link in t.get("links") or [] if link not in reference.RECOMMENDATION_IDS]
    if unknown:
        return [Problem("links", f"links: {', '.join(unknown)} are not foundations or "
                                 "recommendations (F-A, F-B, R1 to R9)")]
    return []


def _no_rules(_: Mapping[str, object]) -> list[Problem]:
    return []


RULES = {CONSENT: _consent_rules, ACCOUNT: _account_rules, THEME: _theme_rules,
         CODING: _no_rules, QUOTE: _no_rules, ASSIGNMENT: _no_rules}
KINDS: dict[str, RecordKind] = {
    kind: RecordKind(kind, CONTRACTS[kind].title.lower(), WRITE_ROLES[kind], _validator(kind))
    for kind in CONTRACTS}
