"""The Recovery Audit framework, versioned: domains, their questions, what good looks like, and
the KPIs that evidence each domain.

Version 1 is seeded here. It is drawn from the two foundations and the recommendations (housing
on release; through-the-gate integration, equally for remand and court releases; information at
reception; rewarding commitment; peer support through the gate; one-stop-shop drop-in; women's
spaces; pathways into Tier 4 and long-term recovery; involvement of experts by experience) and
the four areas of OHID/HMPPS's 2023 continuity-of-care self-assessment tool (governance, data,
pathways, why people drop out). An administrator saves later versions in the app store
(records.save_framework); a round names the version it uses.

Pure: no Streamlit, no store. KPI ids are checked against the registry (pipelines.registry).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipelines.definitions.published import LONDON
from pipelines.definitions.reference import RECOMMENDATION_IDS
from pipelines.definitions.registry import KPIS

KPI_IDS: frozenset[str] = frozenset(kpi.id for kpi in KPIS)
SEED_VERSION = 1


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    good: str  # what good looks like
    required: bool = True


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    recommendation_id: str  # the foundation or recommendation it draws on
    kpi_ids: tuple[str, ...]  # KPIs that evidence it (registry ids)
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Framework:
    version: int
    domains: tuple[Domain, ...]

    @property
    def questions(self) -> tuple[tuple[Domain, Question], ...]:
        return tuple((d, q) for d in self.domains for q in d.questions)

    def domain_of(self, question_id: str) -> Domain:
        return next(d for d, q in self.questions if q.id == question_id)

    def question(self, question_id: str) -> Question:
        return next(q for _, q in self.questions if q.id == question_id)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for _, q in self.questions)

    def domain(self, domain_id: str) -> Domain:
        return next(d for d in self.domains if d.id == domain_id)


def problems(framework: Framework) -> list[str]:
    """What makes a framework unusable, in plain English (empty when it is sound)."""
    found: list[str] = []
    if framework.version < 1:
        found.append("the version must be 1 or more")
    if not framework.domains:
        found.append("a framework needs at least one domain")
    domain_ids = [d.id for d in framework.domains]
    question_ids = [q.id for _, q in framework.questions]
    for name, ids in (("domain", domain_ids), ("question", question_ids)):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            found.append(f"{name} id(s) used twice: {', '.join(repeated)}")
    for domain in framework.domains:
        if not domain.id.strip() or not domain.title.strip():
            found.append("every domain needs an id and a title")
        if domain.recommendation_id not in RECOMMENDATION_IDS:
            found.append(f"{domain.id}: {domain.recommendation_id!r} is not a foundation or "
                         "recommendation")
        unknown = sorted(set(domain.kpi_ids) - KPI_IDS)
        if unknown:
            found.append(f"{domain.id}: unknown KPI id(s) {', '.join(unknown)} (the registry "
                         f"has {', '.join(sorted(KPI_IDS))})")
        if not domain.questions:
            found.append(f"{domain.id}: a domain needs at least one question")
        for question in domain.questions:
            if not question.id.strip() or not question.text.strip() or not question.good.strip():
                found.append(f"{domain.id}: every question needs an id, the question and what "
                             "good looks like")
    return found


def _q(qid: str, text: str, good: str, required: bool = True) -> Question:
    return Question(qid, text, good, required)


SEED = Framework(SEED_VERSION, (
    Domain("D01", "Housing on release", "F-A", ("settled_on_release",), (
        _q("D01-Q1", "Does everyone leaving prison have their housing need assessed early "
           "enough to act on it before release?",
           "Housing need is assessed at reception and again 12 weeks before release, and a "
           "named housing officer holds every case with no fixed abode on release."),
        _q("D01-Q2", "Do people leave with somewhere settled to go on the day of release?",
           "Accommodation is confirmed before the day of release, with a plan for anyone "
           "released at short notice, including on a Friday."),
    )),
    Domain("D02", "Through the gate, for every kind of release", "F-B",
           ("coc_21d", "pre_release_contact"), (
        _q("D02-Q1", "Are prison and community treatment services in contact before release, "
           "with an appointment booked for the day of release or the day after?",
           "A named community worker meets the person before release, and the first "
           "appointment is booked and kept within days."),
        _q("D02-Q2", "Does the same happen for people released from court or on remand?",
           "Court and remand releases are picked up by a court or custody liaison worker and "
           "referred the same day; no one is missed because their release was not planned."),
        _q("D02-Q3", "Are health, housing, probation and treatment plans joined up and "
           "shared?",
           "One shared release plan, agreed with the person, held by all partners, with "
           "information-sharing agreements in place."),
    )),
    Domain("D03", "Information at reception", "R4", ("informed_at_reception",), (
        _q("D03-Q1", "Is everyone told at reception what services exist in prison and through "
           "the gate?",
           "Every person is told at reception, in an accessible format and their own language, "
           "and the information is the same for every borough."),
    )),
    Domain("D04", "Rewarding commitment", "R2", ("release_budget",), (
        _q("D04-Q1", "Does progress in prison (programmes, peer mentoring) lead to "
           "opportunities on release?",
           "Completers have a personalised release budget, and peer mentor roles transfer to "
           "the community service."),
    )),
    Domain("D05", "Peer support through the gate", "R3", ("met_by_peer",), (
        _q("D05-Q1", "Are paid peer support workers part of the through-the-gate workforce?",
           "Paid peer support workers meet people at the gate and stay with them through the "
           "first weeks; the roles are funded for more than one year."),
        _q("D05-Q2", "Are peer workers trained, supervised and offered a career path?",
           "Peer workers have training, clinical supervision and routes into paid roles.",
           required=False),
    )),
    Domain("D06", "One-stop-shop drop-in", "R5", ("engaged_6m",), (
        _q("D06-Q1", "Can people drop in without an appointment and get help with housing, "
           "benefits, food and recovery in one place?",
           "A drop-in open on weekdays and at least one evening, with housing, benefits, food "
           "bank and peer support under one roof."),
    )),
    Domain("D07", "Women's spaces", "R6", (), (
        _q("D07-Q1", "Are there women-only spaces and sessions for women leaving prison?",
           "Women-only spaces and groups, women workers on request, and support for women "
           "with children or escaping abuse."),
    )),
    Domain("D08", "Pathways into Tier 4 and long-term recovery", "R1",
           ("tier4_on_release", "completed_12m"), (
        _q("D08-Q1", "Is residential rehabilitation offered and funded straight from prison "
           "when it is the right choice?",
           "Rehab is assessed for before release, funding is agreed in time, and people can "
           "go direct from the gate."),
        _q("D08-Q2", "Is long-term recovery supported beyond treatment (mutual aid, recovery "
           "community, employment)?",
           "People are linked to recovery communities and mutual aid, with follow-up at 6 and "
           "12 months."),
    )),
    Domain("D09", "Involving experts by experience", "R9", (), (
        _q("D09-Q1", "Are experts by experience involved in designing, running and reviewing "
           "the service?",
           "People with lived experience sit on the service's governance, help design it and "
           "are paid for their time."),
        _q("D09-Q2", "Have staff been trained by experts by experience?",
           "All front-line staff have had training delivered by experts by experience in the "
           "last two years (R8)."),
    )),
    Domain("D10", "Governance and partnership", "F-B", (), (
        _q("D10-Q1", "Is there a named lead and a partnership that reviews continuity of care "
           "regularly?",
           "A named senior lead, a partnership that meets at least quarterly and owns an action "
           "plan, as in the 2023 self-assessment tool."),
    )),
    Domain("D11", "Data and outcomes", "R1", ("coc_21d", "returned_custody_12m"), (
        _q("D11-Q1", "Does the service know its own continuity-of-care figures and act on them?",
           "Continuity of care and outcomes are reviewed monthly with partners, by release "
           "type, and drive changes."),
    )),
    Domain("D12", "Why people drop out", "F-B", ("coc_21d",), (
        _q("D12-Q1", "Does the service find out why people do not engage after release and "
           "re-engage them?",
           "Everyone who misses the first appointment is followed up within two days, and "
           "reasons are recorded and reviewed with experts by experience."),
    )),
))


def as_rows(framework: Framework) -> list[dict[str, object]]:
    """The framework as store entries of kind audit_question (one per question)."""
    return [{"recommendation_id": d.recommendation_id, "scope": LONDON,
             "framework_version": framework.version, "domain_id": d.id,
             "domain_title": d.title, "question_id": q.id, "question": q.text,
             "good_practice": q.good, "kpi_ids": ", ".join(d.kpi_ids) or None,
             "required": q.required}
            for d, q in framework.questions]


def from_rows(version: int, rows: list[dict[str, object]]) -> Framework:
    """A framework from its question rows (in the order given)."""
    domains: dict[str, Domain] = {}
    for row in rows:
        domain_id = str(row["domain_id"])
        kpis = tuple(k.strip() for k in str(row.get("kpi_ids") or "").split(",") if k.strip())
        question = Question(str(row["question_id"]), str(row["question"]),
                            str(row["good_practice"]), bool(row["required"]))
        found = domains.get(domain_id)
        if found is None:
            domains[domain_id] = Domain(domain_id, str(row["domain_title"]),
                                        str(row["recommendation_id"]), kpis, (question,))
        else:
            domains[domain_id] = replace(found, questions=(*found.questions, question))
    return Framework(version, tuple(domains.values()))
