"""The product's statistics (DESIGN §5), as small pure functions following OHID Fingertips methods.

- Wilson score confidence intervals for proportions (95% and 99.8%), scalar and as Polars
  expressions, reported on a 0-100 scale (percent, or "per 100 releases").
- Benchmarking an area against a comparator (London, England): similar when the comparator value
  lies inside the area's 95% interval (inclusive), otherwise better/worse by polarity
  (higher/lower when there is no judgement).
- Recent trend on the 5 most recent annual points, as Fingertips does it, by one of two methods
  stated per KPI in the registry: the chi-square test for linear trend in proportions (Armitage's
  form, as Fingertips' "SPC for proportions" method, R's ``prop.trend.test``) or FingertipsNext's
  weighted regression of the value on time with weights 1/se^2 (se from the 95% interval).
  Either is significant only when chi-square > 9.5495 (the 99.8% point on 1 d.f.) and the slope
  has the same sign in all six fits (all five points, then each left out).
- Statistical process control, as NHS England "Making Data Count" (XmR): limits at mean +/- 2.66
  x mean moving range (moving ranges of 3.267 x the mean or more screened out, NHSRplotthedots'
  default), four rules with MDC's precedence, trial limits and no signals under 13 points, an
  optional baseline and recalculation at stated change points, and the assurance icon against a
  target.

Polarity is one of "high_good", "low_good", "no_judgement". Nothing here reads or writes files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

from pipelines.definitions import published

# --- constants -------------------------------------------------------------------------------

Z_95 = 1.959964  # two-sided 95% normal quantile, as Fingertips uses
Z_998 = 3.090232  # two-sided 99.8% normal quantile (2.967738 would be 99.7%)
_Z_BY_CONFIDENCE = {0.95: Z_95, 0.998: Z_998}

HIGH_GOOD = "high_good"
LOW_GOOD = "low_good"
NO_JUDGEMENT = "no_judgement"
POLARITIES = (HIGH_GOOD, LOW_GOOD, NO_JUDGEMENT)

# Benchmarking, recent-trend and SPC results are the published tokens (definitions.published);
# the dashboard words them.
BETTER, WORSE, SIMILAR, HIGHER, LOWER = (published.BETTER, published.WORSE, published.SIMILAR,
                                         published.HIGHER, published.LOWER)

# Recent trend (Fingertips' results).
TREND_POINTS = 5
TREND_THRESHOLD = 9.54953570608324  # chi-square, 1 d.f., 99.8% (Fingertips' constant)
TREND_CHI_SQUARE = "chi_square_proportions"
TREND_WEIGHTED_REGRESSION = "weighted_regression"
TREND_METHODS = (TREND_CHI_SQUARE, TREND_WEIGHTED_REGRESSION)  # described in the registry
TREND_UP_BETTER = published.TREND_UP_BETTER
TREND_UP_WORSE = published.TREND_UP_WORSE
TREND_DOWN_BETTER = published.TREND_DOWN_BETTER
TREND_DOWN_WORSE = published.TREND_DOWN_WORSE
TREND_UP = published.TREND_UP
TREND_DOWN = published.TREND_DOWN
TREND_NO_CHANGE = published.TREND_NO_CHANGE
TREND_CANNOT = published.TREND_CANNOT

# Statistical process control (Making Data Count XmR).
SPC_LIMIT_FACTOR = 2.66
SPC_TWO_SIGMA_FACTOR = 2 * SPC_LIMIT_FACTOR / 3  # 2 sigma in mean moving ranges
SPC_SCREEN_FACTOR = 3.267  # moving ranges this many times the mean or more are screened out
SPC_MIN_POINTS = 13  # fewer present points in a segment: trial limits, no signals
SPC_SHIFT_POINTS = 7  # run of this many or more on one side of the mean
SPC_TREND_POINTS = 7  # this many or more points in a row each rising / each falling
SPC_RULE_LIMIT = published.SPC_RULE_LIMIT
SPC_RULE_TREND = published.SPC_RULE_TREND
SPC_RULE_TWO_OF_THREE = published.SPC_RULE_TWO_OF_THREE
SPC_RULE_SHIFT = published.SPC_RULE_SHIFT
SPC_LIMITS_FIXED = published.SPC_LIMITS_FIXED
SPC_LIMITS_TRIAL = published.SPC_LIMITS_TRIAL
SPC_COMMON = published.SPC_COMMON
SPC_IMPROVEMENT = published.SPC_IMPROVEMENT
SPC_CONCERN = published.SPC_CONCERN
SPC_HIGHER = published.SPC_HIGHER
SPC_LOWER = published.SPC_LOWER
ASSURANCE_PASS = published.ASSURANCE_PASS
ASSURANCE_FAIL = published.ASSURANCE_FAIL
ASSURANCE_HIT_OR_MISS = published.ASSURANCE_HIT_OR_MISS


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


# --- recent trend ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """A recent-trend test: the label, the chi-square statistic (None when not calculated), the
    slope's sign in each of the six fits (all points, then each left out) and why it could not be
    calculated."""

    label: str
    chi_square: float | None = None
    slope_signs: tuple[int, ...] = ()
    reason: str | None = None


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
    n_i. This is Armitage's form (Altman; R's prop.trend.test; Fingertips'
    ``IsSignificantForProportions``); the conditional (permutation) Cochran-Armitage statistic is
    this times (N - 1)/N. NaN when undefined (all proportions 0, all 1, or no denominators).
    """
    u, v = _trend_parts(numerators, denominators)
    return u * u / v if v > 0 else math.nan


