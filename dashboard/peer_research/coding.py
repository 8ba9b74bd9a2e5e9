"""Agreement between first and second coding, per theme: Cohen's kappa (statsmodels) on whether
each double-coded account has the theme, the share of accounts where the coders agree, and the
disagreements listed for the team to discuss."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
from statsmodels.stats.inter_rater import cohens_kappa

AGREEMENT_SCHEMA = {"theme": pl.String, "accounts": pl.Int64, "both": pl.Int64,
                    "first_only": pl.Int64, "second_only": pl.Int64, "neither": pl.Int64,
                    "agreement": pl.Float64, "kappa": pl.Float64}
DISAGREEMENT_SCHEMA = {"account_id": pl.String, "theme": pl.String, "first_coder": pl.String,
                       "second_coder": pl.String, "applied_by": pl.String}


def double_coded(codings: pl.DataFrame) -> pl.DataFrame:
    """One row per account coded in both passes: account_id, first, second (theme lists) and
    the two coders."""
    first = codings.filter(pl.col("pass") == "first").select(
        "account_id", pl.col("themes").alias("first"), pl.col("coder").alias("first_coder"))
    second = codings.filter(pl.col("pass") == "second").select(
        "account_id", pl.col("themes").alias("second"), pl.col("coder").alias("second_coder"))
    return first.join(second, on="account_id", how="inner").sort("account_id")


def kappa(table: np.ndarray) -> float | None:
    """Cohen's kappa of a 2x2 table (statsmodels); None when it is not defined (every account
    in one category for both coders)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohens_kappa(table, return_results=False))
    return None if np.isnan(value) else value


def agreement(codings: pl.DataFrame, themes: list[str]) -> pl.DataFrame:
    """Per theme: counts of the 2x2 table, the share agreed and Cohen's kappa."""
    pairs = double_coded(codings)
    rows = []
    for theme in themes:
        first = [theme in t for t in pairs["first"].to_list()]
        second = [theme in t for t in pairs["second"].to_list()]
        both = sum(a and b for a, b in zip(first, second, strict=True))
        first_only = sum(a and not b for a, b in zip(first, second, strict=True))
        second_only = sum(b and not a for a, b in zip(first, second, strict=True))
        neither = len(first) - both - first_only - second_only
        table = np.array([[both, first_only], [second_only, neither]], dtype=float)
        rows.append({"theme": theme, "accounts": len(first), "both": both,
                     "first_only": first_only, "second_only": second_only, "neither": neither,
                     "agreement": (both + neither) / len(first) if first else None,
                     "kappa": kappa(table) if first else None})
    return pl.DataFrame(rows, schema=AGREEMENT_SCHEMA, orient="row")


def disagreements(codings: pl.DataFrame) -> pl.DataFrame:
    """Every (account, theme) where one coder applied the theme and the other did not."""
    rows = []
    for pair in double_coded(codings).iter_rows(named=True):
        first, second = set(pair["first"]), set(pair["second"])
        for theme in sorted(first ^ second):
            rows.append({"account_id": pair["account_id"], "theme": theme,
                         "first_coder": pair["first_coder"],
                         "second_coder": pair["second_coder"],
                         "applied_by": "first coder" if theme in first else "second coder"})
    return pl.DataFrame(rows, schema=DISAGREEMENT_SCHEMA, orient="row")
