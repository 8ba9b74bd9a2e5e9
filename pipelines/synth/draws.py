"""Random draws, day numbers and dates shared by the synthetic generator's simulations."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)  # day numbers count from here, as numpy's datetime64[D] does


def day_number(value: date) -> int:
    return (value - EPOCH).days


def iso_text(value: date) -> str:
    return value.isoformat()


def choice(rng: np.random.Generator, shares: dict[str, float] | tuple[float, ...],
           size: int) -> np.ndarray:
    """Category indices drawn with the given shares (normalised)."""
    weights = np.array(list(shares.values()) if isinstance(shares, dict) else shares, float)
    cumulative = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"),
                      len(weights) - 1).astype(np.int16)


def choice_by_row(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row of a (rows x categories) weight matrix."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(len(weights)) * cumulative[:, -1]
    return (cumulative <= draws[:, None]).sum(axis=1).astype(np.int16)


def lognormal_days(rng: np.random.Generator, size: int, median: float, sigma: float,
                   low: float, high: float) -> np.ndarray:
    days = np.exp(np.log(median) + sigma * rng.standard_normal(size))
    return np.clip(np.round(days), low, high).astype(np.int64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def some(rng: np.random.Generator, items: list[str], count: int) -> list[str]:
    """`count` different items, in their original order."""
    chosen = set(rng.choice(len(items), count, replace=False).tolist())
    return [item for index, item in enumerate(items) if index in chosen]


def random_date(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