def _slope_sign(slope: float) -> int:
    # Fingertips counts a zero slope as positive ("slopeValue < 0 ? -1 : 1").
    return -1 if slope < 0 else 1


def _ols_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxy = sum(x * y for x, y in zip(xs, ys, strict=True))
    sxx = sum(x * x for x in xs)
    return (n * sxy - sx * sy) / (n * sxx - sx * sx)


def _leave_one_out(fit: Callable[[list[int]], float], k: int) -> tuple[int, ...]:
    """Slope signs of the full fit and of each fit with one point left out (k + 1 fits)."""
    keep_all = list(range(k))
    return tuple(_slope_sign(fit(keep)) for keep in
                 [keep_all, *([i for i in keep_all if i != out] for out in keep_all)])


def chi_square_trend_test(numerators: Sequence[int], denominators: Sequence[int]) -> TrendResult:
    """Fingertips' recent trend for proportions ("SPC for proportions" comparator method).

    The chi-square test for linear trend, significant when it exceeds TREND_THRESHOLD and the
    slope of the logit proportion against time has the same sign in all six fits (all five
    points, then each left out). The label is a bare direction; `recent_trend` adds polarity.
    """
    k = len(numerators)
    logits = [math.log(r / (n - r)) for r, n in zip(numerators, denominators, strict=True)]
    signs = _leave_one_out(
        lambda keep: _ols_slope([i + 1 for i in keep], [logits[i] for i in keep]), k)
    chi2 = chi_square_for_trend(numerators, denominators)
    return _trend_result(chi2, signs)


def weighted_regression_trend_test(values: Sequence[float], lower95: Sequence[float],
                                   upper95: Sequence[float]) -> TrendResult:
    """FingertipsNext's recent trend (and Fingertips' for CI-benchmarked indicators).

    Weighted least squares of value on time (1..k) with weights 1/se^2, se = (upper95 -
    lower95)/3.92; chi-square = (slope / se(slope))^2, significant when it exceeds
    TREND_THRESHOLD and the slope has the same sign in all six fits.
    """
    weights = [1 / ((hi - lo) / 3.92) ** 2 for lo, hi in zip(lower95, upper95, strict=True)]

    def sums(keep: list[int]) -> tuple[float, float, float, float, float]:
        w = [weights[i] for i in keep]
        x = [i + 1 for i in keep]
        y = [values[i] for i in keep]
        return (sum(w), sum(a * b * c for a, b, c in zip(w, x, y, strict=True)),
                sum(a * b for a, b in zip(w, x, strict=True)),
                sum(a * c for a, c in zip(w, y, strict=True)),
                sum(a * b * b for a, b in zip(w, x, strict=True)))

    def slope(keep: list[int]) -> float:
        s1, s2, s3, s4, s5 = sums(keep)
        return (s1 * s2 - s3 * s4) / (s1 * s5 - s3 * s3)

    k = len(values)
    s1, _, s3, _, s5 = sums(list(range(k)))
    se_slope = math.sqrt(s1 / (s1 * s5 - s3 * s3))
    chi2 = (slope(list(range(k))) / se_slope) ** 2
    return _trend_result(chi2, _leave_one_out(slope, k))


