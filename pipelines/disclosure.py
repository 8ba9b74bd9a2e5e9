"""Disclosure control (DESIGN §6), applied once before publishing.

Primary suppression hides any count from 1 to 4 (true zeros are shown). Secondary suppression
then makes sure no hidden cell can be worked out from the published ones. Cells are grouped
wherever a published total sits beside its parts (a total equals the sum of its parts):

- LAs within London, LAs within each sub-region, sub-regions within London;
- the categories of a breakdown within the 'all' figure of the same area and period;
- the four quarters within their financial year;
- cells within the margins of a two-way table (prison x LA of residence).

A group is safe when it has no hidden member, or at least two hidden members and, when its
total is published, the hidden parts do not add up to a small count (1 to 4). Until every group
is safe, the published part with the smallest count in each unsafe group is hidden too (the
total itself when no published part is left). Hiding only ever grows, so this reaches a fixed
point.

Overlapping 3-year rolling totals can also give a hidden year away: two windows that share two
years differ by one year's value. For every series with a hidden year, `protect_rolling` keeps
the largest set of its rolling windows from which no hidden year can be solved (a small linear
system per series) and hides the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import polars as pl

from pipelines.definitions import periods

# The notes are read by kpis as disclosure.SUPPRESSION_NOTE and disclosure.SECONDARY_NOTE.
from pipelines.definitions.suppression import (  # noqa: F401
    SECONDARY_NOTE,
    SMALL_MAX,
    SMALL_MIN,
    SUPPRESSION_NOTE,
)

CELL = "_cell"
GROUP = "_group"
ROLE = "_role"
TOTAL = "total"
PART = "part"


@dataclass(frozen=True)
class Membership:
    """Which cells form one group: cells sharing `keys`, the total picked out by `is_total`,
    the parts by `is_part`."""

    name: str
    keys: tuple[str, ...]
    is_total: pl.Expr
    is_part: pl.Expr
    # Optional: a column whose value on a part must equal the total's `total_column` value.
    part_column: str | None = None
    total_column: str | None = None


def is_small(count: pl.Expr) -> pl.Expr:
    return count.is_between(SMALL_MIN, SMALL_MAX)


def memberships(cells: pl.DataFrame, groups: Sequence[Membership]) -> pl.DataFrame:
    """Long table (_cell, _group, _role) of every cell's place in every group."""
    frames = []
    for index, group in enumerate(groups):
        part_key = group.part_column or None
        total_key = group.total_column or None
        keys = list(group.keys)
        totals = cells.filter(group.is_total).select(
            CELL, *keys, *([pl.col(total_key).alias("_link")] if total_key else [])
        )
        parts = cells.filter(group.is_part).select(
            CELL, *keys, *([pl.col(part_key).alias("_link")] if part_key else [])
        )
        link = [*keys, "_link"] if total_key else keys
        group_ids = totals.select(*link, pl.col(CELL).alias("_total_cell"))
        members = pl.concat([
            group_ids.select(pl.col("_total_cell").alias(CELL), "_total_cell",
                             pl.lit(TOTAL).alias(ROLE)),
            parts.join(group_ids, on=link, how="inner", nulls_equal=True)
            .select(CELL, "_total_cell", pl.lit(PART).alias(ROLE)),
        ])
        frames.append(members.select(
            CELL, (pl.lit(index * 10**9, dtype=pl.Int64) + pl.col("_total_cell")).alias(GROUP),
            ROLE,
        ))
    if not frames:
        return pl.DataFrame(schema={CELL: pl.Int64, GROUP: pl.Int64, ROLE: pl.String})
    return pl.concat(frames)


