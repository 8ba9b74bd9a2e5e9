"""The product's statistics (DESIGN §5), as small pure functions following OHID Fingertips methods.

- Wilson score confidence intervals for proportions (95% and 99.8%), scalar and as Polars
  expressions, reported on a 0-100 scale (percent, or "per 100 releases").
- Benchmarking an area against a comparator (London, England): similar when the comparator value
  lies inside the area's 95% interval (inclusive), otherwise better/worse by polarity
  (higher/lower when there is no judgement).
- Recent trend on the 5 most recent annual points: chi-square test for linear trend in proportions
  (1 d.f., Armitage's form as in Altman and R's ``prop.trend.test``), significant when
  chi-square > 9.5495 (the 99.8% point of chi-square on 1 d.f.).
- Statistical process control for quarterly series, as in NHS England "Making Data Count" (XmR):
  limits at mean +/- 2.66 x mean moving range, a point beyond a limit, a run of 7 or more on one
  side of the mean, 6 or more points in a row each rising or each falling.

Polarity is one of "high_good", "low_good", "no_judgement". Nothing here reads or writes files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import polars as pl

# --- constants -------------------------------------------------------------------------------

Z_95 = 1.959964  # two-sided 95% normal quantile, as Fingertips uses
Z_998 = 3.090232  # two-sided 99.8% normal quantile (2.967738 would be 99.7%)
_Z_BY_CONFIDENCE = {0.95: Z_95, 0.998: Z_998}

HIGH_GOOD = "high_good"
LOW_GOOD = "low_good"
NO_JUDGEMENT = "no_judgement"
POLARITIES = (HIGH_GOOD, LOW_GOOD, NO_JUDGEMENT)

# Benchmarking tokens (compare / compare_expr) and their display wording.
BETTER, WORSE, SIMILAR, HIGHER, LOWER = "better", "worse", "similar", "higher", "lower"
_LABEL_TEMPLATES = {
    BETTER: "Better than {}",
    WORSE: "Worse than {}",
    SIMILAR: "Similar to {}",
    HIGHER: "Higher than {}",
    LOWER: "Lower than {}",
}
NOT_COMPARED = "Not compared"

# Recent trend (Fingertips labels).
TREND_POINTS = 5
TREND_THRESHOLD = 9.5495  # chi-square, 1 d.f., 99.8%
TREND_UP_BETTER = "Increasing and getting better"
TREND_UP_WORSE = "Increasing and getting worse"
TREND_DOWN_BETTER = "Decreasing and getting better"
TREND_DOWN_WORSE = "Decreasing and getting worse"
TREND_UP = "Increasing"
TREND_DOWN = "Decreasing"
TREND_NO_CHANGE = "No significant change"
TREND_CANNOT = "Cannot be calculated"

# Statistical process control (Making Data Count XmR).
SPC_LIMIT_FACTOR = 2.66
SPC_MIN_POINTS = 6  # fewer available points: no limits and no signals
SPC_SHIFT_POINTS = 7  # run of this many or more on one side of the mean
SPC_TREND_POINTS = 6  # this many or more points in a row each rising / each falling
SPC_COMMON = "Common cause"
SPC_IMPROVEMENT = "Special cause: improvement"
SPC_CONCERN = "Special cause: concern"
SPC_HIGHER = "Special cause: higher"
SPC_LOWER = "Special cause: lower"


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- Wilson score interval -------------------------------------------------------------------


def z_for(confidence: float) -> float:
    """Two-sided normal quantile: Fingertips' constants for 95% and 99.8%, else computed."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return _Z_BY_CONFIDENCE.get(confidence) or NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(
    numerator: int, denominator: int, confidence: float = 0.95, *, scale: float = 100.0
) -> tuple[float, float]:
    """Wilson score interval for numerator/denominator, on 0..scale (percent by default).

    Fingertips' form: (2r + z^2 -/+ z*sqrt(z^2 + 4r(1 - p))) / (2(n + z^2)).
    Denominator 0 gives (nan, nan); negative counts or numerator > denominator raise ValueError.
    """
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"need 0 <= numerator <= denominator, got {numerator}/{denominator}")
    if denominator == 0:
        return (math.nan, math.nan)
    z = z_for(confidence)
    q = 1 - numerator / denominator
    centre = 2 * numerator + z * z
    spread = z * math.sqrt(z * z + 4 * numerator * q)
    bottom = 2 * (denominator + z * z)
    # The ends are exact (0 when numerator is 0, scale when it equals the denominator); the
    # formula alone drifts by ~1e-16 there.
    lower = 0.0 if numerator == 0 else (centre - spread) / bottom * scale
    upper = scale if numerator == denominator else (centre + spread) / bottom * scale
    return (lower, upper)


