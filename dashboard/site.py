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
    section: str

    @property
    def path(self) -> Path:
        return VIEWS / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "London overview", ":material/map:", "overview", "Outcomes"),
    PageSpec("borough.py", "Borough profile", ":material/location_city:", "borough", "Outcomes"),
    PageSpec("prisons.py", "Prisons", ":material/domain:", "prisons", "Outcomes"),
    PageSpec("tier4.py", "Tier 4 rehab (R1)", ":material/home_health:", "tier4", "Outcomes"),
    PageSpec("recovery.py", "Long-term recovery (R1)", ":material/trending_up:", "recovery",
             "Outcomes"),
    PageSpec("recommendations.py", "Recommendations", ":material/checklist:", "recommendations",
             "Recommendations"),
    PageSpec("lived_experience.py", "Lived experience", ":material/forum:", "lived-experience",
             "Recommendations"),
    PageSpec("downloads.py", "Board pack and downloads", ":material/download:", "downloads",
             "About the data"),
    PageSpec("data_definitions.py", "Data and definitions", ":material/dataset:", "data",
             "About the data"),
)
DEFAULT_PAGE = PAGES[0]


def available_pages() -> tuple[PageSpec, ...]:
    """Pages whose view file exists (all of them in a complete build of the app)."""
    return tuple(page for page in PAGES if page.path.exists())