def _trend_result(chi2: float, signs: tuple[int, ...]) -> TrendResult:
    significant = chi2 > TREND_THRESHOLD and abs(sum(signs)) == len(signs)
    if not significant:
        return TrendResult(TREND_NO_CHANGE, chi2, signs)
    return TrendResult(TREND_UP if signs[0] > 0 else TREND_DOWN, chi2, signs)


def _with_polarity(direction: str, polarity: str) -> str:
    if direction not in (TREND_UP, TREND_DOWN) or polarity == NO_JUDGEMENT:
        return direction
    if direction == TREND_UP:
        return TREND_UP_BETTER if polarity == HIGH_GOOD else TREND_UP_WORSE
    return TREND_DOWN_BETTER if polarity == LOW_GOOD else TREND_DOWN_WORSE


def recent_trend_result(
    numerators: Sequence[int | None], denominators: Sequence[int | None], polarity: str,
    method: str = TREND_CHI_SQUARE,
) -> TrendResult:
    """Fingertips recent trend from annual counts in time order (oldest first), with polarity.

    Uses the 5 most recent points. "Cannot be calculated" with fewer than 5 points, any missing
    (None/NaN, e.g. suppressed) value among them, a zero denominator, or any point whose count
    equals its denominator (Fingertips' rule). For the chi-square method also where any count is
    0 (the logit in the leave-one-out check is undefined; Fingertips' code would carry a NaN
    slope, counted as positive, instead). Weighted regression uses each point's 95% Wilson
    interval.
    """
    _check_polarity(polarity)
    if method not in TREND_METHODS:
        raise ValueError(f"method must be one of {tuple(TREND_METHODS)}, not {method!r}")
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators differ in length")
    nums = list(numerators)[-TREND_POINTS:]
    dens = list(denominators)[-TREND_POINTS:]
    if len(nums) < TREND_POINTS or any(_missing(x) for x in nums + dens):
        return TrendResult(TREND_CANNOT, reason="fewer than 5 recent points with figures")
    for r, n in zip(nums, dens, strict=True):
        if r < 0 or n < 0 or r > n:
            raise ValueError(f"need 0 <= numerator <= denominator, got {r}/{n}")
    if any(n == 0 for n in dens):
        return TrendResult(TREND_CANNOT, reason="a point has no denominator")
    if any(r == n for r, n in zip(nums, dens, strict=True)):
        return TrendResult(TREND_CANNOT, reason="a point's count equals its denominator")
    if method == TREND_CHI_SQUARE:
        if any(r == 0 for r in nums):
            return TrendResult(TREND_CANNOT, reason="a point's count is 0")
        result = chi_square_trend_test(nums, dens)
    else:
        bounds = [wilson_interval(int(r), int(n)) for r, n in zip(nums, dens, strict=True)]
        result = weighted_regression_trend_test(
            [r / n * 100 for r, n in zip(nums, dens, strict=True)],
            [b[0] for b in bounds], [b[1] for b in bounds])
    return TrendResult(_with_polarity(result.label, polarity), result.chi_square,
                       result.slope_signs)


def recent_trend(
    numerators: Sequence[int | None], denominators: Sequence[int | None], polarity: str,
    method: str = TREND_CHI_SQUARE,
) -> str:
    """The recent-trend label alone (see `recent_trend_result`)."""
    return recent_trend_result(numerators, denominators, polarity, method).label


# --- statistical process control -------------------------------------------------------------


@dataclass(frozen=True)
class SpcOptions:
    """Choices for an XmR chart, as NHSRplotthedots' ``ptd_spc`` names them.

    baseline: fix each segment's limits on its first `baseline` present points (at least
    SPC_MIN_POINTS), as ``fix_after_n_points``. change_points: positions where the process is
    stated to have changed; limits are recalculated from each one (``rebase``).
    screen_outliers: leave moving ranges of SPC_SCREEN_FACTOR x the mean moving range or more out
    of the limits (NHSRplotthedots' default; the product uses it). target: the KPI's target, for
    the assurance icon.
    """

    baseline: int | None = None
    change_points: tuple[int, ...] = ()
    screen_outliers: bool = True
    target: float | None = None


