"""Back-test on the committed sample: London's continuity of care per year in the published
warehouse equals a recomputation written here in plain DuckDB SQL straight from the CSVs,
under the registry's default definitions.

The SQL shares no code with the pipeline: it reads the files itself, parses both date forms,
recognises London boroughs by code or by their usual names, and links releases to episodes
with its own join.
"""

from pathlib import Path

import duckdb
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"

RECOMPUTE = """
with boroughs(code, name) as (values {boroughs}),
names as (
    select code, lower(name) as key from boroughs
    union all select code, lower(code) from boroughs
    union all select 'E09000033', 'city of westminster'
),
releases as (
    select trim(release_id) as release_id, trim(person_id) as person_id,
           coalesce(try_strptime(trim(release_date), '%Y-%m-%d'),
                    try_strptime(trim(release_date), '%d/%m/%Y'))::date as released,
           coalesce(try_strptime(trim(reception_date), '%Y-%m-%d'),
                    try_strptime(trim(reception_date), '%d/%m/%Y'))::date as received,
           regexp_replace(regexp_replace(lower(trim(residence_la)), '&', 'and', 'g'),
                          '^(london borough of |royal borough of )', '') as residence
    from read_csv('{releases}', all_varchar = true, header = true)
),
episodes as (
    select trim(person_id) as person_id, trim(setting) as setting,
           trim(exit_reason) as exit_reason,
           coalesce(try_strptime(trim(start_date), '%Y-%m-%d'),
                    try_strptime(trim(start_date), '%d/%m/%Y'))::date as started,
           coalesce(try_strptime(nullif(trim(end_date), ''), '%Y-%m-%d'),
                    try_strptime(nullif(trim(end_date), ''), '%d/%m/%Y'))::date as ended
    from read_csv('{episodes}', all_varchar = true, header = true)
),
london as (
    select r.* from releases r join names n on n.key = r.residence
),
flagged as (
    -- The registry's default definitions: structured settings only (no recovery house), an
    -- episode open at release counts, deaths and returns to custody within 21 days leave the
    -- denominator.
    select l.released,
           exists (select 1 from episodes e where e.person_id = l.person_id
                   and e.setting <> 'recovery_house'
                   and (e.started between l.released and l.released + 21
                        or (e.started < l.released
                            and (e.ended is null or e.ended >= l.released)))) as engaged
    from london l
    where not exists (select 1 from episodes e where e.person_id = l.person_id
                      and e.exit_reason = 'died'
                      and e.ended between l.released and l.released + 21)
      and not exists (select 1 from releases later where later.person_id = l.person_id
                      and later.release_id <> l.release_id
                      and later.received between l.released and l.released + 21)
)
select case when month(released) >= 4 then year(released) else year(released) - 1 end
           as start_year,
       count(*) filter (where engaged) as engaged, count(*) as releases
from flagged group by all order by start_year
"""


def _borough_values() -> str:
    # The 33 London boroughs, written out here rather than taken from the pipeline.
    names = ["City of London", "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley",
             "Camden", "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney",
             "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon",
             "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames",
             "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge", "Richmond upon Thames",
             "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
             "Westminster"]
    return ", ".join(f"('E09{i:06d}', '{name}')" for i, name in enumerate(names, start=1))


def test_london_coc_per_year_equals_an_independent_sql_recomputation(
        sample_warehouse: Path) -> None:
    with duckdb.connect() as con:
        expected = con.sql(RECOMPUTE.format(
            boroughs=_borough_values(), releases=SAMPLES / "prison_releases.csv",
            episodes=SAMPLES / "community_episodes.csv")).fetchall()
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        published = con.sql(
            "select period, numerator, denominator, value from kpi_values where kpi_id = "
            "'coc_21d' and area_type = 'london' and breakdown = 'all' and period_type = 'year' "
            "order by period").fetchall()
    assert len(expected) == len(published) == 5
    for (start_year, engaged, releases), (period, numerator, denominator, value) in zip(
            expected, published, strict=True):
        assert period == f"{start_year}/{(start_year + 1) % 100:02d}"
        assert (numerator, denominator) == (engaged, releases)
        assert value == pytest.approx(100 * engaged / releases)
