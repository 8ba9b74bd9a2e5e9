"""The synthetic sample rounds (data_samples/recovery_audit/): two rounds, both views, a few
services whose self-assessment and EbE ratings disagree, and R8 training sessions. Made by a
seeded generator (`generate`) from the sample's services directory, and seeded into an app
store that holds no Recovery Audit entries yet (`seed`), so `make run` shows the page filled.
Everything is recorded by 'synthetic-sample' and labelled synthetic wherever it is shown.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import polars as pl

from dashboard.recovery_audit import records
from dashboard.recovery_audit.framework import SEED
from dashboard.store import AppStore
from dashboard.store import audit_contracts as c

SEED_NUMBER = 20251104
ROUNDS = (("2024-25", date(2024, 10, 1), "First round (synthetic sample)"),
          ("2025-26", date(2025, 10, 1), "Second round (synthetic sample)"))
# Services in the sample: (service id, how well it does 1-4, how much it over-rates itself).
SERVICES = (("SVC-013", 3.4, 0.0), ("SVC-028", 2.6, 1.4), ("SVC-002", 2.2, 0.3),
            ("SVC-045", 3.0, 0.2), ("SVC-060", 2.4, 1.2), ("BZI", 2.9, 0.1),
            ("PVI", 2.3, 1.1), ("WWI", 2.7, 0.0))
EVIDENCE = ("Named lead and a written procedure; checked at the monthly partnership meeting.",
            "Audit of 20 case files this quarter.", "Feedback from people using the service.",
            "Peer workers meet people at the gate.", "Drop-in open four days a week.")
TOPICS = ("Trauma-informed care", "What helped me through the gate", "Stigma and language",
          "Engaging people released from court")
RATINGS_FILE, ROUNDS_FILE, TRAINING_FILE = "ratings.csv", "rounds.csv", "training.csv"


def generate(out: Path) -> None:
    """Write the sample's rounds, ratings and training sessions (same bytes every time)."""
    rng = random.Random(SEED_NUMBER)
    out.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"round_id": [r[0] for r in ROUNDS], "framework_version": [SEED.version] * 2,
                  "opens_on": [r[1] for r in ROUNDS], "title": [r[2] for r in ROUNDS]}
                 ).write_csv(out / ROUNDS_FILE)
    rows = []
    for round_number, (round_id, opens_on, _) in enumerate(ROUNDS):
        for service_id, level, over in SERVICES:
            for _domain, question in SEED.questions:
                if not question.required and rng.random() < 0.3:
                    continue
                truth = level + 0.4 * round_number + rng.uniform(-0.9, 0.9)
                for view, shift in ((c.EBE, 0.0), (c.SELF, over)):
                    rating = min(4, max(1, round(truth + shift + rng.uniform(-0.4, 0.4))))
                    evidence = rng.choice(EVIDENCE) if rating >= 3 and rng.random() < 0.6 \
                        else None
                    rows.append((round_id, service_id, view, question.id, rating, evidence,
                                 opens_on.replace(day=20)))
    pl.DataFrame(rows, schema={"round_id": pl.String, "service_id": pl.String,
                               "audit_view": pl.String, "question_id": pl.String,
                               "rating": pl.Int64, "evidence": pl.String,
                               "reported_on": pl.Date}, orient="row"
                 ).write_csv(out / RATINGS_FILE)
    sessions = []
    for service_id, _, _ in SERVICES[:6]:
        for _ in range(rng.randint(1, 3)):
            sessions.append((service_id, date(2024 + rng.randint(0, 1), rng.randint(1, 12),
                                              rng.randint(1, 28)),
                             rng.choice(TOPICS), rng.randint(6, 30), "London EbE group"))
    pl.DataFrame(sessions, schema={"service_id": pl.String, "reported_on": pl.Date,
                                   "topic": pl.String, "attendees": pl.Int64,
                                   "delivered_by": pl.String}, orient="row"
                 ).sort("reported_on", "service_id").write_csv(out / TRAINING_FILE)


def seed(app: AppStore, folder: Path, services: pl.DataFrame) -> str:
    """Load the sample into a store holding no Recovery Audit entries; never touches a store
    that has any (real entries are never overwritten or mixed with the sample)."""
    held = sum(app.entries(kind, include_withdrawn=True).height
               for kind in (c.ROUND, c.ANSWER, c.TRAINING))
    if held:
        return f"The app store already holds {held} Recovery Audit entries: nothing seeded."
    actor = records.SAMPLE_ACTOR
    by_id = {row["service_id"]: row for row in services.iter_rows(named=True)}
    for row in pl.read_csv(folder / ROUNDS_FILE, try_parse_dates=True).iter_rows(named=True):
        records.open_round(app, row["round_id"], row["framework_version"], row["opens_on"],
                           row["title"], actor)
    ratings = pl.read_csv(folder / RATINGS_FILE, try_parse_dates=True,
                          schema_overrides={"evidence": pl.String})
    changes = []
    for (round_id, service_id, view), rows in ratings.group_by(
            "round_id", "service_id", "audit_view", maintain_order=True):
        on = rows.get_column("reported_on").min()
        changes += records.rating_changes(
            app, round_id, by_id[service_id], view,
            [records.Rating(r["question_id"], r["rating"], r["evidence"])
             for r in rows.iter_rows(named=True)], on)
    app.record_batch(changes, actor)
    sessions = pl.read_csv(folder / TRAINING_FILE, try_parse_dates=True)
    for row in sessions.iter_rows(named=True):
        records.record_training(app, by_id[row["service_id"]], row["reported_on"], row["topic"],
                                row["attendees"], row["delivered_by"], actor)
    return (f"Seeded the synthetic sample: {len(ROUNDS)} rounds, {len(changes)} ratings, "
            f"{sessions.height} training sessions.")