@dataclass(frozen=True)
class SpcPoint:
    """One point of an XmR chart: its segment's limits, limit status, signal and rule."""

    value: float | None
    mean: float | None
    lower: float | None
    upper: float | None
    limits: str | None  # SPC_LIMITS_FIXED, SPC_LIMITS_TRIAL or None (fewer than 2 points)
    signal: str | None  # None for missing points and trial limits
    rule: str | None  # the rule that decided the signal, None for common cause
    assurance: str | None  # for KPIs with a target and a judgement, where limits are not trial


def _segments(n: int, change_points: Sequence[int]) -> list[tuple[int, int]]:
    cuts = sorted({c for c in change_points if 0 < c < n})
    starts = [0, *cuts]
    return list(zip(starts, [*cuts, n], strict=True))


def _limits(vals: Sequence[float | None], screen: bool) -> tuple[float, float, float] | None:
    """(mean, lower, upper) from present points; moving ranges only between present neighbours."""
    present = [v for v in vals if v is not None]
    ranges = [abs(b - a) for a, b in zip(vals, vals[1:], strict=False)
              if a is not None and b is not None]
    if not present or not ranges:
        return None
    mean = sum(present) / len(present)
    mr_bar = sum(ranges) / len(ranges)
    if screen:
        kept = [r for r in ranges if r < SPC_SCREEN_FACTOR * mr_bar]
        mr_bar = sum(kept) / len(kept) if kept else mr_bar
    spread = SPC_LIMIT_FACTOR * mr_bar
    return (mean, mean - spread, mean + spread)


def xmr_limits(values: Sequence[float | None], *, screen_outliers: bool = True,
               baseline: int | None = None) -> tuple[float, float, float]:
    """(mean, lower, upper) XmR process limits: mean +/- 2.66 x mean moving range.

    Missing points (None/NaN) are left out of the mean; moving ranges are taken only between
    neighbouring points that are both present. With `baseline`, only the first `baseline` present
    points are used. (nan, nan, nan) with no moving range. Trial or not is the caller's question
    (see `spc_chart`).
    """
    vals = [None if _missing(v) else float(v) for v in values]
    if baseline is not None:
        vals = _first_present(vals, baseline)
    limits = _limits(vals, screen_outliers)
    return limits if limits is not None else (math.nan, math.nan, math.nan)


def _first_present(vals: list[float | None], n: int) -> list[float | None]:
    seen = 0
    for i, v in enumerate(vals):
        seen += v is not None
        if seen == n:
            return vals[: i + 1]
    return vals


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


def _rule_directions(vals: list[float | None], mean: float, lower: float,
                     upper: float) -> dict[str, list[int]]:
    """For each rule, per point +1 (high), -1 (low) or 0 (not flagged by that rule)."""
    n = len(vals)
    sides = [0 if v is None else _sign(v - mean) for v in vals]
    beyond = [0 if v is None else (v > upper) - (v < lower) for v in vals]

    trend = [0] * n
    steps = [0] + [0 if a is None or b is None else _sign(b - a)
                   for a, b in zip(vals, vals[1:], strict=False)]
    for start, end, sign in _runs(steps):  # steps start..end join points start-1..end
        if end - start + 2 >= SPC_TREND_POINTS:
            trend[start - 1: end + 1] = [sign] * (end - start + 2)

    # Two of three beyond 2 sigma on one side; since MDC's November 2023 update a point beyond
    # 3 sigma (a limit) counts towards the two as well.
    two_sigma = SPC_TWO_SIGMA_FACTOR * (upper - mean) / SPC_LIMIT_FACTOR
    near = [0 if v is None else (v > mean + two_sigma) - (v < mean - two_sigma) for v in vals]
    two_of_three = [0] * n
    for i in range(n - 2):
        window = near[i: i + 3]
        for side in (1, -1):
            if window.count(side) >= 2:
                for j in range(i, i + 3):
                    if near[j] == side:
                        two_of_three[j] = side

    shift = [0] * n
    for start, end, sign in _runs(sides):
        if end - start + 1 >= SPC_SHIFT_POINTS:
            shift[start: end + 1] = [sign] * (end - start + 1)
    return {SPC_RULE_LIMIT: beyond, SPC_RULE_TREND: trend, SPC_RULE_TWO_OF_THREE: two_of_three,
            SPC_RULE_SHIFT: shift}


