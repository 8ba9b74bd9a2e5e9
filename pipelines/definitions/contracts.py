"""Data contracts for every extract (DESIGN §3), declared once.

The same declarations drive validation (pipelines.validate turns them into Polars expressions),
the synthetic generator's column order, the app's forms and the Data and definitions page, so a
rule cannot be documented one way and enforced another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The longest value a text or id column takes. Longer values are rejected: one huge cell would
# otherwise load and then break every page that shows it. Forms in the app use the same bound.
TEXT_MAX_CHARS = 5_000
BOUNDED_KINDS = ("id", "text")
# Kinds whose values are nearly all different. Every other kind has few distinct values (codes,
# dates, numbers, places): those land as categories (text stored once per distinct value) and
# are validated once per distinct value.
DISTINCT_KINDS = ("id", "text")

ColumnKind = Literal[
    "id",  # non-empty text, unique within the extract
    "text",  # free text
    "code",  # one of `allowed` (case-insensitive; `aliases` map other spellings)
    "date",  # ISO YYYY-MM-DD or DD/MM/YYYY (or a real date cell in XLSX)
    "bool",  # true/false, yes/no, y/n, 1/0 in any case
    "int",
    "decimal",
    "london_la",  # a London LA by ONS code or name
    "english_la",  # a London LA by code or name, or any English LA code
    "prison",  # a prison of §7 by code or name
    "recommendation",  # F-A, F-B, R1..R9
    "scope",  # 'london', a London LA, or a prison
    "location",  # a prison or a London LA
]

KIND_DESCRIPTIONS: dict[str, str] = {
    "id": "text, must not be empty, unique in the extract",
    "text": "text",
    "code": "one of the listed codes (any case)",
    "date": "date: YYYY-MM-DD or DD/MM/YYYY",
    "bool": "true/false, yes/no, y/n or 1/0 (any case)",
    "int": "whole number",
    "decimal": "number: a point for decimals, a comma only between thousands (1,500.5)",
    "london_la": "London local authority: ONS code or name",
    "english_la": "local authority: a London LA by ONS code or name, or any English LA ONS code",
    "prison": "prison code or name (with or without HMP, HMP/YOI)",
    "recommendation": "recommendation id: F-A, F-B, R1 to R9",
    "scope": "'london', a London local authority, or a prison",
    "location": "a prison or a London local authority",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str
    required: bool = True  # False: an empty value is allowed (stored as null)
    allowed: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    extra_values: tuple[str, ...] = ()  # literal values accepted besides the kind's own
    header: str | None = None  # the heading in the file, when it is not the column name

    @property
    def heading(self) -> str:
        return self.header or self.name

    @property
    def few_values(self) -> bool:
        """Whether the column has few distinct values (see DISTINCT_KINDS)."""
        return self.kind not in DISTINCT_KINDS

    @property
    def max_chars(self) -> int | None:
        """The longest value allowed, in characters (text and id columns)."""
        return TEXT_MAX_CHARS if self.kind in BOUNDED_KINDS else None

    def rule_text(self) -> str:
        """The rule in plain English, for the Data page and the README."""
        parts = [KIND_DESCRIPTIONS[self.kind]]
        if self.allowed:
            parts.append("one of: " + ", ".join(f"`{v}`" for v in self.allowed))
        if self.aliases:
            parts.append("also accepted: " + ", ".join(f"`{k}`" for k in self.aliases))
        if self.extra_values:
            parts.append("or " + ", ".join(f"`{v}`" for v in self.extra_values))
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"from {self.minimum:g} to {self.maximum:g}")
        elif self.minimum is not None:
            parts.append(f"at least {self.minimum:g}")
        if self.max_chars is not None:
            parts.append(f"at most {self.max_chars:,} characters")
        parts.append("required" if self.required else "may be empty")
        return "; ".join(parts)


@dataclass(frozen=True)
class RowRule:
    """A rule across columns: a row where `broken_when` holds is rejected, blamed on `column`."""

    name: str
    column: str
    reason: str
    kind: Literal["not_before", "empty_together", "not_after_cutoff"]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    name: str
    title: str
    description: str
    key: str
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()
    other_headings: tuple[str, ...] = ()  # headings the format has that the product does not use

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SEX_VALUES = ("male", "female", "other", "unknown")
SUBSTANCE_GROUPS = ("opiate", "non_opiate", "non_opiate_and_alcohol", "alcohol")
RELEASE_TYPES = ("sentence_end", "licence", "remand_court")
ACCOMMODATION = ("settled", "temporary", "no_fixed_abode", "unknown")
REFERRAL_SOURCES = ("prison", "probation", "court", "self", "gp", "other")
SETTINGS = ("community", "residential_rehab", "inpatient_detox", "recovery_house")
TIER4_SETTINGS = ("residential_rehab", "inpatient_detox")
EXIT_REASONS = (
    "completed_drug_free",
    "completed_alcohol_free",
    "completed_occasional_user",
    "transferred_not_in_custody",
    "transferred_in_custody",
    "dropped_out",
    "withdrawn_by_provider",
    "declined",
    "died",
)
STATUSES = ("not_started", "planning", "in_progress", "implemented", "embedded")
RAG = ("red", "amber", "green")
FEEDBACK_SETTINGS = ("prison", "community")
SENTIMENTS = ("worked_well", "could_improve")
SERVICE_KINDS = (
    "one_stop_shop",
    "womens_service",
    "peer_support",
    "residential_rehab",
    "community_treatment",
)

PRISON_RELEASES = Contract(
    name="prison_releases",
    title="Prison releases",
    description="Prison outcome extract: one row per release from custody of an adult who was in "
    "substance misuse treatment in prison at release.",
    key="release_id",
    columns=(
        Column("release_id", "id", "Release identifier."),
        Column("person_id", "text", "Pseudonymised person id, the same in every extract."),
        Column("prison", "prison", "Prison released from."),
        Column("reception_date", "date", "Date this custody began; not after release_date."),
        Column("release_date", "date", "Date of release; not after the data cut-off."),
        Column("release_type", "code", "How the person was released.", allowed=RELEASE_TYPES),
        Column("sex", "code", "Sex.", allowed=SEX_VALUES, aliases={"m": "male", "f": "female"}),
        Column("age", "int", "Age at release.", minimum=18, maximum=100),
        Column("substance_group", "code", "Substance group.", allowed=SUBSTANCE_GROUPS),
        Column("residence_la", "english_la", "Local authority of residence on release.",
               extra_values=("unknown",)),
        Column("accommodation_on_release", "code", "Accommodation on release.",
               allowed=ACCOMMODATION),
        Column("referred_to_community", "bool",
               "Referral to a community treatment provider made before release."),
        Column("pre_release_contact", "bool",
               "Community provider met the person before release (Through the Gate)."),
        Column("informed_at_reception", "bool", "Told at reception what services exist (R4)."),
        Column("completed_programme", "bool", "Completed an accredited programme in prison (R2)."),
        Column("peer_mentor", "bool", "Served as a peer mentor in prison (R2)."),
        Column("release_budget_gbp", "decimal", "Personalised release budget in pounds (R2).",
               required=False, minimum=0),
        Column("met_at_gate_by_peer", "bool",
               "Met at the gate by a paid peer support worker (R3)."),
    ),
    row_rules=(
        RowRule("reception_before_release", "reception_date",
                "reception_date is after release_date", "not_before",
                ("reception_date", "release_date")),
        RowRule("release_not_after_cutoff", "release_date",
                "release_date is after the data cut-off", "not_after_cutoff", ("release_date",)),
    ),
)

COMMUNITY_EPISODES = Contract(
    name="community_episodes",
    title="Community treatment episodes",
    description="Borough outcome extract: one row per community treatment episode.",
    key="episode_id",
    columns=(
        Column("episode_id", "id", "Episode identifier."),
        Column("person_id", "text", "Pseudonymised person id, the same in every extract."),
        Column("la", "english_la", "Treating local authority."),
        Column("referral_source", "code", "Who referred the person.", allowed=REFERRAL_SOURCES),
        Column("setting", "code", "Treatment setting; Tier 4 is residential_rehab or "
               "inpatient_detox.", allowed=SETTINGS),
        Column("start_date", "date", "First intervention (engagement) date."),
        Column("end_date", "date", "Episode end; empty while the episode is open.",
               required=False),
        Column("exit_reason", "code", "Why the episode ended; empty exactly when end_date is "
               "empty.", required=False, allowed=EXIT_REASONS),
    ),
    row_rules=(
        RowRule("end_not_before_start", "end_date", "end_date is before start_date",
                "not_before", ("start_date", "end_date")),
        RowRule("exit_reason_with_end", "exit_reason",
                "exit_reason must be given exactly when end_date is given", "empty_together",
                ("end_date", "exit_reason")),
    ),
)

RECOMMENDATION_UPDATES = Contract(
    name="recommendation_updates",
    title="Recommendation updates",
    description="Progress on the recommendations reported by partners.",
    key="update_id",
    columns=(
        Column("update_id", "id", "Update identifier."),
        Column("recommendation_id", "recommendation", "Which foundation or recommendation."),
        Column("scope", "scope", "Where the update applies."),
        Column("reported_on", "date", "Date reported."),
        Column("status", "code", "Delivery status.", allowed=STATUSES),
        Column("rag", "code", "Red, amber or green rating.", allowed=RAG),
        Column("milestone", "text", "Milestone reached or planned.", required=False),
        Column("next_step", "text", "Next step.", required=False),
        Column("owner", "text", "Organisation responsible."),
        Column("evidence", "text", "Evidence: text or a link.", required=False),
    ),
)

EBE_REVIEWS = Contract(
    name="ebe_reviews",
    title="Expert-by-experience reviews",
    description="The expert-by-experience group's reviews of progress.",
    key="review_id",
    columns=(
        Column("review_id", "id", "Review identifier."),
        Column("recommendation_id", "recommendation", "Which foundation or recommendation."),
        Column("scope", "scope", "Where the review applies."),
        Column("reviewed_on", "date", "Date of the review."),
        Column("panel", "text", "Panel or meeting that made the review."),
        Column("rating", "int", "How much difference it makes for people leaving prison "
               "(1 = none, 5 = a great deal).", minimum=1, maximum=5),
        Column("comment", "text", "Anonymised comment.", required=False),
    ),
)

LIVED_EXPERIENCE_FEEDBACK = Contract(
    name="lived_experience_feedback",
    title="Lived-experience feedback",
    description="What people said at consultation events in prison and the community.",
    key="feedback_id",
    columns=(
        Column("feedback_id", "id", "Feedback identifier."),
        Column("event_id", "text", "Consultation event."),
        Column("event_date", "date", "Date of the event."),
        Column("setting", "code", "Where the event was held.", allowed=FEEDBACK_SETTINGS),
        Column("location", "location", "Prison or local authority of the event."),
        Column("question_no", "int", "Question asked (1 to 10).", minimum=1, maximum=10),
        Column("theme", "text", "Theme."),
        Column("recommendation_id", "recommendation", "Recommendation it speaks to.",
               required=False),
        Column("sentiment", "code", "Whether it worked well or could improve.",
               allowed=SENTIMENTS),
        Column("quote", "text", "Anonymised quote.", required=False),
    ),
)

SERVICES = Contract(
    name="services",
    title="Recovery services directory",
    description="Recovery services in London by local authority.",
    key="service_id",
    columns=(
        Column("service_id", "id", "Service identifier."),
        Column("name", "text", "Service name."),
        Column("la", "london_la", "Local authority."),
        Column("kind", "code", "Kind of service.", allowed=SERVICE_KINDS),
        Column("drop_in", "bool", "Open to drop-in."),
        Column("women_only", "bool", "Women-only service."),
        Column("paid_peer_support_fte", "decimal", "Paid peer support workers (full-time "
               "equivalent).", minimum=0),
        Column("opened_on", "date", "Date opened."),
        Column("closed_on", "date", "Date closed; empty if open.", required=False),
    ),
    row_rules=(
        RowRule("closed_not_before_opened", "closed_on", "closed_on is before opened_on",
                "not_before", ("opened_on", "closed_on")),
    ),
)

# Fingertips data-download columns, in order. The last one only appears in newer downloads.
COMPARATOR_COLUMNS: tuple[str, ...] = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to <parent> value or percentiles",
    "Time period Sortable", "New data", "Compared to goal", "Time period range",
)

COMPARATORS = Contract(
    name="comparators",
    title="Published comparators (Fingertips format)",
    description="Published values for England, London and LAs in the Fingertips data-download "
    "format; the England benchmark for continuity of care enters the product here.",
    key="",
    columns=(
        Column("indicator_id", "text", "Fingertips indicator id.",
               header="Indicator ID"),
        Column("indicator_name", "text", "Indicator name.", header="Indicator Name"),
        Column("area_code", "text", "ONS area code.", header="Area Code"),
        Column("area_name", "text", "Area name.", header="Area Name"),
        Column("time_period", "text", "Financial year, e.g. 2023/24.", header="Time period"),
        Column("value", "decimal", "Published value (percent); empty when suppressed.",
               required=False, minimum=0, header="Value"),
        Column("lower_ci_95", "decimal", "Lower 95% limit.", required=False,
               header="Lower CI 95.0 limit"),
        Column("upper_ci_95", "decimal", "Upper 95% limit.", required=False,
               header="Upper CI 95.0 limit"),
        Column("count", "decimal", "Numerator.", required=False, minimum=0, header="Count"),
        Column("denominator", "decimal", "Denominator.", required=False, minimum=0,
               header="Denominator"),
        Column("value_note", "text", "Note, e.g. suppression.", required=False,
               header="Value note"),
    ),
    other_headings=COMPARATOR_COLUMNS,
)

CONTRACTS: tuple[Contract, ...] = (
    PRISON_RELEASES,
    COMMUNITY_EPISODES,
    RECOMMENDATION_UPDATES,
    EBE_REVIEWS,
    LIVED_EXPERIENCE_FEEDBACK,
    SERVICES,
    COMPARATORS,
)
CONTRACT_BY_NAME: dict[str, Contract] = {c.name: c for c in CONTRACTS}
REQUIRED_EXTRACTS: tuple[str, ...] = ("prison_releases", "community_episodes")