def wilson_exprs(
    numerator: str, denominator: str, z: float, scale: float = 100.0
) -> tuple[pl.Expr, pl.Expr]:
    """Lower and upper Wilson limits (0..scale) as Polars expressions over two count columns.

    Same formula as `wilson_interval`. The result is null where either count is null, the
    denominator is 0 or the counts are not 0 <= numerator <= denominator. The expressions are
    aliased "lower" and "upper"; re-alias them, e.g. ``lo.alias("lower95")``.
    """
    r = pl.col(numerator).cast(pl.Float64)
    n = pl.col(denominator).cast(pl.Float64)
    valid = (n > 0) & (r >= 0) & (r <= n)
    centre = 2 * r + z * z
    spread = z * (z * z + 4 * r * (1 - r / n)).sqrt()
    bottom = 2 * (n + z * z)
    lower = pl.when(r == 0).then(0.0).otherwise((centre - spread) / bottom * scale)
    upper = pl.when(r == n).then(float(scale)).otherwise((centre + spread) / bottom * scale)
    return (
        pl.when(valid).then(lower).otherwise(None).alias("lower"),
        pl.when(valid).then(upper).otherwise(None).alias("upper"),
    )


# --- benchmarking ----------------------------------------------------------------------------


def _direction_tokens(polarity: str) -> tuple[str, str]:
    """(token when the area is higher, token when lower) for a polarity."""
    _check_polarity(polarity)
    return {
        HIGH_GOOD: (BETTER, WORSE),
        LOW_GOOD: (WORSE, BETTER),
        NO_JUDGEMENT: (HIGHER, LOWER),
    }[polarity]


def compare(
    value: float | None,
    lower95: float | None,
    upper95: float | None,
    comparator: float | None,
    polarity: str,
) -> str | None:
    """Benchmark an area against a comparator value using the area's 95% interval.

    Returns "similar" when lower95 <= comparator <= upper95, otherwise "better"/"worse" by
    polarity ("higher"/"lower" for no_judgement); None when any input is missing (None or NaN).
    """
    higher, lower = _direction_tokens(polarity)
    if any(_missing(x) for x in (value, lower95, upper95, comparator)):
        return None
    if lower95 <= comparator <= upper95:
        return SIMILAR
    return higher if comparator < lower95 else lower