def _signal_words(polarity: str) -> dict[int, str]:
    if polarity == NO_JUDGEMENT:
        return {1: SPC_HIGHER, -1: SPC_LOWER}
    if polarity == HIGH_GOOD:
        return {1: SPC_IMPROVEMENT, -1: SPC_CONCERN}
    return {1: SPC_CONCERN, -1: SPC_IMPROVEMENT}


def assurance(target: float | None, lower: float, upper: float, polarity: str) -> str | None:
    """MDC assurance icon: is the target within the process limits?

    A target above the upper limit is consistently failed when higher is better (passed when
    lower is better), below the lower limit the reverse; on or inside the limits the target will
    be hit and missed at random. None without a target or for no_judgement KPIs.
    """
    _check_polarity(polarity)
    if target is None or polarity == NO_JUDGEMENT or any(_missing(x) for x in (lower, upper)):
        return None
    if target > upper:
        return ASSURANCE_FAIL if polarity == HIGH_GOOD else ASSURANCE_PASS
    if target < lower:
        return ASSURANCE_PASS if polarity == HIGH_GOOD else ASSURANCE_FAIL
    return ASSURANCE_HIT_OR_MISS


def spc_chart(values: Sequence[float | None], polarity: str,
              options: SpcOptions | None = None) -> list[SpcPoint]:
    """An XmR chart by NHS England's Making Data Count rules, one SpcPoint per value.

    Rules, in MDC's (and NHSRplotthedots') order of precedence, the first that flags a point
    deciding its direction: a point beyond a process limit (a point exactly on a limit is not
    beyond it); a trend of SPC_TREND_POINTS points each rising or each falling (an equal or
    missing point breaks it); two of three consecutive points beyond 2 sigma on the same side
    (a point beyond 3 sigma counts); a shift of SPC_SHIFT_POINTS points on one side of the mean
    (a point on the mean, or missing, breaks it). Limits and rules are worked out per segment
    (split at the stated change points). A segment with fewer than SPC_MIN_POINTS present points
    gets trial limits and no signals; a baseline fixes each segment's limits on its first points.
    """
    _check_polarity(polarity)
    options = options or SpcOptions()
    if options.baseline is not None and options.baseline < SPC_MIN_POINTS:
        raise ValueError(f"a baseline needs at least {SPC_MIN_POINTS} points")
    vals = [None if _missing(v) else float(v) for v in values]
    words = _signal_words(polarity)
    points: list[SpcPoint] = []
    for start, end in _segments(len(vals), options.change_points):
        segment = vals[start:end]
        present = sum(v is not None for v in segment)
        basis = segment if options.baseline is None else _first_present(segment,
                                                                          options.baseline)
        limits = _limits(basis, options.screen_outliers)
        if limits is None:
            points.extend(SpcPoint(v, None, None, None, None, None, None, None) for v in segment)
            continue
        mean, lower, upper = limits
        if present < SPC_MIN_POINTS:
            points.extend(SpcPoint(v, mean, lower, upper, SPC_LIMITS_TRIAL, None, None, None)
                          for v in segment)
            continue
        rules = _rule_directions(segment, mean, lower, upper)
        icon = assurance(options.target, lower, upper, polarity)
        for i, v in enumerate(segment):
            rule = next((name for name, flags in rules.items() if flags[i]), None)
            signal = None if v is None else words[rules[rule][i]] if rule else SPC_COMMON
            points.append(SpcPoint(v, mean, lower, upper, SPC_LIMITS_FIXED, signal,
                                   rule if v is not None else None, icon))
    return points


def spc_signals(values: Sequence[float | None], polarity: str,
                options: SpcOptions | None = None) -> list[str | None]:
    """Per-point Making Data Count signal (see `spc_chart`): "Special cause: improvement" /
    "concern" by polarity ("higher"/"lower" for no_judgement), otherwise "Common cause"; None for
    missing points and wherever the limits are only trial limits."""
    return [p.signal for p in spc_chart(values, polarity, options)]
