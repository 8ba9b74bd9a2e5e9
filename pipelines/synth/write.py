"""`generate`: simulate every extract of §3 from one seed and write them as CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from pipelines.definitions.contracts import (
    COMMUNITY_EPISODES,
    COMPARATOR_COLUMNS,
    EBE_REVIEWS,
    LIVED_EXPERIENCE_FEEDBACK,
    PRISON_RELEASES,
    RECOMMENDATION_UPDATES,
    SERVICES,
    Contract,
)
from pipelines.synth.calibration import DEFAULT_SEED
from pipelines.synth.comparators import comparators_frame
from pipelines.synth.episodes import (
    Episodes,
    simulate_background_episodes,
    simulate_linked_episodes,
)
from pipelines.synth.extracts import PERSON_ID_MODULUS, episodes_frame, releases_frame
from pipelines.synth.lived_experience import feedback_frame, reviews_frame
from pipelines.synth.messiness import break_episodes, break_releases
from pipelines.synth.people import simulate_releases
from pipelines.synth.progress import updates_frame
from pipelines.synth.services import services_frame

# One random stream per purpose; the numbers are part of the seed contract (the sample's bytes).
_STREAM_RELEASES, _STREAM_EPISODES, _STREAM_BACKGROUND, _STREAM_FORMAT = 1, 2, 3, 4
_STREAM_BAD_ROWS, _STREAM_SERVICES, _STREAM_UPDATES, _STREAM_REVIEWS = 5, 6, 7, 8
_STREAM_FEEDBACK, _STREAM_IDS = 9, 10


def _rng(seed: int, stream: int) -> np.random.Generator:
    """An independent generator per purpose, so small extracts do not depend on scale."""
    return np.random.default_rng([seed, stream])


def _write(frame: pl.DataFrame, contract_or_columns: Contract | tuple[str, ...], path: Path
           ) -> int:
    columns = (contract_or_columns.column_names if isinstance(contract_or_columns, Contract)
               else contract_or_columns)
    frame.select(list(columns)).write_csv(path, float_precision=2)
    return frame.height


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0,
             background_per_release: float = 1.5, bad_row_rate: float = 0.0) -> dict[str, int]:
    """Write every extract of §3 as CSV into out_dir; return rows written per extract name."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if background_per_release < 0:
        raise ValueError("background_per_release must not be negative")
    if not 0 <= bad_row_rate < 0.5:
        raise ValueError("bad_row_rate must be from 0 to below 0.5")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    id_offset = int(_rng(seed, _STREAM_IDS).integers(PERSON_ID_MODULUS))

    releases = simulate_releases(_rng(seed, _STREAM_RELEASES), scale)
    linked = simulate_linked_episodes(_rng(seed, _STREAM_EPISODES), releases)
    first_background_person = int(releases.person.max()) + 1 if releases.size else 0
    background = simulate_background_episodes(
        _rng(seed, _STREAM_BACKGROUND), round(background_per_release * releases.size),
        first_background_person)
    episodes = Episodes.concat([linked, background])

    format_rng, bad_rng = _rng(seed, _STREAM_FORMAT), _rng(seed, _STREAM_BAD_ROWS)
    counts: dict[str, int] = {}
    release_frame = break_releases(releases_frame(format_rng, releases, id_offset), bad_rng,
                                    bad_row_rate)
    del releases
    counts["prison_releases"] = _write(release_frame, PRISON_RELEASES,
                                       out_dir / "prison_releases.csv")
    del release_frame
    episode_frame = break_episodes(episodes_frame(format_rng, episodes, id_offset), bad_rng,
                                    bad_row_rate)
    del episodes, linked, background
    counts["community_episodes"] = _write(episode_frame, COMMUNITY_EPISODES,
                                          out_dir / "community_episodes.csv")
    del episode_frame

    updates = updates_frame(_rng(seed, _STREAM_UPDATES))
    counts["recommendation_updates"] = _write(updates, RECOMMENDATION_UPDATES,
                                              out_dir / "recommendation_updates.csv")
    counts["ebe_reviews"] = _write(reviews_frame(_rng(seed, _STREAM_REVIEWS), updates),
                                   EBE_REVIEWS, out_dir / "ebe_reviews.csv")
    counts["lived_experience_feedback"] = _write(
        feedback_frame(_rng(seed, _STREAM_FEEDBACK)), LIVED_EXPERIENCE_FEEDBACK,
        out_dir / "lived_experience_feedback.csv")
    counts["services"] = _write(services_frame(_rng(seed, _STREAM_SERVICES)), SERVICES,
                                out_dir / "services.csv")
    counts["comparators"] = _write(comparators_frame(), COMPARATOR_COLUMNS,
                                   out_dir / "comparators.csv")
    return counts
