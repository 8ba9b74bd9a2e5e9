"""An independent audit of disclosure control (§6) over a published warehouse.

Written separately from pipelines.disclosure so the two can disagree: it reads only what is
published and reports every way a hidden cell could be recovered by subtraction, or a small count
seen directly. Returns a list of problems (empty when the warehouse is safe).
"""

from __future__ import annotations

import duckdb
import polars as pl

SMALL = (1, 4)
SUBREGION_OF = """
    select code as area_code, subregion from ref_local_authorities
"""


def _small(column: str) -> pl.Expr:
    return pl.col(column).is_between(*SMALL)


def _check_groups(cells: pl.DataFrame, value: str, keys: list[str], total: pl.Expr,
                  part: pl.Expr, label: str, link: tuple[str, str] | None = None) -> list[str]:
    """Groups of (total, parts): flag those with exactly one hidden member."""
    linked = [pl.col(link[1]).alias("_link")] if link else []
    totals = cells.filter(total).select(*keys, *linked,
                                        pl.col(value).is_null().alias("_total_hidden"))
    parts = cells.filter(part).select(*keys, *([pl.col(link[0]).alias("_link")] if link else []),
                                      pl.col(value).is_null().alias("_hidden"))
    on = [*keys, "_link"] if link else keys
    grouped = parts.group_by(on).agg(pl.col("_hidden").sum().alias("_hidden_parts"),
                                     pl.len().alias("_parts"))
    joined = totals.join(grouped, on=on, how="inner", nulls_equal=True)
    bad = joined.filter(
        (pl.col("_hidden_parts") + pl.col("_total_hidden").cast(pl.Int64)) == 1
    )
    return [f"{label}: {value} recoverable in group {row}" for row in bad.head(5).to_dicts()]


def _hierarchies(cells: pl.DataFrame, value: str, prefix: list[str]) -> list[str]:
    problems: list[str] = []
    area_keys = [*prefix, "period", "breakdown", "category"]
    problems += _check_groups(cells, value, area_keys, pl.col("area_type") == "london",
                              pl.col("area_type") == "la", "LAs within London")
    problems += _check_groups(cells, value, area_keys, pl.col("area_type") == "london",
                              pl.col("area_type") == "subregion", "sub-regions within London")
    problems += _check_groups(cells, value, area_keys, pl.col("area_type") == "subregion",
                              pl.col("area_type") == "la", "LAs within sub-regions",
                              link=("subregion", "area_code"))
    problems += _check_groups(
        cells, value, [*prefix, "area_type", "area_code", "breakdown", "category"],
        pl.col("period_type") == "year", pl.col("period_type") == "quarter",
        "quarters within a year", link=("year_of_quarter", "period"))
    for breakdown in cells.get_column("breakdown").unique().to_list():
        if breakdown == "all":
            continue
        problems += _check_groups(
            cells, value, [*prefix, "period", "area_type", "area_code"],
            pl.col("breakdown") == "all", pl.col("breakdown") == breakdown,
            f"categories of {breakdown}")
    # A published 3-year rolling total with exactly one hidden year in its window.
    series = [*prefix, "area_type", "area_code", "breakdown", "category"]
    # A year with no row had no releases: a known zero, not a hidden cell.
    years = cells.filter(pl.col("period_type") == "year").select(
        *series, "period", pl.col(value).is_null().alias("_year_hidden"))
    first_year = pl.col("period").str.slice(0, 4).cast(pl.Int32)
    windows = (
        cells.filter((pl.col("period_type") == "rolling_3y") & pl.col(value).is_not_null())
        .select(*series, pl.col("period").alias("window"),
                pl.int_ranges(first_year, first_year + 3).alias("_start"))
        .explode("_start")
        .with_columns(pl.format("{}/{}", pl.col("_start"),
                                ((pl.col("_start") + 1) % 100).cast(pl.String).str.zfill(2))
                      .alias("period"))
        .join(years, on=[*series, "period"], how="left", nulls_equal=True)
        .group_by(*series, "window").agg(pl.col("_year_hidden").fill_null(False).sum()
                                         .alias("_hidden"))
    )
    problems += [f"rolling {r}: one hidden year recoverable"
                 for r in windows.filter(pl.col("_hidden") == 1).head(5).to_dicts()]
    return problems


def audit(warehouse: str) -> list[str]:
    with duckdb.connect(warehouse, read_only=True) as con:
        values = con.sql("select * from kpi_values where area_type <> 'england'").pl()
        subregions = con.sql(SUBREGION_OF).pl()
        definitions = con.sql("select id as kpi_id, denominator_family from kpi_definitions").pl()
        flows = con.sql("select * from release_flows").pl()
        curve = con.sql("select * from engagement_curve").pl()
    problems: list[str] = []

    for column in ("numerator", "denominator"):
        small = values.filter(_small(column))
        problems += [f"kpi_values: published {column} {r[column]} in {r}"
                     for r in small.head(5).to_dicts()]
    for column, frame in (("releases", flows), ("engaged", curve), ("releases", curve)):
        problems += [f"published small count {r}" for r in frame.filter(_small(column)).head(5)
                     .to_dicts()]
    for period, group in curve.filter(pl.col("engaged").is_not_null()).group_by("period"):
        steps = group.sort("day").get_column("engaged").diff().drop_nulls()
        if steps.is_between(*SMALL).any():
            problems.append(f"engagement curve {period}: a small step between published points")

    cells = values.join(subregions, on="area_code", how="left").with_columns(
        pl.col("period").str.slice(0, 7).alias("year_of_quarter"),
    ).with_columns(
        # A hidden value: anything not published (suppressed or not yet available).
        pl.when(pl.col("status") == "published").then(pl.col("numerator")).alias("numerator")
    )
    problems += _hierarchies(cells, "numerator", ["kpi_id"])

    # Denominators are shared across KPIs of one family: one published anywhere is published.
    dens = (
        cells.join(definitions, on="kpi_id")
        .group_by("denominator_family", "period", "period_type", "area_type", "area_code",
                  "subregion", "breakdown", "category", "year_of_quarter")
        .agg(pl.col("denominator").max())
    )
    problems += _hierarchies(dens, "denominator", ["denominator_family"])

    # Two-way release flows, with margins as published in kpi_values.
    margins = values.filter((pl.col("kpi_id") == "pre_release_contact")
                            & (pl.col("period_type") == "year") & (pl.col("breakdown") == "all"))
    flow_cells = flows.join(
        margins.select("period", pl.col("area_code").alias("_code"),
                       pl.col("denominator").alias("_margin"), pl.lit(True).alias("_found")),
        left_on=["period", pl.when(pl.col("prison") == "all").then(pl.col("residence"))
                 .when(pl.col("residence") == "all").then(pl.col("prison"))],
        right_on=["period", "_code"], how="left",
    ).with_columns(
        pl.when(pl.col("_found")).then(pl.col("_margin")).otherwise(pl.col("releases"))
        .alias("releases")
    )
    leaked = flow_cells.filter(pl.col("_found") & pl.col("_margin").is_null()
                               & (pl.col("status") == "published"))
    problems += [f"release_flows margin published but hidden in kpi_values: {r}"
                 for r in leaked.head(5).to_dicts()]
    problems += _check_groups(flow_cells, "releases", ["period", "prison"],
                              pl.col("residence") == "all", pl.col("residence") != "all",
                              "residences within a prison")
    problems += _check_groups(flow_cells, "releases", ["period", "residence"],
                              pl.col("prison") == "all", pl.col("prison") != "all",
                              "prisons within a residence")
    return problems
