"""Published outputs: the tables the dashboard reads, made from the staged extracts.

Only aggregated, disclosure-controlled marts and non-personal reference tables leave here;
record-level releases and episodes never reach the published warehouse (DESIGN §2).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from pipelines import disclosure, kpis
from pipelines.definitions import reference, registry
from pipelines.ingest import FILE_COLUMN, ROW_COLUMN
from pipelines.journeys import link_journeys
from pipelines.validate import Staged

if TYPE_CHECKING:
    from pipelines.build import Progress

# Extracts about programmes and services, not people: published as loaded.
NON_PERSONAL_EXTRACTS = (
    "recommendation_updates",
    "ebe_reviews",
    "lived_experience_feedback",
    "services",
    "comparators",
)
ALL = "all"
OUTSIDE_LONDON = "outside_london"
UNKNOWN = "unknown"
# A KPI over all releases with no follow-up: its denominators are the release counts.
MARGIN_KPI = "pre_release_contact"
CURVE_DAYS = tuple(range(0, 183, 7))  # weekly to 26 weeks (day 182)


def reference_tables() -> dict[str, pl.DataFrame]:
    """§7 reference data and the KPI registry as tables, so readers need not import code."""
    areas = pl.DataFrame([
        {**asdict(la), "subregion_name": reference.SUBREGION_BY_CODE[la.subregion].name}
        for la in reference.LONDON_LAS
    ])
    return {
        "ref_local_authorities": areas,
        "ref_subregions": pl.DataFrame([asdict(s) for s in reference.SUBREGIONS]),
        "ref_prisons": pl.DataFrame([asdict(p) for p in reference.PRISONS]),
        "ref_recommendations": pl.DataFrame([asdict(r) for r in reference.RECOMMENDATIONS]),
        "kpi_definitions": pl.DataFrame([k.as_row() for k in registry.KPIS]),
    }


def release_flows(journeys: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    """Releases by financial year, prison and LA of residence, with its margins, suppressed.

    Margins are the prison and LA release counts published in `kpi_values`; they start hidden
    exactly where they are hidden there, so the two tables cannot be played against each other.
    """
    london = set(reference.LA_BY_CODE)
    flows = (
        journeys.select(
            kpis.fy_label(kpis.fy_start_year(pl.col("release_date"))).alias("period"),
            pl.col("prison"),
            pl.when(pl.col("residence_la").is_in(list(london))).then(pl.col("residence_la"))
            .when(pl.col("residence_la") == UNKNOWN).then(pl.lit(UNKNOWN))
            .otherwise(pl.lit(OUTSIDE_LONDON)).alias("residence"),
        )
        .group_by("period", "prison", "residence").agg(pl.len().cast(pl.Int64).alias("releases"))
    )
    prison_totals = flows.group_by("period", "prison").agg(pl.col("releases").sum()) \
        .with_columns(pl.lit(ALL).alias("residence"))
    la_totals = flows.group_by("period", "residence").agg(pl.col("releases").sum()) \
        .with_columns(pl.lit(ALL).alias("prison"))
    published = values.filter(
        (pl.col("kpi_id") == MARGIN_KPI) & (pl.col("period_type") == "year")
        & (pl.col("breakdown") == ALL)
    ).select(
        "period", "area_code",
        (pl.col("denominator").is_null() & (pl.col("status") != "immature"))
        .alias("_hidden_in_kpis"),
    )
    cells = pl.concat([flows, prison_totals, la_totals], how="diagonal").with_columns(
        pl.when(pl.col("residence") == ALL).then(pl.col("prison"))
        .when(pl.col("prison") == ALL).then(pl.col("residence")).alias("_margin_code")
    ).join(published, left_on=["period", "_margin_code"], right_on=["period", "area_code"],
           how="left")
    # Cells are numbered in key order: secondary suppression breaks ties by that number, and a
    # group_by's row order differs from run to run (the same input must hide the same cells).
    cells = cells.sort("period", "prison", "residence")
    cells = cells.with_row_index(disclosure.CELL).with_columns(
        pl.col(disclosure.CELL).cast(pl.Int64),
        (disclosure.is_small(pl.col("releases")) | pl.col("_hidden_in_kpis").fill_null(False))
        .alias("hidden"),
    )
    groups = [
        disclosure.Membership("LAs of residence within a prison", ("period", "prison"),
                              pl.col("residence") == ALL, pl.col("residence") != ALL),
        disclosure.Membership("prisons within an LA of residence", ("period", "residence"),
                              pl.col("prison") == ALL, pl.col("prison") != ALL),
    ]
    cells = disclosure.protect(cells, "releases", "hidden", groups)
    names = {code: reference.area_name(code) for code in reference.LA_BY_CODE} | {
        OUTSIDE_LONDON: "Outside London", UNKNOWN: "Not known", ALL: "All"}
    prisons = {p.code: reference.area_name(p.code) for p in reference.PRISONS} | {ALL: "All"}
    return cells.select(
        "period", "prison",
        pl.col("prison").replace_strict(prisons, return_dtype=pl.String).alias("prison_name"),
        "residence",
        pl.col("residence").replace_strict(names, return_dtype=pl.String)
        .alias("residence_name"),
        pl.when(~pl.col("hidden")).then(pl.col("releases")).alias("releases"),
        pl.when(pl.col("hidden")).then(pl.lit("suppressed")).otherwise(pl.lit("published"))
        .alias("status"),
    ).sort("period", "prison", "residence")


def engagement_curve(journeys: pl.DataFrame, cutoff: date) -> pl.DataFrame:
    """London's cumulative share engaged by each week after release, per financial year, among
    the releases continuity of care counts (its day 21 is London's coc_21d for the year).

    A point is published only when it and its difference from the previous published point
    are 0 or at least 5, so no small count can be found by subtracting two points.
    """
    # The same releases as continuity of care's denominator, so day 21 is London's coc_21d.
    london = journeys.filter(pl.col("residence_la").is_in(list(reference.LA_BY_CODE))
                             & pl.col("coc_eligible"))
    fy = kpis.fy_label(kpis.fy_start_year(pl.col("release_date")))
    rows = []
    for (period,), group in london.group_by(fy.alias("period"), maintain_order=True):
        start, end = kpis.period_bounds(period)
        days = group.get_column("days_to_engagement")
        releases = group.height
        last_shown = 0
        for day in CURVE_DAYS:
            mature = date.fromordinal(end.toordinal() + day) <= cutoff
            engaged = int((days <= day).sum())
            step = engaged - last_shown
            shown = mature and not disclosure.SMALL_MIN <= engaged <= disclosure.SMALL_MAX and (
                step == 0 or step > disclosure.SMALL_MAX) and releases > disclosure.SMALL_MAX
            if shown:
                last_shown = engaged
            rows.append({
                "period": period, "day": day, "releases": releases if shown else None,
                "engaged": engaged if shown else None,
                "percent": 100 * engaged / releases if shown else None,
                "status": "published" if shown else ("suppressed" if mature else "immature"),
            })
    return pl.DataFrame(rows, schema={
        "period": pl.String, "day": pl.Int64, "releases": pl.Int64, "engaged": pl.Int64,
        "percent": pl.Float64, "status": pl.String,
    }).sort("period", "day")


def published_tables(staged: dict[str, Staged], cutoff: date | None,
                     progress: Progress) -> dict[str, pl.DataFrame]:
    tables = reference_tables()
    for name in NON_PERSONAL_EXTRACTS:
        if name in staged:
            tables[name] = staged[name].good.drop(FILE_COLUMN, ROW_COLUMN).with_columns(
                pl.col(pl.Categorical).cast(pl.String))
    releases = staged["prison_releases"].good
    episodes = staged["community_episodes"].good
    if cutoff is None or releases.is_empty():
        tables["kpi_values"] = pl.DataFrame(schema=kpis.KPI_VALUES_SCHEMA)
        return tables

    done = progress.step("journeys", "linking journeys")
    # Staged code columns are categories; the aggregates below work on plain text.
    journeys = link_journeys(releases, episodes).with_columns(
        pl.col(pl.Categorical).cast(pl.String))
    done(f"{journeys.height:,} releases linked")

    done = progress.step("kpis", "computing KPIs, statistics and disclosure control")
    comparators = staged["comparators"].good if "comparators" in staged else None
    values = kpis.kpi_values(journeys, cutoff, comparators)
    tables["kpi_values"] = values
    tables["release_flows"] = release_flows(journeys, values)
    tables["engagement_curve"] = engagement_curve(journeys, cutoff)
    done(f"{values.height:,} KPI rows")
    return tables
