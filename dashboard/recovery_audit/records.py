"""Reading and writing the Recovery Audit and R8 training through the app store's one write
path (validated by contract, role-checked, versioned, audited).

The checks that need more than one entry are made here before anything is written: a rating
names a question of its round's framework and a service in scope; a round names a framework
version that exists and an id not used before; a framework version is sound
(framework.problems). Saving the same service, view, round and question again adds a version
of the same entry, so the latest rating is the one that counts and the history is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from dashboard.recovery_audit.framework import SEED, Framework, as_rows, from_rows, problems
from dashboard.store import ADMIN, Actor, AppStore, EntryRejected, Problem, Written
from dashboard.store import audit_contracts as c
from pipelines.definitions.reference import LONDON_CODE

SAMPLE_IDENTITY = "synthetic-sample"  # who the synthetic sample rounds are recorded by
SAMPLE_ACTOR = Actor(SAMPLE_IDENTITY, frozenset({ADMIN}), "Synthetic sample")
ROUND_SCHEMA = {"entry_id": pl.String, "round_id": pl.String, "framework_version": pl.Int64,
                "opens_on": pl.Date, "title": pl.String, "recorded_by": pl.String}
ANSWER_COLUMNS = ("entry_id", "version", "round_id", "service_id", "scope", "audit_view",
                  "question_id", "rating", "evidence", "reported_on", "recorded_by",
                  "recorded_at")
TRAINING_COLUMNS = ("entry_id", "service_id", "scope", "reported_on", "topic", "attendees",
                    "panel", "comment", "recorded_by")


# --- Reads ------------------------------------------------------------------------------------

def frameworks(app: AppStore) -> dict[int, Framework]:
    """Every framework version: the seeded version 1 and those saved in the store."""
    found = {SEED.version: SEED}
    questions = app.entries(c.QUESTION)
    for (version,), rows in questions.sort("domain_id", "question_id").group_by(
            "framework_version", maintain_order=True):
        found[int(version)] = from_rows(int(version), rows.to_dicts())
    return dict(sorted(found.items()))


def rounds(app: AppStore) -> pl.DataFrame:
    """Audit rounds, oldest first."""
    return app.entries(c.ROUND).select(
        "entry_id", "round_id", "framework_version", pl.col("reported_on").alias("opens_on"),
        pl.col("comment").alias("title"), "recorded_by").cast(ROUND_SCHEMA).sort("opens_on")


def current_round(round_table: pl.DataFrame, today: date | None = None) -> str | None:
    """The latest round that has opened (the current one by default)."""
    today = today or date.today()
    opened = round_table.filter(pl.col("opens_on") <= today).sort("opens_on")
    return opened.get_column("round_id").to_list()[-1] if opened.height else None


def answers(app: AppStore) -> pl.DataFrame:
    """The latest rating of every question, service, view and round."""
    return app.entries(c.ANSWER).select(*ANSWER_COLUMNS).with_columns(
        pl.col("rating").cast(pl.Int64))


def training(app: AppStore) -> pl.DataFrame:
    """R8 training sessions, latest first."""
    return app.entries(c.TRAINING).select(*TRAINING_COLUMNS).with_columns(
        pl.col("attendees").cast(pl.Int64)).sort("reported_on", descending=True)


def is_sample(frame: pl.DataFrame) -> bool:
    """Whether any of these entries are the synthetic sample's."""
    return frame.height > 0 and bool((frame.get_column("recorded_by") == SAMPLE_IDENTITY).any())


# --- Writes -----------------------------------------------------------------------------------

def save_framework(app: AppStore, framework: Framework, actor: Actor, on: date | None = None
                   ) -> int:
    """Save `framework` as the next version (its own version number is replaced); the new
    version number. Administrators only (the store checks the role)."""
    version = max(frameworks(app)) + 1
    numbered = Framework(version, framework.domains)
    found = problems(numbered)
    if found:
        raise EntryRejected(c.QUESTION, [Problem("framework", p) for p in found])
    when = on or date.today()
    app.record_batch([(None, c.QUESTION, {**row, "reported_on": when})
                      for row in as_rows(numbered)], actor)
    return version


