"""The disclosure audit (DESIGN §6, issue 9): an attack on the published count tables.

Written without reading the pipeline's suppression code, so the two can disagree. It sees only
what is about to be published (`kpi_values`, `release_flows`, `engagement_curve`, the `ref_*`
tables and `kpi_definitions`) and plays the attacker of §6: every published count, every
additive relation between counts, non-negative integers, numerator <= denominator, what the
presence of a row tells, and the notes. For every hidden count it bounds the values consistent
with all of that; a hidden count is *exposed* when that range is a single value or cannot reach
5. With the warehouse being replaced (`previous`) both publications are attacked together.

Method: each count is a variable (published ones fixed), each relation a row of a sparse linear
system. Interval propagation to a fixpoint proves most exposures; a cell it leaves open is
decided by linear programming (scipy's HiGHS) on the LP relaxation, as tau-Argus does: vertex
solutions of "maximise / minimise the sum of the cells not yet witnessed" are harvested as
witnesses, and only the cells still open get their own max and min over their component.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from pipelines.definitions import periods as period_labels
from pipelines.definitions import registry
from pipelines.definitions.published import (
    ENGLAND,
    IMMATURE,
    LA,
    LONDON,
    PRISON,
    SUBREGION,
    SUPPRESSED,
)

SMALL_MAX = 4  # counts 1..4 are small
SAFE_MIN = SMALL_MAX + 1  # a hidden count's range must reach this
CAP = 1e8  # stands in for "no upper bound" (no count in this product comes near it)
EPS = 1e-6
MAX_PASSES = 200  # propagation passes; bounds stay valid if it stops early
HARVEST_ROUNDS = 6
LP_MAX_VARS = 20_000  # larger components get propagation only (counted as unsettled)
LP_SECONDS = 30.0  # CPU seconds for the LP stage; cells still open then count as unsettled
RELEASES_FAMILY = "releases"  # the denominator family whose counts are the releases
ALL = "all"
# The engagement curve's point at this day is the London, all-releases numerator of this KPI.
CURVE_KPI_AT_DAY = {21: registry.PRIMARY_KPI}
SMALL_NOTE_WORD = "small"
DERIVED_FIGURES = ("value", "lower_95", "upper_95", "lower_998", "upper_998")
CONTRADICTION = "contradict the audit's model"
AUDITED_TABLES = ("kpi_values", "release_flows", "engagement_curve")
EXPOSED_SCHEMA = {"build": pl.String, "table": pl.String, "kind": pl.String, "key": pl.String,
                  "low": pl.Int64, "high": pl.Int64, "found_by": pl.String}
COUNT_SCHEMA = {"build": pl.String, "table": pl.String, "kind": pl.String, "hidden": pl.Int64,
                "exposed": pl.Int64}


class DisclosureError(Exception):
    """The figures about to be published expose a hidden count; the message names them."""


@dataclass
class AuditReport:
    """Every exposed hidden count with its feasible range, and what was audited."""

    exposed: pl.DataFrame
    counts: pl.DataFrame  # hidden and exposed cells by build, table and kind
    seconds: dict[str, float]
    lp_solves: int
    unsettled: int  # open cells the LP stage could not settle (component too large, or time)
    warnings: list[str] = field(default_factory=list)
    method: str = "interval propagation, then LP relaxation (HiGHS) per cell left open"

    @property
    def passed(self) -> bool:
        return self.exposed.is_empty() and not self.warnings

    def summary(self, first: int = 10) -> str:
        hidden = int(self.counts.get_column("hidden").sum()) if self.counts.height else 0
        lines = [
            f"Disclosure audit: {hidden:,} hidden counts audited, {self.exposed.height:,} exposed; "
            f"{sum(self.seconds.values()):.1f} s ({self.lp_solves} LP solves; {self.method}).",
        ]
        if self.unsettled:
            lines.append(f"  {self.unsettled:,} hidden counts were neither shown safe nor "
                         "exposed by the LP stage (component too large or out of time)")
        for row in self.counts.filter(pl.col("exposed") > 0).iter_rows(named=True):
            lines.append(f"  {row['build']} {row['table']} {row['kind']}: {row['exposed']:,} of "
                         f"{row['hidden']:,} hidden counts exposed")
        lines += [f"  warning: {w}" for w in self.warnings]
        for row in self.exposed.head(first).iter_rows(named=True):
            lines.append(f"  exposed: {describe(row)}")
        if self.exposed.height > first:
            lines.append(f"  ... and {self.exposed.height - first:,} more")
        return "\n".join(lines)


def describe(row: Mapping) -> str:
    low, high = row["low"], row["high"]
    span = f"exactly {low}" if low == high else f"between {low} and {high}"
    build = "" if row["build"] == "current" else f" [{row['build']} build]"
    return f"{row['table']} {row['kind']} {row['key']}{build}: {span} ({row['found_by']})"


# ---------------------------------------------------------------- the model

@dataclass
class _Model:
    cells: pl.DataFrame  # id, build, table, kind, key, match, value, lo, hi, audited, final
    eq: pl.DataFrame  # rel, var, coef: sum(coef * x) == 0 per rel
    ub: pl.DataFrame  # rel, var, coef: sum(coef * x) <= 0 per rel
    eq_names: list[str]
    ub_names: list[str]
    warnings: list[str]


class _Builder:
    """Collects cells and relations; ids are global row numbers of the cell frame."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []
        self.next_id = 0
        self.eq: list[pl.DataFrame] = []
        self.ub: list[pl.DataFrame] = []
        self.eq_names: list[str] = []
        self.ub_names: list[str] = []
        self.warnings: list[str] = []
        self.twins: list[pl.DataFrame] = []

    def add_cells(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` holds the cell columns; returns it with an `id` column."""
        frame = frame.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + self.next_id).alias("id"))
        self.next_id += frame.height
        self.frames.append(frame)
        return frame

    def _relation(self, kind: str, name: str, rows: pl.DataFrame) -> None:
        """`rows`: local (rel, var, coef); relation numbers made global."""
        store, names = (self.eq, self.eq_names) if kind == "eq" else (self.ub, self.ub_names)
        offset = len(names)
        count = int(rows.get_column("rel").max()) + 1 if rows.height else 0
        store.append(rows.select(
            (pl.col("rel").cast(pl.Int64) + offset).alias("rel"),
            pl.col("var").cast(pl.Int64), pl.col("coef").cast(pl.Float64)))
        names.extend([name] * count)

    def sums(self, name: str, totals: pl.DataFrame, parts: pl.DataFrame,
             keys: list[str]) -> None:
        """total == sum of its parts, for every total (id column) and parts joined on keys.

        Only totals with a part present: a level not published for some slice says nothing.
        """
        totals = totals.select(*keys, "id").join(parts.select(keys).unique(), on=keys,
                                                 how="semi", nulls_equal=True)
        if totals.is_empty():
            return
        totals = totals.with_row_index("rel")
        joined = parts.select(*keys, "id").join(totals.select(*keys, "rel"), on=keys,
                                                 how="inner", nulls_equal=True)
        rows = pl.concat([
            totals.select("rel", pl.col("id").alias("var"), pl.lit(1.0).alias("coef")),
            joined.select("rel", pl.col("id").alias("var"), pl.lit(-1.0).alias("coef")),
        ])
        self._relation("eq", name, rows)

    def pairs(self, name: str, kind: str, left: pl.Series, right: pl.Series,
              twins: bool = False) -> None:
        """left == right (kind eq) or left <= right (kind ub), element-wise. `twins`: the two
        are one count shown in two places, so where one shows it the other hides no secret."""
        n = len(left)
        if twins:
            self.twins.append(pl.DataFrame({"a": left, "b": right}))
        if not n:
            return
        rel = pl.int_range(n, eager=True, dtype=pl.Int64)
        rows = pl.concat([
            pl.DataFrame({"rel": rel, "var": left, "coef": pl.repeat(1.0, n, eager=True)}),
            pl.DataFrame({"rel": rel, "var": right, "coef": pl.repeat(-1.0, n, eager=True)}),
        ])
        self._relation(kind, name, rows)

    def model(self) -> _Model:
        empty = pl.DataFrame(schema={"rel": pl.Int64, "var": pl.Int64, "coef": pl.Float64})
        cells = pl.concat(self.frames, how="diagonal_relaxed")
        if self.twins:
            pairs = pl.concat(self.twins).cast(pl.Int64)
            pairs = pl.concat([pairs, pairs.select(pl.col("b").alias("a"), pl.col("a").alias("b"))])
            shown = cells.select(pl.col("id").alias("b"), pl.col("value").is_not_null().alias("s"))
            elsewhere = pairs.join(shown, on="b").filter("s").get_column("a")
            cells = cells.with_columns(
                (pl.col("audited") & ~pl.col("id").is_in(elsewhere.implode())).alias("audited"))
        return _Model(
            cells,
            pl.concat(self.eq) if self.eq else empty,
            pl.concat(self.ub) if self.ub else empty,
            self.eq_names, self.ub_names, self.warnings,
        )


def _cell_frame(frame: pl.DataFrame, build: str, table: str, kind: str, key: pl.Expr,
                match: pl.Expr, value: str, audited: pl.Expr, lo: pl.Expr,
                hi: pl.Expr, period_end: pl.Expr, final: pl.Expr, extra: list[str]) -> pl.DataFrame:
    known = pl.col(value).is_not_null()
    return frame.select(
        *extra,
        pl.lit(build).alias("build"), pl.lit(table).alias("table"), pl.lit(kind).alias("kind"),
        key.alias("key"), pl.concat_str(pl.lit(f"{table}|{kind}|"), match).alias("match"),
        pl.col(value).cast(pl.Float64).alias("value"),
        (audited & ~known).alias("audited"),
        pl.when(known).then(pl.col(value).cast(pl.Float64)).otherwise(lo.cast(pl.Float64))
        .alias("lo"),
        pl.when(known).then(pl.col(value).cast(pl.Float64)).otherwise(hi.cast(pl.Float64))
        .alias("hi"),
        period_end.alias("period_end"),
        final.alias("final"),
    )


def _note_rules(values: pl.DataFrame) -> tuple[pl.Expr, pl.Expr, list[str]]:
    """What the notes on suppressed rows tell: (says small, says not small, warnings).

    One note for every hidden cell tells nothing. When the notes differ, a note that speaks of a
    small count tells the attacker the numerator is at most 4; any other suppression note then
    tells that neither the numerator nor the denominator is small.
    """
    notes = values.filter(pl.col("status") == SUPPRESSED).get_column("note").drop_nulls() \
        .unique().to_list()
    if len(notes) < 2:
        return pl.lit(False), pl.lit(False), []
    small = [n for n in notes if SMALL_NOTE_WORD in n.lower()]
    says_small = pl.col("note").is_in(small) & (pl.col("status") == SUPPRESSED)
    says_other = ~pl.col("note").is_in(small) & (pl.col("status") == SUPPRESSED)
    return says_small, says_other, [
        f"kpi_values: the notes on suppressed cells differ ({len(notes)} texts), so they tell "
        "which hidden counts are small"]


def _kpi_cells(b: _Builder, tables: Mapping[str, pl.DataFrame], build: str,
               zeros_shown: bool, cutoff) -> tuple[pl.DataFrame, pl.DataFrame]:
    values = tables["kpi_values"].filter(pl.col("area_type") != ENGLAND)
    families = tables["kpi_definitions"].select(pl.col("id").alias("kpi_id"),
                                                "denominator_family")
    subregion = tables["ref_local_authorities"].select(pl.col("code").alias("area_code"),
                                                       pl.col(SUBREGION).alias("_sub"))
    names = values.select("area_code", "area_name").unique("area_code")
    values = values.join(families, on="kpi_id", how="left").join(
        subregion, on="area_code", how="left"
    ).with_columns(
        pl.when(pl.col("area_type") == LA).then(pl.col("_sub")).alias("_sub"),
        period_labels.financial_year_expr(pl.col("period")).alias("_fy"),
    )
    says_small, says_other, warnings = _note_rules(values)
    figures = [c for c in DERIVED_FIGURES if c in values.columns]
    leaked = values.filter(pl.col("numerator").is_null()
                           & pl.any_horizontal(pl.col(c).is_not_null() for c in figures)) \
        if figures else values.clear()
    if leaked.height:
        warnings.append(f"kpi_values: {leaked.height:,} rows show a rate or interval for a "
                        "hidden numerator, which gives it away with the denominator")
    if build == "current":
        b.warnings.extend(warnings)
    where = pl.format("{} · {} · {}", pl.col("period"), pl.col("area_name"),
                      pl.when(pl.col("breakdown") == ALL).then(pl.lit("all releases"))
                      .otherwise(pl.format("{}={}", pl.col("breakdown"), pl.col("category"))))
    cell_keys = ["period", "period_type", "area_type", "area_code", "breakdown", "category",
                 "_sub", "_fy"]
    structure = pl.concat_str([pl.col(c) for c in cell_keys[:6]], separator="|")
    final = pl.lit(True) if cutoff is None else pl.col("period_end") <= pl.lit(cutoff)

    # Denominators: one per family and cell, published if any row publishes it.
    dens = values.group_by("denominator_family", *cell_keys).agg(
        pl.col("denominator").drop_nulls().first().alias("denominator"),
        pl.col("denominator").drop_nulls().n_unique().alias("_versions"),
        (pl.col("status") == SUPPRESSED).any().alias("_suppressed"),
        (says_other.any()).alias("_not_small"),
        pl.col("period_end").first(),
    ).join(names, on="area_code", how="left").sort("denominator_family", *cell_keys[:6])
    if dens.filter(pl.col("_versions") > 1).height:
        b.warnings.append("kpi_values: one denominator is published with different values")
    dens = b.add_cells(_cell_frame(
        dens, build, "kpi_values", "denominator",
        pl.format("{} · {}", pl.col("denominator_family"), where),
        pl.concat_str(pl.col("denominator_family"), structure, separator="|"),
        "denominator", pl.col("_suppressed"),
        # A row exists only when its denominator is above 0; "not small" notes say 5 or more.
        pl.when(pl.col("_not_small")).then(SAFE_MIN).otherwise(1), pl.lit(CAP),
        pl.col("period_end"), final,
        ["denominator_family", *cell_keys],
    ))

    nums = values.join(
        dens.select("denominator_family", *cell_keys, pl.col("id").alias("_den"),
                    pl.col("value").is_not_null().alias("_den_shown")),
        on=["denominator_family", *cell_keys], how="left", nulls_equal=True,
    ).sort("kpi_id", *cell_keys[:6])
    floor = 1 if zeros_shown else 0
    nums = b.add_cells(_cell_frame(
        nums, build, "kpi_values", "numerator",
        pl.format("{} · {}", pl.col("kpi_id"), where),
        pl.concat_str(pl.col("kpi_id"), structure, separator="|"),
        "numerator", pl.col("status") == SUPPRESSED,
        # True zeros are shown: a count hidden beside a published denominator is at least 1.
        pl.when((pl.col("status") == SUPPRESSED) & pl.col("_den_shown"))
        .then(pl.when(says_other).then(floor * SAFE_MIN).otherwise(floor)).otherwise(0),
        pl.when(says_small).then(SMALL_MAX).otherwise(CAP),
        pl.col("period_end"),
        final & (pl.col("status") != IMMATURE),
        ["kpi_id", "denominator_family", "_den", *cell_keys],
    ))
    for prefix, frame in (("kpi_id", nums), ("denominator_family", dens)):
        _hierarchies(b, frame, prefix)
    b.pairs("numerator <= denominator", "ub", nums.get_column("id"), nums.get_column("_den"))
    known = dens.filter(pl.col("denominator_family") != RELEASES_FAMILY)
    releases = dens.filter(pl.col("denominator_family") == RELEASES_FAMILY)
    linked = known.join(releases.select(*cell_keys, pl.col("id").alias("_rel")), on=cell_keys,
                        how="inner", nulls_equal=True)
    b.pairs("denominator <= releases", "ub", linked.get_column("id"), linked.get_column("_rel"))
    return nums, dens


def _hierarchies(b: _Builder, cells: pl.DataFrame, prefix: str) -> None:
    area = pl.col("area_type")
    keys = [prefix, "period", "breakdown", "category"]
    what = "numerators" if prefix == "kpi_id" else "denominators"
    b.sums(f"LAs in London ({what})", cells.filter(area == LONDON), cells.filter(area == LA),
           keys)
    b.sums(f"sub-regions in London ({what})", cells.filter(area == LONDON),
           cells.filter(area == SUBREGION), keys)
    b.sums(f"LAs in sub-regions ({what})",
           cells.filter(area == SUBREGION).with_columns(pl.col("area_code").alias("_sub")),
           cells.filter(area == "la"), [*keys, "_sub"])
    b.sums(f"quarters in a year ({what})", cells.filter(pl.col("period_type") == "year"),
           cells.filter(pl.col("period_type") == "quarter"),
           [prefix, "area_type", "area_code", "breakdown", "category", "_fy"])
    for breakdown in cells.get_column("breakdown").unique().sort().to_list():
        if breakdown == ALL:
            continue
        b.sums(f"categories of {breakdown} ({what})", cells.filter(pl.col("breakdown") == ALL),
               cells.filter(pl.col("breakdown") == breakdown),
               [prefix, "period", "area_type", "area_code"])
    rolling = cells.filter(pl.col("period_type") == "rolling_3y")
    if rolling.height:
        windows = rolling.select("period").unique().with_columns(
            pl.col("period").map_elements(_window_years, return_dtype=pl.List(pl.String))
            .alias("_year")).explode("_year")
        parts = cells.filter(pl.col("period_type") == "year").rename({"period": "_year"}).join(
            windows, on="_year", how="inner")
        b.sums(f"years in a 3-year window ({what})", rolling, parts,
               [prefix, "period", "area_type", "area_code", "breakdown", "category"])


def _window_years(label: str) -> list[str]:
    return list(period_labels.window_years(label))


def _flow_cells(b: _Builder, tables: Mapping[str, pl.DataFrame], build: str, dens: pl.DataFrame,
                cutoff) -> None:
    flows = tables.get("release_flows")
    if flows is None or flows.is_empty():
        return
    ends = {p: period_labels.bounds(p)[1] for p in flows.get_column("period").unique().to_list()}
    flows = flows.with_columns(
        pl.col("period").replace_strict(ends, return_dtype=pl.Date).alias("_end"))
    final = pl.lit(True) if cutoff is None else pl.col("_end") <= pl.lit(cutoff)
    cells = b.add_cells(_cell_frame(
        flows.sort("period", "prison", "residence"), build, "release_flows", "releases",
        pl.format("{} · {} → {}", pl.col("period"), pl.col("prison_name"),
                  pl.col("residence_name")),
        pl.concat_str("period", "prison", "residence", separator="|"),
        "releases", pl.col("status") == SUPPRESSED, pl.lit(1), pl.lit(CAP), pl.col("_end"),
        final, ["period", "prison", "residence"],
    ))
    inner = cells.filter((pl.col("prison") != ALL) & (pl.col("residence") != ALL))
    b.sums("LAs of residence within a prison (release_flows)",
           cells.filter((pl.col("residence") == ALL) & (pl.col("prison") != ALL)), inner,
           ["period", "prison"])
    b.sums("prisons within an LA of residence (release_flows)",
           cells.filter((pl.col("prison") == ALL) & (pl.col("residence") != ALL)), inner,
           ["period", "residence"])
    # Every release, counted once by prison and once by residence: a grand total per year.
    periods = cells.select("period").unique().sort("period")
    grand = b.add_cells(periods.select(
        "period", pl.lit(build).alias("build"), pl.lit("release_flows").alias("table"),
        pl.lit("grand total").alias("kind"), pl.format("{} · all releases", "period").alias("key"),
        pl.lit(None, dtype=pl.String).alias("match"), pl.lit(None, dtype=pl.Float64)
        .alias("value"), pl.lit(False).alias("audited"), pl.lit(0.0).alias("lo"),
        pl.lit(CAP).alias("hi"), pl.lit(False).alias("final")))
    b.sums("prison margins (release_flows)", grand,
           cells.filter((pl.col("residence") == ALL) & (pl.col("prison") != ALL)), ["period"])
    b.sums("residence margins (release_flows)", grand,
           cells.filter((pl.col("prison") == ALL) & (pl.col("residence") != ALL)), ["period"])
    # The margins are kpi_values' release counts by prison and by LA.
    margin_dens = dens.filter(
        (pl.col("denominator_family") == RELEASES_FAMILY) & (pl.col("period_type") == "year")
        & (pl.col("breakdown") == ALL) & pl.col("area_type").is_in([LA, PRISON]))
    margins = cells.filter((pl.col("prison") == ALL) != (pl.col("residence") == ALL)).select(
        "period", pl.when(pl.col("prison") == ALL).then(pl.col("residence"))
        .otherwise(pl.col("prison")).alias("area_code"), "id",
    ).join(margin_dens.select("period", "area_code", pl.col("id").alias("_den")),
           on=["period", "area_code"], how="inner")
    b.pairs("release_flows margins = kpi_values releases", "eq", margins.get_column("id"),
            margins.get_column("_den"), twins=True)


def _curve_cells(b: _Builder, tables: Mapping[str, pl.DataFrame], build: str,
                 nums: pl.DataFrame, dens: pl.DataFrame, cutoff) -> None:
    curve = tables.get("engagement_curve")
    if curve is None or curve.is_empty():
        return
    ends = {p: period_labels.bounds(p)[1] for p in curve.get_column("period").unique().to_list()}
    curve = curve.sort("period", "day").with_columns(
        pl.col("period").replace_strict(ends, return_dtype=pl.Date).alias("_end"))
    final = pl.lit(True) if cutoff is None else pl.col("_end") <= pl.lit(cutoff)
    engaged = b.add_cells(_cell_frame(
        curve, build, "engagement_curve", "engaged",
        pl.format("London {} · engaged by day {}", pl.col("period"), pl.col("day")),
        pl.concat_str("period", pl.col("day").cast(pl.String), separator="|"),
        "engaged", pl.col("status") == SUPPRESSED, pl.lit(0), pl.lit(CAP), pl.col("_end"),
        final & (pl.col("status") != IMMATURE), ["period", "day"],
    ))
    shown = curve.group_by("period").agg(pl.col("releases").drop_nulls().first(),
                                         (pl.col("status") == SUPPRESSED).any().alias("_s"),
                                         pl.col("_end").first()).sort("period")
    releases = b.add_cells(_cell_frame(
        shown, build, "engagement_curve", "releases",
        pl.format("London {} · releases", pl.col("period")), pl.col("period"), "releases",
        pl.col("_s"), pl.lit(1), pl.lit(CAP), pl.col("_end"), final, ["period"]))
    # The curve counts the releases of the KPI it meets at day 21 (its denominator family).
    family = tables["kpi_definitions"].filter(
        pl.col("id").is_in(list(CURVE_KPI_AT_DAY.values()))).get_column("denominator_family")
    base = family.item(0) if family.len() else RELEASES_FAMILY
    london = dens.filter((pl.col("denominator_family") == base)
                         & (pl.col("area_type") == LONDON) & (pl.col("period_type") == "year")
                         & (pl.col("breakdown") == ALL))
    tied = releases.join(london.select("period", pl.col("id").alias("_den")), on="period")
    b.pairs(f"curve releases = London {base}", "eq", tied.get_column("id"),
            tied.get_column("_den"), twins=True)
    steps = engaged.with_columns(pl.col("id").shift(-1).over("period").alias("_next")) \
        .drop_nulls("_next")
    b.pairs("curve is cumulative", "ub", steps.get_column("id"), steps.get_column("_next"))
    last = engaged.group_by("period").agg(pl.col("id").last()).join(
        releases.select("period", pl.col("id").alias("_rel")), on="period")
    b.pairs("engaged <= releases", "ub", last.get_column("id"), last.get_column("_rel"))
    for day, kpi in CURVE_KPI_AT_DAY.items():
        points = engaged.filter(pl.col("day") == day).join(
            nums.filter((pl.col("kpi_id") == kpi) & (pl.col("area_type") == LONDON)
                        & (pl.col("period_type") == "year") & (pl.col("breakdown") == ALL))
            .select("period", pl.col("id").alias("_num")), on="period")
        b.pairs(f"curve at day {day} = London {kpi}", "eq", points.get_column("id"),
                points.get_column("_num"), twins=True)


def _cutoff(tables: Mapping[str, pl.DataFrame]):
    info = tables.get("build_info")
    if info is None or info.is_empty() or "data_cutoff" not in info.columns:
        return None
    return info.get_column("data_cutoff")[0]


def _add_build(b: _Builder, tables: Mapping[str, pl.DataFrame], build: str,
               zeros_shown: bool) -> None:
    cutoff = _cutoff(tables)
    nums, dens = _kpi_cells(b, tables, build, zeros_shown, cutoff)
    _flow_cells(b, tables, build, dens, cutoff)
    _curve_cells(b, tables, build, nums, dens, cutoff)


# ---------------------------------------------------------------- solving

@dataclass
class _System:
    eq: sparse.csr_matrix
    ub: sparse.csr_matrix
    lo: np.ndarray
    hi: np.ndarray


def _matrix(rows: pl.DataFrame, n_rows: int, n_vars: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (rows.get_column("coef").to_numpy(), (rows.get_column("rel").to_numpy(),
                                              rows.get_column("var").to_numpy())),
        shape=(n_rows, n_vars))


def _propagate(system: _System) -> tuple[np.ndarray, np.ndarray]:
    """Outer integer bounds by interval propagation over every relation, to a fixpoint.

    Each pass revisits only the relations touching a variable whose bounds moved in the last.
    """
    lo, hi = system.lo.copy(), system.hi.copy()
    matrices = [(system.eq, True), (system.ub, False)]
    active = [np.ones(m.shape[0], dtype=bool) for m, _ in matrices]
    for _ in range(MAX_PASSES):
        before_lo, before_hi = lo.copy(), hi.copy()
        for (matrix, is_eq), rows_on in zip(matrices, active, strict=True):
            chosen = np.flatnonzero(rows_on)
            if not len(chosen):
                continue
            coo = matrix[chosen].tocoo()
            rows, cols, coef, n_rows = coo.row, coo.col, coo.data, len(chosen)
            positive = coef > 0
            cmin = np.where(positive, coef * lo[cols], coef * hi[cols])
            cmax = np.where(positive, coef * hi[cols], coef * lo[cols])
            rest_min = np.bincount(rows, cmin, n_rows)[rows] - cmin
            # sum(coef x) <= 0: coef * x <= -rest_min
            upper = np.where(positive, -rest_min / coef, np.inf)
            lower = np.where(positive, -np.inf, -rest_min / coef)
            if is_eq:
                rest_max = np.bincount(rows, cmax, n_rows)[rows] - cmax
                # and coef * x >= -rest_max
                lower = np.maximum(lower, np.where(positive, -rest_max / coef, -np.inf))
                upper = np.minimum(upper, np.where(positive, np.inf, -rest_max / coef))
            np.maximum.at(lo, cols, np.ceil(lower - EPS))
            np.minimum.at(hi, cols, np.floor(upper + EPS))
        moved = (lo != before_lo) | (hi != before_hi)
        if not moved.any() or (lo > hi).any():
            break
        active = [abs(matrix) @ moved.astype(float) > 0 for matrix, _ in matrices]
    return lo, hi


def _exposed(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return (hi < SAFE_MIN - EPS) | (hi - lo < 1 - EPS)


class _LP:
    """LP relaxation of the cells left open by propagation, fixed cells folded in."""

    def __init__(self, system: _System, lo: np.ndarray, hi: np.ndarray) -> None:
        self.free = np.flatnonzero(lo < hi)
        fixed = lo.copy()
        fixed[self.free] = 0
        self.eq = system.eq[:, self.free].tocsr()
        self.b_eq = -(system.eq @ fixed)
        self.ub = system.ub[:, self.free].tocsr()
        self.b_ub = -(system.ub @ fixed)
        keep_eq = np.diff(self.eq.indptr) > 0
        keep_ub = np.diff(self.ub.indptr) > 0
        self.eq, self.b_eq = self.eq[keep_eq], self.b_eq[keep_eq]
        self.ub, self.b_ub = self.ub[keep_ub], self.b_ub[keep_ub]
        self.lo, self.hi = lo[self.free], hi[self.free]
        self.solves = 0
        pattern = sparse.vstack([abs(self.eq), abs(self.ub)]).tocsr()
        self.row_of_var = pattern.T.tocsr()
        self.pattern = pattern
        if len(self.free):
            _, self.component = connected_components(pattern.T @ pattern, directed=False)
        else:
            self.component = np.zeros(0, dtype=np.int64)

    def solve(self, cost: np.ndarray, subset: np.ndarray,
              context: np.ndarray | None = None) -> np.ndarray | None:
        """A vertex minimising cost over the variables in `subset`.

        Without `context`, `subset` is whole components, or only the relations inside it are
        kept (a relaxation). With `context` (values of every variable), the variables outside
        `subset` are held at those values: a restriction, so its solutions fit the whole system.
        """
        inside = np.zeros(len(self.free), dtype=bool)
        inside[subset] = True
        solved = []
        for matrix, rhs in ((self.eq, self.b_eq), (self.ub, self.b_ub)):
            pattern = abs(matrix)
            touching = pattern @ inside.astype(float) > 0
            if context is None:
                rows = np.flatnonzero(touching & (pattern @ (~inside).astype(float) == 0))
                solved.append((matrix[rows][:, subset], rhs[rows]))
            else:
                rows = np.flatnonzero(touching)
                outside = np.where(inside, 0.0, context)
                solved.append((matrix[rows][:, subset], rhs[rows] - matrix[rows] @ outside))
        (eq, b_eq), (ub, b_ub) = solved
        self.solves += 1
        result = linprog(cost[subset], A_ub=ub if ub.shape[0] else None,
                         b_ub=b_ub if ub.shape[0] else None,
                         A_eq=eq if eq.shape[0] else None, b_eq=b_eq if eq.shape[0] else None,
                         bounds=np.column_stack([self.lo[subset], self.hi[subset]]),
                         method="highs")
        return result.x if result.status == 0 else None


def _batches(component: np.ndarray, wanted: np.ndarray, limit: int) -> list[np.ndarray]:
    """Whole components holding a wanted variable, grouped into batches of about `limit`
    variables; components larger than `limit` are left out."""
    sizes = np.bincount(component)
    chosen = np.unique(component[wanted])
    chosen = chosen[sizes[chosen] <= limit]
    batches, current, size = [], [], 0
    for comp in chosen[np.argsort(sizes[chosen], kind="stable")]:
        current.append(comp)
        size += sizes[comp]
        if size >= limit:
            batches.append(np.flatnonzero(np.isin(component, current)))
            current, size = [], 0
    if current:
        batches.append(np.flatnonzero(np.isin(component, current)))
    return batches


def _objective(round_: int, left: np.ndarray) -> np.ndarray:
    """Costs whose optimal vertices witness the cells still open: first all as high as they
    go, then all as low, then random mixtures (seeded by the round, so runs repeat), because
    where open cells share a fixed total their plain sum cannot move them."""
    if round_ < 2:
        return (1.0 if round_ else -1.0) * left
    rng = np.random.default_rng(round_)
    return rng.choice([-1.0, 1.0], len(left)) * rng.uniform(0.5, 1.5, len(left)) * left


def _split_harvest(lp: _LP, group: np.ndarray, large: np.ndarray, unresolved, harvest,
                   cpu_started: float, budget: float) -> None:
    """Witnesses in components too large for one LP: solve the denominators (group 0) alone,
    then each KPI's numerators (one group each) with the denominators held there. Each
    solution is a restriction of the whole system, so what it shows is a true witness."""
    dens = np.flatnonzero(large & (group == 0))
    for round_ in range(2 * HARVEST_ROUNDS):
        if time.process_time() - cpu_started > budget or not (large & unresolved()).any():
            return
        sign = -1.0 if round_ % 2 == 0 else 1.0
        # Denominators as high (then as low) as they go leave numerators the most (least) room.
        cost = np.zeros(len(lp.free))
        cost[dens] = sign
        base = lp.solve(cost, dens) if len(dens) else np.zeros(0)
        if base is None:
            continue
        context = np.zeros(len(lp.free))
        context[dens] = base
        parts = [(base, dens)]
        for code in np.unique(group[large & (group > 0)]):
            if time.process_time() - cpu_started > budget:
                return
            members = np.flatnonzero(large & (group == code))
            cost = np.zeros(len(lp.free))
            cost[members] = _objective(round_, unresolved())[members]
            parts.append((lp.solve(cost, members, context), members))
        # Only a solution of every part is a solution of the whole.
        if all(x is not None for x, _ in parts):
            for x, members in parts:
                harvest(x, members)


def _decide(system: _System, audited: np.ndarray, group: np.ndarray, budget: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict, int, int]:
    """Low, high and how found per variable (exposed where found), timings, LP solves and
    the number of open cells the LP stage could not settle (too large or out of time)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    lo, hi = _propagate(system)
    seconds["propagation"] = time.perf_counter() - started
    found_by = np.full(len(lo), "", dtype=object)
    if (lo > hi).any():
        found_by[:] = CONTRADICTION
        return lo, hi, found_by, seconds, 0, 0
    proven = audited & _exposed(lo, hi)
    found_by[proven] = "interval propagation"
    open_ = audited & ~proven
    started, cpu_started = time.perf_counter(), time.process_time()
    low, high = lo.copy(), hi.copy()
    solves = unsettled = 0
    if open_.any():
        lp = _LP(system, lo, hi)
        seen_min = np.full(len(lp.free), np.inf)
        seen_max = np.full(len(lp.free), -np.inf)
        target = open_[lp.free]
        need_high = target & (lp.lo < SAFE_MIN)

        def harvest(x: np.ndarray | None, subset: np.ndarray) -> None:
            if x is not None:
                seen_min[subset] = np.minimum(seen_min[subset], x)
                seen_max[subset] = np.maximum(seen_max[subset], x)

        def unresolved() -> np.ndarray:
            high_ok = ~need_high | (seen_max >= SAFE_MIN - EPS)
            two_ok = seen_max - seen_min >= 1 - EPS
            return target & ~(high_ok & two_ok)

        for batch in _batches(lp.component, target, LP_MAX_VARS):
            stale = 0
            for round_ in range(2 * HARVEST_ROUNDS):
                left = unresolved()
                count = int(left[batch].sum())
                if not count or time.process_time() - cpu_started > budget:
                    break
                harvest(lp.solve(_objective(round_, left), batch), batch)
                stale = stale + 1 if int(unresolved()[batch].sum()) == count else 0
                if stale >= 2:
                    break
        sizes = np.bincount(lp.component)
        large = sizes[lp.component] > LP_MAX_VARS
        if (large & unresolved()).any():
            _split_harvest(lp, group[lp.free], large, unresolved, harvest, cpu_started, budget)
        for index in np.flatnonzero(unresolved()):
            if not unresolved()[index] or sizes[lp.component[index]] > LP_MAX_VARS:
                continue
            if time.process_time() - cpu_started > budget:
                break
            subset = np.flatnonzero(lp.component == lp.component[index])
            position = int(np.searchsorted(subset, index))
            cost = np.zeros(len(lp.free))
            cost[index] = -1.0
            top = lp.solve(cost, subset)
            cost[index] = 1.0
            bottom = lp.solve(cost, subset)
            harvest(top, subset)
            harvest(bottom, subset)
            variable = lp.free[index]
            if top is not None and bottom is not None:
                low[variable] = np.ceil(bottom[position] - EPS)
                high[variable] = np.floor(top[position] + EPS)
                if _exposed(low[variable:variable + 1], high[variable:variable + 1])[0]:
                    found_by[variable] = "linear programming"
        unsettled = int((unresolved() & (found_by[lp.free] == "")).sum())
        solves = lp.solves
    seconds["linear programming"] = time.perf_counter() - started
    return low, high, found_by, seconds, solves, unsettled


def _consistency(model: _Model, system: _System) -> list[str]:
    """Relations whose every term is published must hold: otherwise the model is wrong."""
    fixed = system.lo == system.hi
    value = np.where(fixed, system.lo, 0.0)
    out = []
    for matrix, names, is_eq in ((system.eq, model.eq_names, True),
                                 (system.ub, model.ub_names, False)):
        if not matrix.shape[0]:
            continue
        all_fixed = np.asarray(abs(matrix) @ (~fixed).astype(float)).ravel() == 0
        total = matrix @ value
        broken = all_fixed & ((np.abs(total) > EPS) if is_eq else (total > EPS))
        for name in sorted({names[i] for i in np.flatnonzero(broken)}):
            count = sum(1 for i in np.flatnonzero(broken) if names[i] == name)
            out.append(f"relation '{name}' does not hold among published figures ({count})")
    return out


def _run(model: _Model, budget: float) -> tuple[pl.DataFrame, dict, int, int, list[str]]:
    cells = model.cells
    n = cells.height
    system = _System(
        _matrix(model.eq, len(model.eq_names), n), _matrix(model.ub, len(model.ub_names), n),
        cells.get_column("lo").to_numpy().copy(), cells.get_column("hi").to_numpy().copy())
    warnings = model.warnings + _consistency(model, system)
    audited = cells.get_column("audited").to_numpy()
    kpi = pl.col("kpi_id") if "kpi_id" in cells.columns else pl.lit(None, dtype=pl.String)
    # LP groups for large components: 0 for denominators and other counts of releases, one per
    # KPI for its numerators (the engagement curve with the KPI it equals at a day).
    labels = cells.select(
        pl.when(pl.col("kind") == "numerator").then(kpi)
        .when(pl.col("kind") == "engaged").then(pl.lit(next(iter(CURVE_KPI_AT_DAY.values()))))
        .otherwise(pl.lit(None)).alias("g"))
    group = labels.get_column("g").cast(pl.Categorical).to_physical().fill_null(-1) \
        .to_numpy() + 1
    low, high, found_by, seconds, solves, unsettled = _decide(system, audited, group, budget)
    if (found_by == CONTRADICTION).any():
        warnings.append(f"the published figures {CONTRADICTION}: no values fit them all")
        found_by[:] = ""
    # A published count from 1 to 4 is exposed as it stands (primary suppression missed it).
    shown_small = (~cells.get_column("audited") & cells.get_column("value").is_between(
        1, SMALL_MAX).fill_null(False) & (cells.get_column("build") == "current")).to_numpy()
    found_by[shown_small] = "published as it stands"
    result = cells.select("build", "table", "kind", "key", "match",
                          pl.col("audited") | pl.Series(shown_small)).with_columns(
        pl.Series("low", low).clip(0, CAP).cast(pl.Int64),
        pl.Series("high", high).clip(0, CAP).cast(pl.Int64),
        pl.Series("found_by", found_by, dtype=pl.String),
    )
    return result, seconds, solves, unsettled, warnings


def _report(result: pl.DataFrame, seconds: dict, solves: int, unsettled: int,
            warnings: list[str], builds: tuple[str, ...]) -> AuditReport:
    audited = result.filter(pl.col("audited") & pl.col("build").is_in(builds))
    exposed = audited.filter(pl.col("found_by") != "")
    counts = audited.group_by("build", "table", "kind").agg(
        pl.len().cast(pl.Int64).alias("hidden"),
        (pl.col("found_by") != "").sum().cast(pl.Int64).alias("exposed"),
    ).sort("build", "table", "kind")
    return AuditReport(exposed.select(list(EXPOSED_SCHEMA)), counts.select(list(COUNT_SCHEMA)),
                       seconds, solves, unsettled, warnings)


def _model(builds: Mapping[str, Mapping[str, pl.DataFrame]], zeros_shown: bool,
           link: bool) -> _Model:
    b = _Builder()
    for name, tables in builds.items():
        _add_build(b, tables, name, zeros_shown)
    model = b.model()
    if link and len(builds) == 2:
        model = _linked(b, model)
    return model


def _linked(b: _Builder, model: _Model) -> _Model:
    """Both builds' cells for the same count, where the count may be unchanged, made equal.

    The attacker holding both publications assumes a count in a period both cover completely
    (ended by the previous build's cut-off, follow-up complete) is unchanged, unless both publish
    it with different values. That is the strongest sound assumption: where it is wrong the two
    publications contradict each other and the links are dropped (with a warning).
    """
    cells = model.cells.filter(pl.col("match").is_not_null())
    old = cells.filter((pl.col("build") == "previous") & pl.col("final"))
    new = cells.filter(pl.col("build") == "current")
    pairs = old.select("match", pl.col("id").alias("_old"), pl.col("value").alias("_v_old")) \
        .join(new.select("match", "id", "value"), on="match", how="inner") \
        .filter(pl.col("_v_old").is_null() | pl.col("value").is_null()
                | (pl.col("_v_old") == pl.col("value")))
    b.pairs("same count in both builds", "eq", pairs.get_column("_old"), pairs.get_column("id"))
    return b.model()


def audit_published(tables: Mapping[str, pl.DataFrame],
                    previous: Mapping[str, pl.DataFrame] | None = None,
                    zeros_shown: bool = True, budget: float = LP_SECONDS) -> AuditReport:
    """Attack the count tables about to be published (and, with `previous`, the publication
    they replace together with them); return every exposed hidden count.

    `tables` needs `kpi_values`, `kpi_definitions` and `ref_local_authorities`; `release_flows`,
    `engagement_curve` and `build_info` (its data cut-off) are used when present. `zeros_shown`
    is the published rule that true zeros are always shown, so a numerator hidden beside a
    published denominator is at least 1; if the figures contradict it, the audit says so and
    attacks again without it.
    """
    report = _audit(tables, previous, zeros_shown, budget)
    if zeros_shown and any(CONTRADICTION in w for w in report.warnings):
        report = _audit(tables, previous, False, budget)
        report.warnings.insert(0, "a hidden count is 0, so the published rule that true zeros "
                               "are always shown does not hold; audited without it")
    return report


def _audit(tables: Mapping[str, pl.DataFrame], previous: Mapping[str, pl.DataFrame] | None,
           zeros_shown: bool, budget: float) -> AuditReport:
    started = time.perf_counter()
    if previous is None:
        result, seconds, solves, unsettled, warnings = _run(
            _model({"current": tables}, zeros_shown, link=False), budget)
        seconds = {"model": time.perf_counter() - started - sum(seconds.values()), **seconds}
        return _report(result, seconds, solves, unsettled, warnings, ("current",))
    both = {"current": tables, "previous": previous}
    result, seconds, solves, unsettled, warnings = _run(_model(both, zeros_shown, True), budget)
    if any(CONTRADICTION in w for w in warnings):
        result, seconds, solves, unsettled, warnings = _run(_model(both, zeros_shown, False),
                                                            budget)
        warnings.append("the two builds contradict each other if their shared counts are "
                        "assumed unchanged; they were attacked without that assumption")
    if result.filter((pl.col("build") == "previous") & (pl.col("found_by") != "")).height:
        # What the previous publication exposed on its own is not this build's doing.
        alone, _, more, _, _ = _run(_model({"previous": previous}, zeros_shown, False), budget)
        solves += more
        already = alone.filter(pl.col("found_by") != "").get_column("key")
        # The same count exposed in this build is reported once, as this build's.
        current = result.filter((pl.col("build") == "current") & (pl.col("found_by") != "")) \
            .get_column("match")
        result = result.with_columns(
            pl.when((pl.col("build") == "previous") & (pl.col("key").is_in(already.implode())
                                                       | pl.col("match").is_in(current.implode())))
            .then(pl.lit("")).otherwise(pl.col("found_by")).alias("found_by"))
    seconds = {"model": time.perf_counter() - started - sum(seconds.values()), **seconds}
    return _report(result, seconds, solves, unsettled, warnings, ("current", "previous"))


def read_tables(path: Path) -> dict[str, pl.DataFrame]:
    """The tables the audit reads, from a warehouse file."""
    wanted = (*AUDITED_TABLES, "kpi_definitions", "ref_local_authorities", "build_info")
    with duckdb.connect(str(path), read_only=True) as con:
        present = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        return {name: con.sql(f'select * from "{name}"').pl() for name in wanted
                if name in present}


def previous_tables(path: Path) -> dict[str, pl.DataFrame] | None:
    """The audited tables of the warehouse a build will replace, if there is a readable one."""
    if not path.is_file():
        return None
    try:
        tables = read_tables(path)
    except duckdb.Error:
        return None
    return tables if {"kpi_values", "kpi_definitions", "ref_local_authorities"} <= set(tables) \
        else None


def audit_warehouse(path: Path, previous_path: Path | None = None,
                    zeros_shown: bool = True, budget: float = LP_SECONDS) -> AuditReport:
    previous = read_tables(previous_path) if previous_path is not None else None
    return audit_published(read_tables(path), previous, zeros_shown, budget)
