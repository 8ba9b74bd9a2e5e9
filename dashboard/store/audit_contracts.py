"""The Recovery Audit's app-store contracts (R7 and R8): what each kind of entry holds.

Pure declarations with the extracts' own `Column` and `Contract`, so the app store validates
audit entries exactly as it validates updates and reviews (dashboard.store.validation), and the
template import reports rejects the same way. Referential rules that need the store or the
warehouse (a question of the round's framework, a service of the directory) are checked by
dashboard.recovery_audit.records before anything is written.
"""

from __future__ import annotations

from pipelines.definitions.contracts import Column, Contract

# Kinds of app-store entry.
QUESTION = "audit_question"  # one question of one framework version
ROUND = "audit_round"  # an audit cycle and the framework version it uses
ANSWER = "audit_answer"  # one rating of one question, by one view, of one service, in a round
TRAINING = "training"  # an R8 training session delivered by experts by experience

SELF, EBE = "self", "ebe"  # the two views of every service
VIEWS = (SELF, EBE)
VIEW_TITLES = {SELF: "Self-assessment", EBE: "EbE panel"}

# The rating scale (stated on the page, the template and the board pack).
SCALE: dict[int, str] = {
    1: "Not in place",
    2: "Planned or partly in place",
    3: "In place",
    4: "Embedded",
}
SCALE_MIN, SCALE_MAX = min(SCALE), max(SCALE)

AUDIT_RECOMMENDATION = "R7"
TRAINING_RECOMMENDATION = "R8"

_REPORTED_ON = Column("reported_on", "date", "Date recorded (a rating: the date of the "
                      "assessment; a round: the date it opens).")

QUESTION_CONTRACT = Contract(
    name="recovery_audit_questions",
    title="Recovery Audit framework questions",
    description="One question of one version of the Recovery Audit framework.",
    key="question_entry_id",
    columns=(
        Column("question_entry_id", "id", "Entry identifier."),
        Column("recommendation_id", "recommendation",
               "The foundation or recommendation the question's domain draws on."),
        Column("scope", "scope", "Where the framework applies (London)."),
        Column("framework_version", "int", "Framework version.", minimum=1, maximum=999),
        Column("domain_id", "text", "Domain identifier (D01, D02 ...)."),
        Column("domain_title", "text", "Domain title."),
        Column("question_id", "text", "Question identifier, unique in the version."),
        Column("question", "text", "The question."),
        Column("good_practice", "text", "What good looks like."),
        Column("kpi_ids", "text", "KPIs that evidence the domain (registry ids, comma "
               "separated).", required=False),
        Column("required", "bool", "Whether every service must answer it."),
        _REPORTED_ON,
    ),
)

ROUND_CONTRACT = Contract(
    name="recovery_audit_rounds",
    title="Recovery Audit rounds",
    description="An audit cycle and the framework version it uses.",
    key="round_entry_id",
    columns=(
        Column("round_entry_id", "id", "Entry identifier."),
        Column("recommendation_id", "recommendation", "R7."),
        Column("scope", "scope", "London."),
        Column("round_id", "text", "Round identifier, e.g. 2025-26."),
        Column("framework_version", "int", "The framework version the round uses.",
               minimum=1, maximum=999),
        _REPORTED_ON,
        Column("comment", "text", "Title of the round.", required=False),
    ),
)

ANSWER_CONTRACT = Contract(
    name="recovery_audit_answers",
    title="Recovery Audit ratings",
    description="One rating of one question for one service in one round, by one view.",
    key="answer_id",
    columns=(
        Column("answer_id", "id", "Entry identifier."),
        Column("recommendation_id", "recommendation", "R7."),
        Column("scope", "scope", "The service's borough or prison."),
        Column("round_id", "text", "The round."),
        Column("service_id", "text", "Service id from the services directory, or a prison code."),
        Column("audit_view", "code", "Whose rating: the service's self-assessment or the EbE "
               "panel's.", allowed=VIEWS),
        Column("question_id", "text", "The question."),
        Column("rating", "int", "Rating: " + "; ".join(f"{k} {v}" for k, v in SCALE.items()),
               minimum=SCALE_MIN, maximum=SCALE_MAX),
        Column("evidence", "text", "Evidence for the rating.", required=False),
        _REPORTED_ON,
    ),
)

TRAINING_CONTRACT = Contract(
    name="recovery_audit_training",
    title="Training by experts by experience (R8)",
    description="A training session delivered by experts by experience to a service.",
    key="session_id",
    columns=(
        Column("session_id", "id", "Entry identifier."),
        Column("recommendation_id", "recommendation", "R8."),
        Column("scope", "scope", "The service's borough or prison."),
        Column("service_id", "text", "Service id from the services directory, or a prison code."),
        Column("reported_on", "date", "Date the session was delivered."),
        Column("topic", "text", "Topic of the session."),
        Column("attendees", "int", "Number of staff who attended.", minimum=1, maximum=10_000),
        Column("panel", "text", "Who delivered it (the EbE trainers or group)."),
        Column("comment", "text", "Notes.", required=False),
    ),
)

CONTRACTS: dict[str, Contract] = {QUESTION: QUESTION_CONTRACT, ROUND: ROUND_CONTRACT,
                                  ANSWER: ANSWER_CONTRACT, TRAINING: TRAINING_CONTRACT}
TITLES = {QUESTION: "Recovery Audit framework question", ROUND: "Recovery Audit round",
          ANSWER: "Recovery Audit rating", TRAINING: "EbE training session"}
ID_PREFIXES = {QUESTION: "APP-RAQ-", ROUND: "APP-RAR-", ANSWER: "APP-RAA-", TRAINING: "APP-R8T-"}
RECOMMENDATION_FOR_KIND = {ROUND: AUDIT_RECOMMENDATION, ANSWER: AUDIT_RECOMMENDATION,
                           TRAINING: TRAINING_RECOMMENDATION}
# The store's columns these kinds add (migration 003), with their types.
NEW_TEXT_COLUMNS = ("round_id", "service_id", "audit_view", "question_id", "domain_id",
                    "domain_title", "question", "good_practice", "kpi_ids", "topic")
NEW_INT_COLUMNS = ("framework_version", "attendees")
NEW_BOOL_COLUMNS = ("required",)
NEW_COLUMNS = (*NEW_TEXT_COLUMNS, *NEW_INT_COLUMNS, *NEW_BOOL_COLUMNS)