def open_round(app: AppStore, round_id: str, framework_version: int, opens_on: date,
               title: str, actor: Actor) -> Written:
    """Start an audit round on a framework version."""
    round_id = round_id.strip()
    if round_id in rounds(app).get_column("round_id").to_list():
        raise EntryRejected(c.ROUND, [Problem("round_id", f"there is already a round "
                                                          f"{round_id}")])
    if framework_version not in frameworks(app):
        raise EntryRejected(c.ROUND, [Problem("framework_version", f"there is no framework "
                                                                   f"version {framework_version}")])
    return app.record(c.ROUND, {"recommendation_id": c.AUDIT_RECOMMENDATION,
                                "scope": LONDON_CODE, "round_id": round_id,
                                "framework_version": framework_version, "reported_on": opens_on,
                                "comment": title}, actor)


@dataclass(frozen=True)
class Rating:
    question_id: str
    rating: object  # as entered: checked by the contract
    evidence: str | None = None


def round_framework(app: AppStore, round_id: str) -> Framework:
    table = rounds(app).filter(pl.col("round_id") == round_id)
    if table.is_empty():
        raise EntryRejected(c.ANSWER, [Problem("round_id", f"there is no round {round_id}")])
    return frameworks(app)[int(table.get_column("framework_version").item())]


def rating_changes(app: AppStore, round_id: str, service: Mapping[str, object], view: str,
                   ratings: list[Rating], on: date
                   ) -> list[tuple[str | None, str, dict[str, object]]]:
    """The store changes that record these ratings (a new entry, or a new version of the
    rating already held for the same round, service, view and question)."""
    framework = round_framework(app, round_id)
    unknown = sorted({r.question_id for r in ratings} - set(framework.question_ids))
    if unknown:
        raise EntryRejected(c.ANSWER, [Problem("question_id", f"{', '.join(unknown)} is not a "
                                                              f"question of round {round_id}")])
    held = answers(app).filter((pl.col("round_id") == round_id)
                               & (pl.col("service_id") == service["service_id"])
                               & (pl.col("audit_view") == view))
    existing = dict(zip(held.get_column("question_id"), held.get_column("entry_id"),
                        strict=True))
    return [(existing.get(r.question_id), c.ANSWER, {
        "recommendation_id": c.AUDIT_RECOMMENDATION, "scope": service["area_code"],
        "round_id": round_id, "service_id": service["service_id"], "audit_view": view,
        "question_id": r.question_id, "rating": r.rating, "evidence": r.evidence or None,
        "reported_on": on}) for r in ratings]


def save_ratings(app: AppStore, round_id: str, service: Mapping[str, object], view: str,
                 ratings: list[Rating], actor: Actor, on: date | None = None) -> list[Written]:
    """Record one view's ratings of one service in one round, all or nothing."""
    return app.record_batch(rating_changes(app, round_id, service, view, ratings,
                                           on or date.today()), actor)


def record_training(app: AppStore, service: Mapping[str, object], on: date, topic: str,
                    attendees: object, delivered_by: str, actor: Actor,
                    comment: str | None = None) -> Written:
    return app.record(c.TRAINING, {
        "recommendation_id": c.TRAINING_RECOMMENDATION, "scope": service["area_code"],
        "service_id": service["service_id"], "reported_on": on, "topic": topic,
        "attendees": attendees, "panel": delivered_by, "comment": comment or None}, actor)


def views_for(actor: Actor, service_id: str) -> tuple[str, ...]:
    """The views this person may record for a service: its own assessor the self-assessment,
    an EbE reviewer the EbE panel's (an administrator either)."""
    return tuple(view for view in c.VIEWS
                 if actor.record_problem(c.ANSWER, {"service_id": service_id,
                                                    "audit_view": view}) is None)
