"""Voices of lived experience: EbE panel reviews of progress and prison consultation feedback."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.definitions.contracts import EBE_REVIEWS, LIVED_EXPERIENCE_FEEDBACK
from pipelines.definitions.reference import PRISON_BY_CODE, RECOMMENDATION_IDS
from pipelines.synth.draws import iso_text, some
from pipelines.synth.progress import RECOMMENDATION_PLANS, status_on
from pipelines.synth.texts import EBE_COMMENTS, EBE_DISAGREE_COMMENTS, QUOTES

EBE_PANEL_DATES = tuple(date(year, month, day) for year, month, day in (
    (2023, 6, 14), (2023, 9, 13), (2023, 12, 13), (2024, 3, 13), (2024, 6, 12), (2024, 9, 11),
    (2024, 12, 11), (2025, 3, 12), (2025, 6, 11), (2025, 9, 10)))
CONSULTATION_EVENTS = (  # event id, date, prison, participants (35 in total)
    ("EV-2022-BAI", date(2022, 2, 9), "BAI", 10),
    ("EV-2022-PVI", date(2022, 2, 23), "PVI", 9),
    ("EV-2022-WSI", date(2022, 3, 9), "WSI", 8),
    ("EV-2022-BZI", date(2022, 3, 23), "BZI", 8),
)
# question number: (theme, recommendation id or "" for none)
CONSULTATION_QUESTIONS = {
    1: ("information", "R4"), 2: ("housing", "F-A"), 3: ("through the gate", "F-B"),
    4: ("peer support", "R3"), 5: ("rehab", "R1"), 6: ("rewarding progress", "R2"),
    7: ("benefits", "R5"), 8: ("family", ""), 9: ("staff training", "R8"),
    10: ("having a say", "R9"),
}
WOMEN_QUESTION = (8, "women", "R6")  # at the women's prison, question 8 is about women
ANSWER_SHARE = 0.7  # each person answers about 7 of the 10 questions
WORKED_WELL_SHARE = 0.32
QUOTE_SHARE = 0.85


def reviews_frame(rng: np.random.Generator, updates: pl.DataFrame) -> pl.DataFrame:
    london = updates.filter(pl.col("scope") == "london")
    rows: list[dict[str, object]] = []
    for panel_date in EBE_PANEL_DATES:
        panel = f"London EbE group, {panel_date.strftime('%B %Y')}"
        reviewed = some(rng, list(RECOMMENDATION_IDS), 6)
        for rec in reviewed:
            status, _ = status_on(RECOMMENDATION_PLANS[rec], panel_date)
            latest = london.filter((pl.col("recommendation_id") == rec)
                                   & (pl.col("reported_on") <= iso_text(panel_date)))
            partner_rag = latest["rag"][-1] if latest.height else "amber"
            base = {"not_started": 1, "planning": 2, "in_progress": 2.6, "implemented": 3.4,
                    "embedded": 4.2}[status]
            rating = int(np.clip(round(base + rng.normal(0, 0.7)), 1, 5))
            if partner_rag == "green" and rng.random() < 0.25:
                rating, band = int(rng.integers(1, 3)), "disagree"
            else:
                band = "low" if rating <= 2 else "middle" if rating == 3 else "high"
            comments = (EBE_DISAGREE_COMMENTS if band == "disagree"
                        else EBE_COMMENTS[rec][band])
            comment = comments[int(rng.integers(len(comments)))] if rng.random() < 0.9 else None
            scope = "london"
            if rec in ("R4", "R6") and rng.random() < 0.3:
                scope = "BZI" if rec == "R6" else str(rng.choice(["BAI", "PVI", "WSI"]))
            rows.append({"recommendation_id": rec, "scope": scope,
                         "reviewed_on": iso_text(panel_date), "panel": panel, "rating": str(rating),
                         "comment": comment})
    for number, row in enumerate(rows, start=1):
        row["review_id"] = f"EBE-{number:03d}"
    return pl.DataFrame(rows, schema={c: pl.String for c in EBE_REVIEWS.column_names})


def feedback_frame(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    used: dict[tuple[str, str], int] = {}
    for event_id, event_date, prison, participants in CONSULTATION_EVENTS:
        women = PRISON_BY_CODE[prison].sex == "female"
        for _ in range(participants):
            asked = [q for q in CONSULTATION_QUESTIONS if rng.random() < ANSWER_SHARE] or [1]
            for question in asked:
                theme, rec = CONSULTATION_QUESTIONS[question]
                if women and question == WOMEN_QUESTION[0]:
                    _, theme, rec = WOMEN_QUESTION
                sentiment = "worked_well" if rng.random() < WORKED_WELL_SHARE else (
                    "could_improve")
                pool = QUOTES[(theme, sentiment)]
                quote = None
                if rng.random() < QUOTE_SHARE:
                    turn = used.get((theme, sentiment), int(rng.integers(len(pool))))
                    quote = pool[turn % len(pool)]
                    used[(theme, sentiment)] = turn + 1
                rows.append({"event_id": event_id, "event_date": iso_text(event_date),
                             "setting": "prison", "location": f"HMP {PRISON_BY_CODE[prison].name}",
                             "question_no": str(question), "theme": theme,
                             "recommendation_id": rec or None, "sentiment": sentiment,
                             "quote": quote})
    for number, row in enumerate(rows, start=1):
        row["feedback_id"] = f"LE-{number:04d}"
    return pl.DataFrame(rows,
                        schema={c: pl.String for c in LIVED_EXPERIENCE_FEEDBACK.column_names})
