"""Recommendation progress: each recommendation's planned path and the partners' updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from pipelines.definitions.contracts import RECOMMENDATION_UPDATES
from pipelines.definitions.reference import (
    LA_BY_CODE,
    LONDON_LAS,
    PRISON_BY_CODE,
    RECOMMENDATION_IDS,
)
from pipelines.synth.calibration import ROYAL_BOROUGHS
from pipelines.synth.draws import iso_text, random_date, some


@dataclass(frozen=True)
class RecommendationPlan:
    owner: str
    path: tuple[tuple[date, str], ...]  # status from each date on
    milestones: dict[str, str]
    next_steps: dict[str, str]
    evidence: tuple[str, ...]


RECOMMENDATION_PLANS: dict[str, RecommendationPlan] = {
    "F-A": RecommendationPlan(
        "GLA",
        ((date(2022, 6, 1), "not_started"), (date(2023, 2, 1), "planning"),
         (date(2024, 4, 1), "in_progress")),
        {"not_started": "Housing on release raised at the London partnership board",
         "planning": "Pan-London housing-on-release protocol drafted with London Councils",
         "in_progress": "Protocol agreed by 14 boroughs; accommodation duty-to-refer audit "
                        "under way"},
        {"not_started": "Agree who leads housing on release across London",
         "planning": "Take the protocol to borough housing leads for sign-off",
         "in_progress": "Extend the protocol to the remaining boroughs and report NFA "
                        "rates quarterly"},
        ("Board paper: housing on release, options appraisal",
         "London Councils housing leads minutes", "Duty-to-refer audit summary")),
    "F-B": RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "planning"), (date(2022, 12, 1), "in_progress"),
         (date(2025, 1, 1), "implemented")),
        {"planning": "Through the Gate pathway mapped for every London prison",
         "in_progress": "Release-day coordination meetings running in six prisons, "
                        "court releases included",
         "implemented": "Single release plan shared by prison, probation and treatment in all "
                        "London prisons"},
        {"planning": "Agree a shared release plan template",
         "in_progress": "Roll out to the remaining prisons and to court releases",
         "implemented": "Audit release plans for people released from court"},
        ("Pathway map v3", "Release-day coordination terms of reference",
         "Continuity of care data, quarterly")),
    "R1": RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 6, 1), "in_progress"),
         (date(2024, 9, 1), "implemented")),
        {"planning": "Tier 4 entries on release added to the draft London KPI set",
         "in_progress": "Boroughs reporting Tier 4 entries on release each quarter",
         "implemented": "Tier 4 and 6-month recovery KPIs published for every borough"},
        {"planning": "Agree the definition of a Tier 4 entry on release",
         "in_progress": "Add the long-term recovery measure to the dashboard",
         "implemented": "Review the 12-month completion measure with the EbE group"},
        ("London KPI framework, version 2", "Quarterly Tier 4 return template",
         "Outcomes dashboard, latest release")),
    "R2": RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "not_started"), (date(2023, 9, 1), "planning"),
         (date(2024, 10, 1), "in_progress")),
        {"not_started": "Idea of release budgets discussed at the reducing reoffending board",
         "planning": "Release budget pilot designed with two prisons",
         "in_progress": "Release budgets offered to programme completers and peer mentors in "
                        "the pilot prisons"},
        {"not_started": "Find a budget holder for personalised release budgets",
         "planning": "Confirm pilot funding and eligibility",
         "in_progress": "Make peer mentor roles transferable to community services"},
        ("Reducing reoffending board minutes", "Pilot proposal: personalised release budgets",
         "Pilot monitoring report")),
    "R3": RecommendationPlan(
        "NHS England London",
        ((date(2022, 6, 1), "planning"), (date(2023, 3, 1), "in_progress"),
         (date(2025, 3, 1), "implemented")),
        {"planning": "Peer support worker roles scoped for the Through the Gate workforce",
         "in_progress": "Paid peer support workers in post in five prisons",
         "implemented": "Paid peers meet people at the gate in every London prison"},
        {"planning": "Agree pay band and supervision for peer roles",
         "in_progress": "Recruit peers for the remaining prisons",
         "implemented": "Keep peer posts funded past the pilot year"},
        ("Workforce plan: peer support", "Peer workforce headcount return",
         "Met-at-the-gate figures, quarterly")),
    "R4": RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "planning"), (date(2023, 1, 1), "in_progress"),
         (date(2024, 6, 1), "implemented"), (date(2025, 6, 1), "embedded")),
        {"planning": "Reception information pack drafted with people in prison",
         "in_progress": "Easy-read and audio versions tested in reception",
         "implemented": "Same information pack used at reception in all London prisons",
         "embedded": "Reception pack checked in every prison's quality audit"},
        {"planning": "Test the pack with the EbE group",
         "in_progress": "Translate into the most common languages",
         "implemented": "Add borough service details to each prison's version",
         "embedded": "Refresh the pack every year"},
        ("Reception pack, easy-read edition", "Reception audit results",
         "Informed-at-reception figures", "Prison quality audit framework")),
    "R5": RecommendationPlan(
        "GLA",
        ((date(2022, 6, 1), "not_started"), (date(2023, 3, 1), "planning"),
         (date(2024, 1, 1), "in_progress")),
        {"not_started": "One stop shop model discussed with borough commissioners",
         "planning": "One stop shop specification agreed (housing, benefits, food, peers)",
         "in_progress": "One stop shops open in several boroughs, more planned"},
        {"not_started": "Visit existing drop-in hubs to learn what works",
         "planning": "Identify boroughs for the first hubs",
         "in_progress": "Open hubs in the boroughs with most releases"},
        ("Commissioners' meeting notes", "One stop shop specification", "Hub footfall report")),
    "R6": RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 6, 1), "in_progress"),
         (date(2025, 5, 1), "implemented")),
        {"planning": "Women's spaces mapped across London",
         "in_progress": "Women-only sessions added in half of the boroughs",
         "implemented": "Every sub-region has a women-only service for women leaving prison"},
        {"planning": "Agree a minimum offer for women on release",
         "in_progress": "Link Bronzefield and Downview releases to women's services",
         "implemented": "Check the offer with women released in the last year"},
        ("Women's services map", "Women's pathway from Bronzefield",
         "Services directory: women-only services")),
    "R7": RecommendationPlan(
        "NHS England London",
        ((date(2022, 6, 1), "not_started"), (date(2024, 1, 1), "planning"),
         (date(2025, 2, 1), "in_progress")),
        {"not_started": "Recovery audit proposed",
         "planning": "Audit tool co-produced with experts by experience",
         "in_progress": "Recovery audit under way in prisons and community services"},
        {"not_started": "Find a lead for the recovery audit",
         "planning": "Recruit and pay EbE auditors",
         "in_progress": "Publish the first audit findings"},
        ("Partnership board minutes", "Recovery audit tool, draft", "Audit fieldwork schedule")),
    "R8": RecommendationPlan(
        "Collective Voice",
        ((date(2022, 6, 1), "planning"), (date(2023, 10, 1), "in_progress"),
         (date(2025, 4, 1), "implemented")),
        {"planning": "Training course designed by experts by experience",
         "in_progress": "Training delivered to prison healthcare and community teams",
         "implemented": "Training part of induction for treatment staff in London"},
        {"planning": "Pilot the course with one provider",
         "in_progress": "Train the remaining teams",
         "implemented": "Keep trainers paid and supported"},
        ("Course outline", "Training attendance log", "Feedback from trainees")),
    "R9": RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 3, 1), "implemented"),
         (date(2024, 4, 1), "embedded")),
        {"planning": "Terms of reference drafted for a London EbE group",
         "implemented": "London EbE group meets quarterly and reports to the board",
         "embedded": "EbE group has a standing seat on the London partnership board"},
        {"planning": "Recruit members with recent experience of release",
         "implemented": "Give the group a budget and a standing board seat",
         "embedded": "Rotate membership so new voices join"},
        ("EbE group terms of reference", "Board minutes", "EbE group annual report")),
}
LA_UPDATE_TOPICS = {
    "R1": ("Tier 4 entries on release reported", "Report Tier 4 entries quarterly"),
    "R5": ("Recovery hub open on release days", "Add benefits advice to the hub"),
    "R6": ("Women-only afternoon at the recovery service", "Link with Bronzefield releases"),
    "F-A": ("Housing officer joins release planning", "Cut no fixed abode releases"),
    "R3": ("Peer worker funded for release days", "Recruit a second peer worker"),
}
PRISON_UPDATE_TOPICS = {
    "R4": ("Reception pack in use", "Check every new arrival gets the pack"),
    "R2": ("Programme completers offered a release budget", "Extend to peer mentors"),
    "R3": ("Peer workers meeting people at the gate", "Cover weekend releases"),
    "F-B": ("Release-day meeting with community provider", "Include court releases"),
}
PROGRESS_UPDATE_MONTHS = 4  # London-scope updates roughly every four months
UPDATES_FIRST, UPDATES_LAST = date(2022, 6, 1), date(2025, 9, 30)
STATUS_ORDER = ("not_started", "planning", "in_progress", "implemented", "embedded")


def status_on(plan: RecommendationPlan, when: date) -> tuple[str, date]:
    status, since = plan.path[0][1], plan.path[0][0]
    for start, value in plan.path:
        if when >= start:
            status, since = value, start
    return status, since


def _rag(rng: np.random.Generator, status: str, when: date, since: date) -> str:
    months_in = (when - since).days / 30.4
    if status in ("implemented", "embedded"):
        rag = "green"
    elif status == "not_started":
        rag = "red" if when >= date(2023, 1, 1) else "amber"
    elif status == "planning":
        rag = "red" if months_in > 14 else "amber"
    else:
        rag = "green" if months_in > 12 else "amber"
    if rng.random() < 0.1:  # partners are not always consistent
        rag = {"red": "amber", "amber": "green", "green": "amber"}[rag]
    return rag


def updates_frame(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []

    def add(rec: str, scope: str, when: date, status: str, rag: str, milestone: str,
            next_step: str, owner: str, evidence: str) -> None:
        rows.append({"recommendation_id": rec, "scope": scope, "reported_on": when,
                     "status": status, "rag": rag, "milestone": milestone or None,
                     "next_step": next_step or None, "owner": owner,
                     "evidence": evidence or None})

    for rec in RECOMMENDATION_IDS:
        plan = RECOMMENDATION_PLANS[rec]
        when = UPDATES_FIRST + timedelta(days=int(rng.integers(0, 60)))
        while when <= UPDATES_LAST:
            status, since = status_on(plan, when)
            stage = [value for _, value in plan.path].index(status)
            evidence = plan.evidence[min(stage, len(plan.evidence) - 1)]
            evidence = evidence if rng.random() < 0.8 else ""
            add(rec, "london", when, status, _rag(rng, status, when, since),
                plan.milestones[status], plan.next_steps[status], plan.owner, evidence)
            when += timedelta(days=int(PROGRESS_UPDATE_MONTHS * 30.4 + rng.integers(-12, 13)))
    codes = [la.code for la in LONDON_LAS]
    for code in some(rng, codes, 14):
        borough = LA_BY_CODE[code].name
        owner = {"E09000001": "City of London Corporation",
                 "E09000033": "Westminster City Council"}.get(code, f"{borough} Council")
        owner = f"Royal Borough of {borough}" if code in ROYAL_BOROUGHS else owner
        for rec in some(rng, list(LA_UPDATE_TOPICS), int(rng.integers(1, 3))):
            milestone, next_step = LA_UPDATE_TOPICS[rec]
            first = random_date(rng, date(2023, 4, 1), date(2024, 6, 30))
            statuses = ("planning", "in_progress") if rng.random() < 0.5 else (
                "in_progress", "implemented")
            for step, status in enumerate(statuses):
                when = first + timedelta(days=200 * step + int(rng.integers(0, 40)))
                rag = {"planning": "amber", "in_progress": "amber", "implemented": "green"}[
                    status]
                add(rec, code, when, status, rag, f"{milestone} ({borough})", next_step, owner,
                    "Borough quarterly return" if rng.random() < 0.7 else "")
    for prison in ("BAI", "PVI", "WSI", "BZI"):
        for rec, (milestone, next_step) in PRISON_UPDATE_TOPICS.items():
            if rng.random() < 0.4:
                continue
            when = random_date(rng, date(2023, 6, 1), date(2025, 9, 15))
            status = str(rng.choice(["in_progress", "implemented"]))
            add(rec, prison, when, status, "green" if status == "implemented" else "amber",
                milestone, next_step, "HMPPS London",
                f"Governor's report, {PRISON_BY_CODE[prison].name}")
    rows.sort(key=lambda row: (row["reported_on"], row["recommendation_id"], row["scope"]))
    for number, row in enumerate(rows, start=1):
        row["update_id"] = f"UPD-{number:04d}"
        row["reported_on"] = iso_text(row["reported_on"])  # type: ignore[arg-type]
    return pl.DataFrame(rows, schema={c: pl.String for c in RECOMMENDATION_UPDATES.column_names})
