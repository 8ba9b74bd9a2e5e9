"""Journeys (DESIGN §4): for every release, what happened next.

Each release is linked to the same person's community episodes and later custody with range
joins in DuckDB (no per-row Python). Days count from the release date, which is day 0:

- engaged_21d: a structured episode starting in [release, release + 21], or (by default) one
  open on the day of release;
- coc_eligible: in the continuity-of-care denominator: by default not if the person died
  (an episode ending "died") or was received back into custody within [release, release + 21];
- tier4_12w: a Tier 4 episode (residential rehab, inpatient detox) starting in [release, +84];
- engaged_6m: on day 182 an episode started on or after release is open, or one has been
  completed successfully;
- completed_12m: a successful completion (exit reason `completed_*`) of an episode started on or
  after release, ending by day 365, with no new episode of the same person starting in the 182
  days after it ends (a Tier 4 episode starting within the step-up days is a planned step-up);
- returned_custody_12m: another release record of the same person whose reception date is in
  [release, release + 365] (people still in custody at the cut-off have no such record);
- days_to_engagement: days from release to the first episode starting within a year (or null).

Only episodes in the engagement settings count for engagement, completion and re-presentation
(recovery houses are not structured treatment by default). Each choice is a field of
`pipelines.definitions.registry.Definitions`.
"""

from __future__ import annotations

import tempfile

import duckdb
import polars as pl

from pipelines.definitions.contracts import TIER4_SETTINGS
from pipelines.definitions.registry import DEFINITIONS, Definitions

ENGAGED_DAYS = 21
TIER4_DAYS = 84
SIX_MONTHS_DAYS = 182
YEAR_DAYS = 365
REPRESENTATION_DAYS = 182
DUCKDB_MEMORY_LIMIT = "1500MB"

def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def journey_sql(definitions: Definitions = DEFINITIONS) -> str:
    """The journey query for a set of definition choices."""
    d = definitions
    step_up = (f"not (n.setting in {_sql_list(TIER4_SETTINGS)} "
               f"and n.start_date <= e.end_date + {int(d.step_up_days)})"
               if d.step_up_days is not None else "true")
    open_at_release = (f"(e.setting in {_sql_list(d.engagement_settings)} "
                       "and e.start_date < r.release_date and (e.end_date is null "
                       "or e.end_date >= r.release_date))" if d.coc_open_episode_counts
                       else "false")
    died = (f"e.exit_reason = 'died' and e.end_date >= r.release_date "
            f"and e.end_date <= r.release_date + {ENGAGED_DAYS}" if d.coc_exclude_deaths
            else "false")
    back_inside = (f"later.reception_date <= r.release_date + {ENGAGED_DAYS}"
                   if d.coc_exclude_returned_to_custody else "false")
    return f"""
with episodes_marked as (
    select person_id, setting, start_date, end_date, exit_reason,
           setting in {_sql_list(d.engagement_settings)} as structured,
           coalesce(exit_reason like 'completed_%', false) as completed
    from staged_episodes
),
structured as (
    select person_id, setting, start_date from episodes_marked where structured
),
episodes as (
    select e.*, false as re_presented
    from episodes_marked e
    where not (e.structured and e.completed)
    union all
    select e.*, exists (
               select 1 from structured n
               where n.person_id = e.person_id
                 and n.start_date > e.end_date
                 and n.start_date <= e.end_date + {REPRESENTATION_DAYS}
                 and {step_up}
           ) as re_presented
    from episodes_marked e
    where e.structured and e.completed
),
linked as (
    -- One join of each release to the same person's episodes that can matter to any flag:
    -- those starting in the year after release, and those still open on the day of release.
    select r.release_id,
           bool_or(e.structured and e.start_date >= r.release_date
                   and e.start_date <= r.release_date + {ENGAGED_DAYS}) as engaged_21d,
           bool_or(e.structured and e.start_date >= r.release_date
                   and e.start_date <= r.release_date + {SIX_MONTHS_DAYS}
                   and (e.end_date is null
                        or e.end_date >= r.release_date + {SIX_MONTHS_DAYS}
                        or e.completed)) as engaged_6m,
           bool_or(e.structured and e.start_date >= r.release_date
                   and e.completed and e.end_date <= r.release_date + {YEAR_DAYS}
                   and not e.re_presented) as completed_12m,
           min(e.start_date - r.release_date)
               filter (where e.structured and e.start_date >= r.release_date)
               as days_to_engagement,
           bool_or(e.setting in {_sql_list(TIER4_SETTINGS)}
                   and e.start_date >= r.release_date
                   and e.start_date <= r.release_date + {TIER4_DAYS}) as tier4_12w,
           bool_or(e.start_date <= r.release_date + {ENGAGED_DAYS}
                   and (e.end_date is null or e.end_date >= r.release_date)
                   and {open_at_release}) as open_at_release,
           bool_or(e.start_date <= r.release_date + {ENGAGED_DAYS}
                   and (e.end_date is null or e.end_date >= r.release_date)
                   and {died}) as died_21d
    from staged_releases r
    left join episodes e
      on e.person_id = r.person_id
     and e.start_date <= r.release_date + {YEAR_DAYS}
     and (e.start_date >= r.release_date or e.end_date is null
          or e.end_date >= r.release_date)
    group by r.release_id
),
custody as (
    select r.release_id,
           count(later.release_id) > 0 as returned_custody_12m,
           coalesce(bool_or({back_inside}), false) as back_inside_21d
    from staged_releases r
    left join staged_releases later
      on later.person_id = r.person_id
     and later.release_id <> r.release_id
     and later.reception_date >= r.release_date
     and later.reception_date <= r.release_date + {YEAR_DAYS}
    group by r.release_id
)
select linked.release_id,
       coalesce(engaged_21d, false) or coalesce(open_at_release, false) as engaged_21d,
       not (coalesce(died_21d, false) or back_inside_21d) as coc_eligible,
       coalesce(tier4_12w, false) as tier4_12w,
       coalesce(engaged_6m, false) as engaged_6m,
       coalesce(completed_12m, false) as completed_12m,
       returned_custody_12m,
       (case when coalesce(open_at_release, false) then 0
             else days_to_engagement end)::integer as days_to_engagement
from linked join custody using (release_id)
"""


JOURNEY_FLAGS = ("engaged_21d", "coc_eligible", "tier4_12w", "engaged_6m", "completed_12m",
                 "returned_custody_12m")


def link_journeys(releases: pl.DataFrame, episodes: pl.DataFrame,
                  threads: int | None = None,
                  definitions: Definitions = DEFINITIONS) -> pl.DataFrame:
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
        outcomes = con.sql(journey_sql(definitions)).pl()
    finally:
        con.close()
        spill.cleanup()
    return releases.join(outcomes, on="release_id", how="left")
