"""Rows that break one contract rule each (`bad_row_rate`), for demonstrations and tests."""

from __future__ import annotations

import numpy as np
import polars as pl

RELEASE_BREAKS = ("bad_date", "age_12", "unknown_prison", "bad_sex", "reception_after_release",
                  "duplicate_id", "exact_duplicate")
EPISODE_BREAKS = ("bad_date", "end_before_start", "exit_without_end", "duplicate_id",
                  "exact_duplicate")

_ISO = "%Y-%m-%d"


def _parsed(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String)
    return pl.coalesce(text.str.to_date(_ISO, strict=False),
                       text.str.to_date("%d/%m/%Y", strict=False))


def _break_rows(frame: pl.DataFrame, rng: np.random.Generator, rate: float, key: str,
                breaks: tuple[str, ...], edits: dict[str, dict[str, pl.Expr]]) -> pl.DataFrame:
    """Make `rate` of the rows break one rule each; 'exact_duplicate' rows are written twice.

    Broken rows sit on even positions, and a 'duplicate_id' row takes the id of the row after it,
    so every broken row breaks exactly one rule.
    """
    n = frame.height
    if rate <= 0 or n < 2:
        return frame
    count = min(max(1, round(rate * n)), n // 2)
    positions = np.sort(rng.choice(n // 2, count, replace=False) * 2)
    kinds = rng.permutation(np.arange(count) % len(breaks))
    marker = np.full(n, -1, np.int16)
    marker[positions] = kinds
    frame = frame.with_columns(pl.all().cast(pl.String), _break=pl.Series(marker))
    for index, kind in enumerate(breaks):
        hit = pl.col("_break") == index
        if kind == "exact_duplicate":
            continue
        changes = {key: pl.col(key).shift(-1)} if kind == "duplicate_id" else edits[kind]
        frame = frame.with_columns(
            pl.when(hit).then(value).otherwise(pl.col(column)).alias(column)
            for column, value in changes.items())
    duplicate = positions[kinds == breaks.index("exact_duplicate")]
    rows = np.sort(np.concatenate([np.arange(n), duplicate]))
    return frame[rows].drop("_break")


def break_releases(frame: pl.DataFrame, rng: np.random.Generator, rate: float) -> pl.DataFrame:
    later = (_parsed("release_date") + pl.duration(days=30)).dt.strftime(_ISO)
    edits = {
        "bad_date": {"release_date": pl.lit("2023-02-30")},
        "age_12": {"age": pl.lit("12")},
        "unknown_prison": {"prison": pl.lit("HMP Nowhere")},
        "bad_sex": {"sex": pl.lit("x")},
        "reception_after_release": {"reception_date": later},
    }
    return _break_rows(frame, rng, rate, "release_id", RELEASE_BREAKS, edits)


def break_episodes(frame: pl.DataFrame, rng: np.random.Generator, rate: float) -> pl.DataFrame:
    before = (_parsed("start_date") - pl.duration(days=10)).dt.strftime(_ISO)
    with_exit = pl.coalesce(pl.col("exit_reason"), pl.lit("dropped_out"))
    edits = {
        "bad_date": {"start_date": pl.lit("2022-13-01")},
        "end_before_start": {"end_date": before, "exit_reason": with_exit},
        "exit_without_end": {"end_date": pl.lit(None, pl.String), "exit_reason": with_exit},
    }
    return _break_rows(frame, rng, rate, "episode_id", EPISODE_BREAKS, edits)