def protect(cells: pl.DataFrame, count: str, hidden: str, groups: Sequence[Membership],
            series: Sequence[str] = (), max_rounds: int = 1000) -> pl.DataFrame:
    """Add hidden cells until no group lets a hidden cell be recovered by subtraction.

    `cells` has an integer `_cell` id, the `count` column and a boolean `hidden` column (primary
    suppression, and anything else already hidden). Returns `cells` with `hidden` updated.
    When `series` names columns, a cell whose series already has hidden cells is preferred as
    the extra cell to hide, so the same few areas are hidden year after year rather than a
    different one each year.
    """
    positions = cells.select(CELL).with_row_index("_position")
    members = memberships(cells, groups).join(positions, on=CELL, how="inner")
    member_cell = members.get_column("_position").to_numpy().astype(np.int64)
    member_group = members.get_column(GROUP).rank("dense").to_numpy().astype(np.int64) - 1
    member_is_total = (members.get_column(ROLE) == TOTAL).to_numpy()
    n_groups = int(member_group.max()) + 1 if len(member_group) else 0
    counts = cells.get_column(count).fill_null(0).to_numpy().astype(np.float64)
    is_hidden = cells.get_column(hidden).fill_null(False).to_numpy().copy()
    if series:
        series_of = cells.select(pl.struct(list(series)).rank("dense")).to_series() \
            .to_numpy().astype(np.int64) - 1
    else:
        series_of = np.zeros(cells.height, dtype=np.int64)

    def per_group(weights: np.ndarray) -> np.ndarray:
        return np.bincount(member_group, weights=weights, minlength=n_groups)

    for _ in range(max_rounds):
        hidden_member = is_hidden[member_cell]
        hidden_part = hidden_member & ~member_is_total
        n_hidden = per_group(hidden_member.astype(np.float64))
        total_shown = per_group((member_is_total & ~hidden_member).astype(np.float64)) > 0
        hidden_parts = per_group(hidden_part.astype(np.float64))
        hidden_sum = per_group(np.where(hidden_part, counts[member_cell], 0.0))
        unsafe = (n_hidden == 1) | (
            total_shown & (hidden_parts > 0) & (hidden_sum >= SMALL_MIN)
            & (hidden_sum <= SMALL_MAX))
        candidate = unsafe[member_group] & ~hidden_member
        if not candidate.any():
            break
        series_hidden = np.bincount(series_of, weights=is_hidden.astype(np.float64),
                                    minlength=int(series_of.max()) + 1)
        cell = member_cell[candidate]
        # Prefer a part whose series is already hidden somewhere, then the smallest part; fall
        # back to the total when no part is left.
        order = np.lexsort((cell, counts[cell], -series_hidden[series_of[cell]],
                            member_is_total[candidate], member_group[candidate]))
        group_sorted = member_group[candidate][order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = group_sorted[1:] != group_sorted[:-1]
        is_hidden[cell[order][first]] = True
    else:
        raise RuntimeError("secondary suppression did not settle")
    return cells.with_columns(pl.Series(hidden, is_hidden))


def _solvable(windows: Sequence[frozenset[int]], unknowns: Sequence[int]) -> bool:
    """Whether any unknown year can be solved from the sums over `windows` (known years
    already subtracted): a year is solvable when its unit vector lies in the windows' row
    space."""
    if not windows or not unknowns:
        return False
    matrix = np.array([[1.0 if year in window else 0.0 for year in unknowns]
                       for window in windows])
    rank = np.linalg.matrix_rank(matrix)
    for index in range(len(unknowns)):
        unit = np.zeros(len(unknowns))
        unit[index] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            return True
    return False


def safe_windows(hidden_years: set[int], windows: Sequence[frozenset[int]]) -> set[int]:
    """Indexes of the largest set of windows that lets no hidden year be solved (ties: the most
    recent windows)."""
    return set(_safe_windows(frozenset(hidden_years), tuple(windows)))


@lru_cache(maxsize=4096)
def _safe_windows(hidden_years: frozenset[int], windows: tuple[frozenset[int], ...]) \
        -> frozenset[int]:
    unknowns = sorted(hidden_years)
    for size in range(len(windows), 0, -1):
        for chosen in sorted(combinations(range(len(windows)), size), reverse=True):
            if not _solvable([windows[i] for i in chosen], unknowns):
                return frozenset(chosen)
    return frozenset()


def protect_rolling(cells: pl.DataFrame, hidden: str, series: Sequence[str]) -> pl.DataFrame:
    """Hide rolling windows ('YYYY/YY to YYYY/YY') from which a hidden single year of the same
    series could be solved. Cells need period_type ('year' or 'rolling_3y') and period."""
    series = list(series)
    start_year = periods.start_year_expr(pl.col("period"))
    end_year = periods.end_year_expr(pl.col("period"))
    years = cells.filter(pl.col("period_type") == "year")
    affected = years.filter(pl.col(hidden)).select(series).unique()
    if affected.is_empty():
        return cells
    hidden_years = (
        years.join(affected, on=series, nulls_equal=True).filter(pl.col(hidden))
        .group_by(series).agg(start_year.alias("_hidden_years"))
    )
    rolling = (
        cells.filter((pl.col("period_type") == "rolling_3y") & ~pl.col(hidden))
        .join(hidden_years, on=series, nulls_equal=True)
        .select(CELL, *series, "_hidden_years", start_year.alias("_from"),
                end_year.alias("_to"))
        .sort("_from")
        .group_by(series).agg(CELL, "_from", "_to", pl.col("_hidden_years").first())
    )
    to_hide: list[int] = []
    for row in rolling.iter_rows(named=True):
        windows = [frozenset(range(a, b + 1)) for a, b in zip(row["_from"], row["_to"],
                                                             strict=True)]
        keep = safe_windows(set(row["_hidden_years"]), windows)
        to_hide += [cell for i, cell in enumerate(row[CELL]) if i not in keep]
    if not to_hide:
        return cells
    return cells.with_columns(
        (pl.col(hidden) | pl.col(CELL).is_in(pl.Series(to_hide, dtype=pl.Int64).implode()))
        .alias(hidden))
