"""The app's pages, in navigation order: file, title, icon and URL path.

Plain data, so the router, the AppTest tests and the browser tests all use the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIEWS = Path(__file__).parent / "views"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str

    @property
    def path(self) -> Path:
        return VIEWS / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "London overview", ":material/map:", "overview"),
    PageSpec("borough.py", "Borough profile", ":material/location_city:", "borough"),
    PageSpec("prisons.py", "Prisons", ":material/domain:", "prisons"),
    PageSpec("tier4.py", "Tier 4 rehab (R1)", ":material/home_health:", "tier4"),
    PageSpec("recovery.py", "Long-term recovery (R1)", ":material/trending_up:", "recovery"),
    PageSpec("recommendations.py", "Recommendations", ":material/checklist:", "recommendations"),
    PageSpec("recovery_audit.py", "Recovery audit (R7)", ":material/fact_check:",
             "recovery-audit"),
    PageSpec("lived_experience.py", "Lived experience", ":material/forum:", "lived-experience"),
    PageSpec("peer_capture.py", "Record an account", ":material/edit_note:", "record-account"),
    PageSpec("peer_coordinate.py", "Peer research", ":material/groups:", "peer-research"),
    PageSpec("downloads.py", "Board pack and downloads", ":material/download:", "downloads"),
    PageSpec("data_definitions.py", "Data and definitions", ":material/dataset:", "data"),
)
DEFAULT_PAGE = PAGES[0]
DATA_PAGE = next(spec for spec in PAGES if spec.file == "data_definitions.py")

