"""Journeys (DESIGN §4): for every release, what happened next.

Each release is linked to the same person's community episodes and later custody with range
joins in DuckDB (no per-row Python). Days count from the release date, which is day 0:

- engaged_21d: an episode starting in [release, release + 21];
- tier4_12w: a Tier 4 episode (residential rehab, inpatient detox) starting in [release, +84];
- engaged_6m: on day 182 an episode started on or after release is open, or one has been
  completed successfully;
- completed_12m: a successful completion (exit reason `completed_*`) of an episode started on or
  after release, ending by day 365, with no new episode starting in the 182 days after it ends;
- returned_custody_12m: another release record of the same person whose reception date is in
  [release, release + 365];
- days_to_engagement: days from release to the first episode starting within a year (or null).
"""

from __future__ import annotations

import tempfile

import duckdb
import polars as pl

from pipelines.contracts import TIER4_SETTINGS

ENGAGED_DAYS = 21
TIER4_DAYS = 84
SIX_MONTHS_DAYS = 182
YEAR_DAYS = 365
REPRESENTATION_DAYS = 182
DUCKDB_MEMORY_LIMIT = "1500MB"

JOURNEY_SQL = f"""
with episodes as (
    select person_id, setting, start_date, end_date,
           coalesce(exit_reason like 'completed_%', false) as completed
    from staged_episodes
),
flagged as (
    select e.*,
           e.completed and exists (
               select 1 from staged_episodes n
               where n.person_id = e.person_id
                 and n.start_date > e.end_date
                 and n.start_date <= e.end_date + {REPRESENTATION_DAYS}
           ) as re_presented
    from episodes e
),
linked as (
    select r.release_id,
           bool_or(e.start_date <= r.release_date + {ENGAGED_DAYS}) as engaged_21d,
           bool_or(e.setting in {TIER4_SETTINGS!r}
                   and e.start_date <= r.release_date + {TIER4_DAYS}) as tier4_12w,
           bool_or(e.start_date <= r.release_date + {SIX_MONTHS_DAYS}
                   and (e.end_date is null
                        or e.end_date >= r.release_date + {SIX_MONTHS_DAYS}
                        or e.completed)) as engaged_6m,
           bool_or(e.completed and e.end_date <= r.release_date + {YEAR_DAYS}
                   and not e.re_presented) as completed_12m,
           min(e.start_date - r.release_date) as days_to_engagement
    from staged_releases r
    left join flagged e
      on e.person_id = r.person_id
     and e.start_date >= r.release_date
     and e.start_date <= r.release_date + {YEAR_DAYS}
    group by r.release_id
),
custody as (
    select r.release_id, count(later.release_id) > 0 as returned_custody_12m
    from staged_releases r
    left join staged_releases later
      on later.person_id = r.person_id
     and later.release_id <> r.release_id
     and later.reception_date >= r.release_date
     and later.reception_date <= r.release_date + {YEAR_DAYS}
    group by r.release_id
)
select linked.release_id,
       coalesce(engaged_21d, false) as engaged_21d,
       coalesce(tier4_12w, false) as tier4_12w,
       coalesce(engaged_6m, false) as engaged_6m,
       coalesce(completed_12m, false) as completed_12m,
       returned_custody_12m,
       days_to_engagement::integer as days_to_engagement
from linked join custody using (release_id)
"""

JOURNEY_FLAGS = ("engaged_21d", "tier4_12w", "engaged_6m", "completed_12m", "returned_custody_12m")


def link_journeys(releases: pl.DataFrame, episodes: pl.DataFrame,
                  threads: int | None = None) -> pl.DataFrame:
    """Releases with one column per journey outcome, joined on release_id."""
    spill = tempfile.TemporaryDirectory(prefix="coc-journeys-")
    # Bounded memory: the staged frames are already in memory; DuckDB spills beyond this.
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT,
                                 "temp_directory": spill.name})
    try:
        if threads:
            con.execute(f"set threads = {int(threads)}")
        con.register("staged_releases",
                     releases.select("release_id", "person_id", "reception_date", "release_date"))
        con.register("staged_episodes",
                     episodes.select("person_id", "setting", "start_date", "end_date",
                                     "exit_reason"))
        outcomes = con.sql(JOURNEY_SQL).pl()
    finally:
        con.close()
        spill.cleanup()
    return releases.join(outcomes, on="release_id", how="left")
