"""The KPI registry (DESIGN §5): one declaration per KPI, the single source of truth.

The pipeline computes what is declared here, the warehouse's `kpi_definitions` table is written
from it, and the dashboard's pages, definitions page and exports read that table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Polarity = Literal["high_good", "low_good", "no_judgement"]
Unit = Literal["percent", "rate_per_100"]

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

    def as_row(self) -> dict:
        row = asdict(self)
        row["recommendations"] = ", ".join(self.recommendations)
        row["comparator_names"] = "; ".join(self.comparator_names)
        return row


KPIS: tuple[Kpi, ...] = (
    Kpi(
        id="coc_21d",
        title="Continuity of care (21 days)",
        description="Of people released from prison who needed drug or alcohol treatment, the "
        "share who started community treatment within 3 weeks (21 days) of release.",
        numerator="Releases followed by a community treatment episode starting on the day of "
        "release or within the next 21 days",
        denominator="Releases of adults in substance misuse treatment in prison at release",
        unit="percent",
        polarity="high_good",
        recommendations=("F-B",),
        follow_up_days=21,
        source="prison_releases, community_episodes",
        target=75.0,
        comparator_names=("following release from prison", "continuity of care"),
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
        "year.",
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