def compare_expr(lower95: str, upper95: str, comparator: str, polarity: str) -> pl.Expr:
    """`compare` as a Polars expression (String, aliased "comparison"); null when any is missing."""
    higher, lower = _direction_tokens(polarity)
    lo, hi, c = (
        pl.col(name).cast(pl.Float64).fill_nan(None) for name in (lower95, upper95, comparator)
    )
    return (
        pl.when(lo.is_null() | hi.is_null() | c.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when((c >= lo) & (c <= hi))
        .then(pl.lit(SIMILAR))
        .when(c < lo)
        .then(pl.lit(higher))
        .otherwise(pl.lit(lower))
        .alias("comparison")
    )


def comparison_label(token: str | None, comparator_name: str) -> str:
    """Display wording: "Better than London", "Similar to England", ..., "Not compared" for None."""
    if token is None:
        return NOT_COMPARED
    if token not in _LABEL_TEMPLATES:
        raise ValueError(f"unknown comparison token {token!r}")
    return _LABEL_TEMPLATES[token].format(comparator_name)


# --- recent trend ----------------------------------------------------------------------------


def _trend_parts(numerators: Sequence[float], denominators: Sequence[float]) -> tuple[float, float]:
    """(U, V): U = sum r_i (x_i - xbar) with scores x_i = 1..k, chi-square = U^2 / V."""
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    if len(numerators) < 2:
        raise ValueError("need at least 2 points")
    for r, n in zip(numerators, denominators, strict=True):
        if r < 0 or n < 0 or r > n:
            raise ValueError(f"need 0 <= numerator <= denominator, got {r}/{n}")
    scores = range(1, len(numerators) + 1)
    total_n = sum(denominators)
    total_r = sum(numerators)
    if total_n == 0:
        return (0.0, 0.0)
    p = total_r / total_n
    x_bar = sum(n * x for n, x in zip(denominators, scores, strict=False)) / total_n
    u = sum(r * (x - x_bar) for r, x in zip(numerators, scores, strict=False))
    sxx = sum(n * (x - x_bar) ** 2 for n, x in zip(denominators, scores, strict=False))
    return (u, p * (1 - p) * sxx)


def chi_square_for_trend(numerators: Sequence[int], denominators: Sequence[int]) -> float:
    """Chi-square for linear trend in proportions (1 d.f.), time points scored 1, 2, ..., k.

    X^2 = [sum r_i (x_i - xbar)]^2 / [pbar (1 - pbar) sum n_i (x_i - xbar)^2], xbar weighted by
    n_i. This is Armitage's form (Altman; R's prop.trend.test); the conditional (permutation)
    Cochran-Armitage/linear-by-linear statistic is this times (N - 1)/N. NaN when undefined
    (all proportions 0, all 1, or no denominators).
    """
    u, v = _trend_parts(numerators, denominators)
    return u * u / v if v > 0 else math.nan


def recent_trend(
    numerators: Sequence[int | None], denominators: Sequence[int | None], polarity: str
) -> str:
    """Fingertips recent-trend label from annual counts in time order (oldest first).

    Uses the 5 most recent points (the last 5). "Cannot be calculated" with fewer than 5 points,
    any missing (None/NaN, e.g. suppressed) value among them, a zero denominator, or all
    proportions 0 or all 1. Significant when chi-square > TREND_THRESHOLD; the direction is the
    sign of the fitted slope.
    """
    _check_polarity(polarity)
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    nums = list(numerators)[-TREND_POINTS:]
    dens = list(denominators)[-TREND_POINTS:]
    if len(nums) < TREND_POINTS or any(_missing(x) for x in nums + dens):
        return TREND_CANNOT
    if any(n == 0 for n in dens) or sum(nums) in (0, sum(dens)):
        return TREND_CANNOT
    u, v = _trend_parts(nums, dens)
    if u * u / v <= TREND_THRESHOLD:
        return TREND_NO_CHANGE
    up = u > 0
    if polarity == NO_JUDGEMENT:
        return TREND_UP if up else TREND_DOWN
    if up:
        return TREND_UP_BETTER if polarity == HIGH_GOOD else TREND_UP_WORSE
    return TREND_DOWN_BETTER if polarity == LOW_GOOD else TREND_DOWN_WORSE


# --- statistical process control -------------------------------------------------------------


def xmr_limits(values: Sequence[float | None]) -> tuple[float, float, float]:
    """(mean, lower, upper) XmR process limits: mean +/- 2.66 x mean moving range.

    Missing points (None/NaN) are left out of the mean; moving ranges are taken only between
    neighbouring points that are both present. (nan, nan, nan) with fewer than SPC_MIN_POINTS
    present points or no moving range.
    """
    present = [float(v) for v in values if not _missing(v)]
    ranges = [
        abs(b - a)
        for a, b in zip(values, values[1:], strict=False)
        if not (_missing(a) or _missing(b))
    ]
    if len(present) < SPC_MIN_POINTS or not ranges:
        return (math.nan, math.nan, math.nan)
    mean = sum(present) / len(present)
    spread = SPC_LIMIT_FACTOR * sum(ranges) / len(ranges)
    return (mean, mean - spread, mean + spread)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs (start, end inclusive, sign) of equal non-zero signs; 0 breaks a run."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                runs.append((start, i - 1, signs[start]))
            start = i
    return runs


def spc_signals(values: Sequence[float | None], polarity: str) -> list[str | None]:
    """Per-point Making Data Count signal for a series in time order.

    Rules: (a) a point beyond a process limit; (b) a run of SPC_SHIFT_POINTS or more points on
    one side of the mean (a point on the mean, or missing, breaks the run); (c) SPC_TREND_POINTS
    or more points in a row each rising or each falling (an equal or missing point breaks it).
    Every point of a qualifying run is flagged. A point's direction comes from the first rule
    that flags it in the order (a), (c), (b), as NHS-R's NHSRplotthedots does. Labels:
    "Special cause: improvement"/"concern" by polarity ("higher"/"lower" for no_judgement),
    otherwise "Common cause". Missing points get None; with fewer than SPC_MIN_POINTS present
    points every entry is None.
    """
    _check_polarity(polarity)
    mean, lower, upper = xmr_limits(values)
    if math.isnan(mean):
        return [None] * len(values)
    vals = [None if _missing(v) else float(v) for v in values]

    beyond = [0 if v is None else (v > upper) - (v < lower) for v in vals]
    trend = [0] * len(vals)
    steps = [0] + [
        0 if a is None or b is None else _sign(b - a) for a, b in zip(vals, vals[1:], strict=False)
    ]
    for start, end, sign in _runs(steps):  # steps start..end join points start-1..end
        if end - start + 2 >= SPC_TREND_POINTS:
            trend[start - 1 : end + 1] = [sign] * (end - start + 2)
    shift = [0] * len(vals)
    sides = [0 if v is None else _sign(v - mean) for v in vals]
    for start, end, sign in _runs(sides):
        if end - start + 1 >= SPC_SHIFT_POINTS:
            shift[start : end + 1] = [sign] * (end - start + 1)

    if polarity == NO_JUDGEMENT:
        words = {1: SPC_HIGHER, -1: SPC_LOWER}
    elif polarity == HIGH_GOOD:
        words = {1: SPC_IMPROVEMENT, -1: SPC_CONCERN}
    else:
        words = {1: SPC_CONCERN, -1: SPC_IMPROVEMENT}
    out: list[str | None] = []
    for v, a, c, b in zip(vals, beyond, trend, shift, strict=True):
        direction = a or c or b
        out.append(None if v is None else words.get(direction, SPC_COMMON))
    return out
