"""The KPI registry (DESIGN §5): one declaration per KPI, the single source of truth.

The pipeline computes what is declared here, the warehouse's `kpi_definitions` table is written
from it, and the dashboard's pages, definitions page and exports read that table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Literal

from pipelines.definitions.contracts import SETTINGS

Polarity = Literal["high_good", "low_good", "no_judgement"]
Unit = Literal["percent", "rate_per_100"]
TrendMethod = Literal["chi_square_proportions", "weighted_regression"]
# The Fingertips recent-trend methods (pipelines.stats), in words for the Data page.
TREND_METHOD_TEXT: dict[str, str] = {
    "chi_square_proportions": "Chi-square test for trend in proportions (Fingertips, \"SPC for "
    "proportions\"), significant at 99.8% only when the logit slope has the same sign with "
    "all five points and with each left out",
    "weighted_regression": "Weighted regression of the value on time with weights 1/se\u00b2 "
    "from the 95% interval (FingertipsNext; Fingertips for indicators benchmarked by confidence "
    "intervals), significant at 99.8% only when the slope has the same sign with all five "
    "points and with each left out",
}

BREAKDOWNS: tuple[str, ...] = (
    "all", "sex", "age_band", "substance_group", "release_type", "completed_programme",
    "peer_mentor",
)
BREAKDOWN_TITLES: dict[str, str] = {
    "all": "All releases",
    "sex": "Sex",
    "age_band": "Age band",
    "substance_group": "Substance group",
    "release_type": "Release type",
    "completed_programme": "Completed a programme in prison",
    "peer_mentor": "Peer mentor in prison",
}
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("18-24", 18, 24), ("25-34", 25, 34), ("35-49", 35, 49), ("50+", 50, 200),
)


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    description: str
    numerator: str
    denominator: str
    unit: Unit
    polarity: Polarity
    recommendations: tuple[str, ...]
    follow_up_days: int  # days after release (including any follow-up) before a release counts
    source: str
    target: float | None = None
    # The Fingertips indicator names that publish this KPI (case-insensitive substring match).
    comparator_names: tuple[str, ...] = ()
    # Which denominator the KPI shares with others: shared denominators are suppressed alike.
    denominator_family: str = "releases"
    # Which Fingertips recent-trend method the KPI follows (pipelines.stats.TREND_METHODS).
    # A KPI mirroring a published Fingertips indicator benchmarked by confidence intervals
    # follows that indicator's method (weighted regression); the others use the chi-square
    # test for trend in proportions, which needs only counts.
    trend_method: TrendMethod = "chi_square_proportions"
    # SPC: fix the limits on the first n quarters (None: all points), and quarters (labels such
    # as "2022/23 Q1") at which a stated change to the process starts new limits.
    spc_baseline: int | None = None
    spc_change_periods: tuple[str, ...] = ()

    def as_row(self) -> dict:
        row = asdict(self)
        row["recommendations"] = ", ".join(self.recommendations)
        row["comparator_names"] = "; ".join(self.comparator_names)
        row["spc_change_periods"] = ", ".join(self.spc_change_periods)
        return row


KPIS: tuple[Kpi, ...] = (
    Kpi(
        id="coc_21d",
        title="Continuity of care (21 days)",
        description="Of people released from prison who needed drug or alcohol treatment, the "
        "share who started community treatment within 3 weeks (21 days) of release.",
        numerator="Releases followed by a structured community treatment episode starting on "
        "the day of release or within the next 21 days, or open at release",
        denominator="Releases of adults in substance misuse treatment in prison at release, "
        "less those who died or were back in custody within the 21 days",
        unit="percent",
        polarity="high_good",
        recommendations=("F-B",),
        follow_up_days=21,
        source="prison_releases, community_episodes",
        target=75.0,
        comparator_names=("following release from prison", "continuity of care"),
        denominator_family="coc_eligible",
        trend_method="weighted_regression",
    ),
    Kpi(
        id="tier4_on_release",
        title="Tier 4 rehab entries on release",
        description="People who entered residential rehab or inpatient detox (Tier 4) within "
        "12 weeks of release: a count, and a rate per 100 releases.",
        numerator="Releases followed by a Tier 4 episode (residential rehab or inpatient detox) "
        "starting within 84 days",
        denominator="Releases",
        unit="rate_per_100",
        polarity="high_good",
        recommendations=("R1",),
        follow_up_days=84,
        source="prison_releases, community_episodes",
    ),
    Kpi(
        id="engaged_6m",
        title="In treatment or completed at 6 months",
        description="The share of releases where, 6 months (182 days) after release, the person "
        "is still in community treatment that started after release, or has completed it "
        "successfully.",
        numerator="Releases with, on day 182, an open episode started on or after release, or a "
        "successful completion of one",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("R1",),
        follow_up_days=182,
        source="prison_releases, community_episodes",
    ),
    Kpi(
        id="completed_12m",
        title="Completed without re-presenting",
        description="The share of releases followed by a successful completion of treatment "
        "within a year of release, with no return to treatment in the 6 months after it.",
        numerator="Releases with a successful completion ending within 365 days and no new "
        "episode starting within 182 days of that completion",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("R1",),
        follow_up_days=365 + 182,
        source="prison_releases, community_episodes",
    ),
    Kpi(
        id="returned_custody_12m",
        title="Returned to custody within 12 months",
        description="The share of releases after which the person was back in custody within a "
        "year. People received back into custody and still there at the data cut-off have no "
        "release record yet and are missed, so recent years are undercounts.",
        numerator="Releases followed by a later custody of the same person with reception within "
        "365 days of release",
        denominator="Releases",
        unit="percent",
        polarity="low_good",
        recommendations=("R1",),
        follow_up_days=365,
        source="prison_releases",
    ),
    Kpi(
        id="settled_on_release",
        title="Settled accommodation on release",
        description="Of releases where accommodation on release is known, the share into settled "
        "accommodation.",
        numerator="Releases into settled accommodation",
        denominator="Releases with known accommodation on release",
        unit="percent",
        polarity="high_good",
        recommendations=("F-A",),
        follow_up_days=0,
        source="prison_releases",
        denominator_family="known_accommodation",
    ),
    Kpi(
        id="pre_release_contact",
        title="Met community provider before release",
        description="The share of releases where the community treatment provider met the "
        "person before release (Through the Gate).",
        numerator="Releases with pre-release contact",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("F-B",),
        follow_up_days=0,
        source="prison_releases",
    ),
    Kpi(
        id="informed_at_reception",
        title="Informed about services at reception",
        description="The share of releases where the person was told at reception what services "
        "exist in prison and through the gate.",
        numerator="Releases where the person was informed at reception",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("R4",),
        follow_up_days=0,
        source="prison_releases",
    ),
    Kpi(
        id="met_by_peer",
        title="Met at the gate by a peer support worker",
        description="The share of releases where a paid peer support worker met the person at "
        "the gate.",
        numerator="Releases met at the gate by a paid peer support worker",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("R3",),
        follow_up_days=0,
        source="prison_releases",
    ),
    Kpi(
        id="release_budget",
        title="Had a personalised release budget",
        description="The share of releases with a personalised release budget above zero.",
        numerator="Releases with a release budget greater than zero",
        denominator="Releases",
        unit="percent",
        polarity="high_good",
        recommendations=("R2",),
        follow_up_days=0,
        source="prison_releases",
    ),
)

KPI_BY_ID: dict[str, Kpi] = {k.id: k for k in KPIS}
KPI_IDS: tuple[str, ...] = tuple(KPI_BY_ID)


@dataclass(frozen=True)
class Definitions:
    """The journey definitions that are a choice, each named and documented (DESIGN §4).

    Defaults follow OHID's published continuity-of-care measure (Fingertips 93588, "adults with
    substance misuse treatment need who successfully engage in community-based structured
    treatment following release from prison") where its definition is known; see
    DEFINITION_NOTES for each.
    """

    coc_exclude_deaths: bool = True
    coc_exclude_returned_to_custody: bool = True
    engagement_settings: tuple[str, ...] = ("community", "residential_rehab", "inpatient_detox")
    coc_open_episode_counts: bool = True
    step_up_days: int | None = 14

    def __post_init__(self) -> None:
        unknown = set(self.engagement_settings) - set(SETTINGS)
        if unknown or not self.engagement_settings:
            raise ValueError(f"engagement_settings must be settings from {SETTINGS}")
        if self.step_up_days is not None and self.step_up_days < 0:
            raise ValueError("step_up_days must be 0 or more, or None")


DEFINITIONS = Definitions()

# (title, what the choice does, its basis) for each Definitions field, in field order.
DEFINITION_NOTES: dict[str, tuple[str, str, str]] = {
    "coc_exclude_deaths": (
        "Deaths within 21 days leave the continuity-of-care denominator",
        "A release is left out of the continuity-of-care denominator when the person died within "
        "21 days of release (a community episode ending with exit reason \"died\" in that time; "
        "deaths outside treatment are not in the extracts and stay in).",
        "Our reading of OHID's measure, which counts people who could engage; not confirmed "
        "against OHID's technical definition.",
    ),
    "coc_exclude_returned_to_custody": (
        "Returns to custody within 21 days leave the continuity-of-care denominator",
        "A release is left out of the continuity-of-care denominator when the same person has a "
        "later reception into custody within 21 days of release.",
        "Our reading of OHID's measure; not confirmed against OHID's technical definition.",
    ),
    "engagement_settings": (
        "What counts as engagement",
        "Only an episode in structured treatment counts as engagement (community, residential "
        "rehab, inpatient detox). A recovery house is recovery support, not structured "
        "treatment, and does not count (for continuity of care, 6-month engagement, completion "
        "and time to engagement).",
        "Matches OHID's measure (\"community-based structured treatment\").",
    ),
    "coc_open_episode_counts": (
        "An episode already open at release counts as engaged",
        "A person whose structured community episode started before release and was still open "
        "on the day of release counts as engaged within 21 days (on day 0).",
        "Matches OHID's measure as we understand it (continuing treatment is engagement); not "
        "confirmed against OHID's technical definition.",
    ),
    "step_up_days": (
        "A planned step-up into Tier 4 is not re-presenting",
        "For \"completed without re-presenting\", a residential rehab or inpatient detox episode "
        "starting within 14 days after a successful completion is a planned step-up, not a "
        "re-presentation. Any other new episode within 182 days is.",
        "Local definition (OHID publishes no such measure); the 14 days is our choice.",
    ),
}
RETURNED_TO_CUSTODY_NOTE = (
    "Returned to custody counts a later reception of the same person within 365 days, taken "
    "from that custody's release record. People received back into custody and still there at "
    "the data cut-off have no release record yet, so they are missed and the figure is an "
    "undercount for the most recent releases."
)


def definition_rows(definitions: Definitions = DEFINITIONS) -> list[dict[str, str]]:
    """The definition choices in force, one row each, for the warehouse and the Data page."""
    rows = []
    for field in fields(definitions):
        title, meaning, basis = DEFINITION_NOTES[field.name]
        value = getattr(definitions, field.name)
        setting = ", ".join(value) if isinstance(value, tuple) else \
            ("off" if value is None else "yes" if value is True else "no" if value is False
             else str(value))
        rows.append({"name": field.name, "title": title, "setting": setting,
                     "meaning": meaning, "basis": basis,
                     "default": "yes" if value == field.default else "no"})
    return rows


def definition_line(definitions: Definitions = DEFINITIONS) -> str:
    """One line naming the definition choices in force, for every export's definition line."""
    d = definitions
    parts = [
        "deaths within 21 days " + ("excluded" if d.coc_exclude_deaths else "included"),
        "returns to custody within 21 days "
        + ("excluded" if d.coc_exclude_returned_to_custody else "included"),
        "engagement = " + ", ".join(s.replace("_", " ") for s in d.engagement_settings),
        "open episode at release " + ("counts" if d.coc_open_episode_counts else "does not count"),
        "planned Tier 4 step-up within " + (f"{d.step_up_days} days is not re-presenting"
                                            if d.step_up_days is not None else "0 days: none"),
    ]
    return "Definitions: " + "; ".join(parts) + "."
