"""Tests for pipelines.stats: Wilson intervals, benchmarking, recent trend and SPC signals."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from pipelines import stats as s

# --- Wilson ----------------------------------------------------------------------------------

PAIRS = [
    (r, n)
    for n in (1, 2, 3, 5, 7, 10, 17, 50, 99, 100, 1000, 12345)
    for r in sorted({0, 1, n // 3, n // 2, n - 1, n})
]


@pytest.mark.parametrize("confidence, alpha", [(0.95, 0.05), (0.998, 0.002)])
def test_wilson_matches_statsmodels(confidence: float, alpha: float) -> None:
    for r, n in PAIRS:
        lo, hi = s.wilson_interval(r, n, confidence)
        ref_lo, ref_hi = proportion_confint(r, n, alpha=alpha, method="wilson")
        # Fingertips' z is rounded to 6 d.p.; statsmodels uses the exact quantile.
        assert lo == pytest.approx(100 * ref_lo, abs=1e-5), (r, n)
        assert hi == pytest.approx(100 * ref_hi, abs=1e-5), (r, n)


def test_wilson_known_value_and_edges() -> None:
    # 50/100: (103.8415 -/+ 1.959964 * sqrt(103.8415)) / 207.683, worked by hand.
    lo, hi = s.wilson_interval(50, 100)
    assert (round(lo, 2), round(hi, 2)) == (40.38, 59.62)
    assert s.wilson_interval(0, 20)[0] == 0.0
    assert s.wilson_interval(20, 20)[1] == 100.0
    assert s.wilson_interval(3, 10, scale=1.0)[0] == pytest.approx(
        s.wilson_interval(3, 10)[0] / 100
    )
    assert all(math.isnan(x) for x in s.wilson_interval(0, 0))
    for bad in ((5, 4), (-1, 4), (0, -1)):
        with pytest.raises(ValueError):
            s.wilson_interval(*bad)


def test_wilson_99_8_is_wider_and_z_constants() -> None:
    assert s.z_for(0.95) == s.Z_95 == 1.959964
    assert s.z_for(0.998) == s.Z_998 == 3.090232
    # 3.090232^2 is the trend threshold: both are the two-sided 99.8% point.
    assert s.Z_998**2 == pytest.approx(s.TREND_THRESHOLD, abs=1e-4)
    assert s.z_for(0.9) == pytest.approx(1.644854, abs=1e-6)
    lo95, hi95 = s.wilson_interval(30, 80, 0.95)
    lo998, hi998 = s.wilson_interval(30, 80, 0.998)
    assert lo998 < lo95 < hi95 < hi998


@pytest.mark.parametrize("z, confidence", [(s.Z_95, 0.95), (s.Z_998, 0.998)])
@pytest.mark.parametrize("scale", [100.0, 1000.0])
def test_wilson_exprs_equal_scalar(z: float, confidence: float, scale: float) -> None:
    df = pl.DataFrame(
        {"num": [r for r, _ in PAIRS], "den": [n for _, n in PAIRS]},
        schema={"num": pl.Int64, "den": pl.Int64},
    )
    lo, hi = s.wilson_exprs("num", "den", z, scale)
    out = df.with_columns(lo.alias("lo"), hi.alias("hi"))
    for r, n, got_lo, got_hi in out.select("num", "den", "lo", "hi").iter_rows():
        want_lo, want_hi = s.wilson_interval(r, n, confidence, scale=scale)
        assert got_lo == pytest.approx(want_lo, rel=1e-12, abs=1e-12), (r, n)
        assert got_hi == pytest.approx(want_hi, rel=1e-12, abs=1e-12), (r, n)


@pytest.mark.parametrize("z", [s.Z_95, s.Z_998])
def test_wilson_exact_at_zero_and_all(z: float) -> None:
    # Unclipped, the formula drifts by ~1e-16 past 0 or 1 for many n: bounds must be exact.
    ns = list(range(1, 500))
    df = pl.DataFrame({"zero": [0] * len(ns), "all": ns, "n": ns})
    out = df.select(
        s.wilson_exprs("zero", "n", z)[0].alias("lo0"),
        s.wilson_exprs("all", "n", z)[1].alias("hi_all"),
    )
    assert set(out["lo0"]) == {0.0}
    assert set(out["hi_all"]) == {100.0}
    confidence = 0.95 if z == s.Z_95 else 0.998
    assert {s.wilson_interval(0, n, confidence)[0] for n in ns} == {0.0}
    assert {s.wilson_interval(n, n, confidence)[1] for n in ns} == {100.0}


def test_wilson_exprs_null_where_undefined() -> None:
    df = pl.DataFrame({"num": [0, None, 3, 5, 2], "den": [0, 10, None, 4, 10]})
    lo, hi = s.wilson_exprs("num", "den", s.Z_95)
    out = df.select(lo, hi)
    assert out.columns == ["lower", "upper"]
    assert out["lower"].to_list()[:4] == [None] * 4
    assert out["upper"].to_list()[:4] == [None] * 4
    assert out["lower"][4] == pytest.approx(s.wilson_interval(2, 10)[0])


# --- benchmarking ----------------------------------------------------------------------------

# (lower95, upper95, comparator) -> token by polarity (high_good, low_good, no_judgement)
COMPARE_CASES = [
    (40.0, 60.0, 50.0, ("similar", "similar", "similar")),
    (40.0, 60.0, 40.0, ("similar", "similar", "similar")),  # inclusive at the lower limit
    (40.0, 60.0, 60.0, ("similar", "similar", "similar")),  # and at the upper limit
    (40.0, 60.0, 39.9, ("better", "worse", "higher")),  # comparator below: area is higher
    (40.0, 60.0, 60.1, ("worse", "better", "lower")),  # comparator above: area is lower
]
POLARITIES = ("high_good", "low_good", "no_judgement")


@pytest.mark.parametrize("lo, hi, comp, expected", COMPARE_CASES)
def test_compare(lo: float, hi: float, comp: float, expected: tuple[str, str, str]) -> None:
    for polarity, want in zip(POLARITIES, expected, strict=True):
        assert s.compare(50.0, lo, hi, comp, polarity) == want, polarity


@pytest.mark.parametrize("polarity", POLARITIES)
def test_compare_missing_gives_none(polarity: str) -> None:
    full = [50.0, 40.0, 60.0, 55.0]
    for i in range(4):
        for missing in (None, math.nan):
            args = full.copy()
            args[i] = missing
            assert s.compare(*args, polarity) is None


def test_compare_rejects_unknown_polarity() -> None:
    with pytest.raises(ValueError):
        s.compare(50.0, 40.0, 60.0, 55.0, "higher_is_better")
    with pytest.raises(ValueError):
        s.compare_expr("lo", "hi", "c", "up")


@pytest.mark.parametrize("polarity", POLARITIES)
def test_compare_expr_equals_scalar(polarity: str) -> None:
    rows = [(lo, hi, c) for lo, hi, c, _ in COMPARE_CASES]
    rows += [(None, 60.0, 50.0), (40.0, None, 50.0), (40.0, 60.0, None), (40.0, 60.0, math.nan)]
    df = pl.DataFrame(rows, schema=["lo", "hi", "c"], orient="row")
    got = df.select(s.compare_expr("lo", "hi", "c", polarity))["comparison"].to_list()
    want = [s.compare(50.0, lo, hi, c, polarity) for lo, hi, c in rows]
    assert got == want
    assert want[-4:] == [None] * 4


def test_compare_expr_accepts_integer_columns() -> None:
    df = pl.DataFrame({"lo": [40, 40], "hi": [60, 60], "c": [50, 70]})
    assert df.select(s.compare_expr("lo", "hi", "c", "low_good"))["comparison"].to_list() == [
        "similar",
        "better",
    ]


def test_comparison_label() -> None:
    assert s.comparison_label("better", "London") == "Better than London"
    assert s.comparison_label("worse", "England") == "Worse than England"
    assert s.comparison_label("similar", "England") == "Similar to England"
    assert s.comparison_label("higher", "London") == "Higher than London"
    assert s.comparison_label("lower", "London") == "Lower than London"
    assert s.comparison_label(None, "London") == "Not compared"
    with pytest.raises(ValueError):
        s.comparison_label("Better", "London")


# --- recent trend ----------------------------------------------------------------------------


def test_chi_square_matches_r_prop_trend_test() -> None:
    # R's documented example: prop.trend.test(smokers, patients) gives X-squared = 8.2249.
    smokers, patients = [83, 90, 129, 70], [86, 93, 136, 82]
    assert s.chi_square_for_trend(smokers, patients) == pytest.approx(8.2249, abs=5e-5)


def test_chi_square_matches_statsmodels_cochran_armitage() -> None:
    """statsmodels' linear-by-linear test uses the conditional variance: z^2 * N/(N-1) = ours."""
    rng = np.random.default_rng(20240401)
    for _ in range(60):
        dens = rng.integers(5, 400, size=5)
        nums = rng.binomial(dens, rng.uniform(0.05, 0.95, size=5))
        if nums.sum() in (0, dens.sum()):
            continue
        table = np.column_stack([nums, dens - nums])
        z = Table(table).test_ordinal_association(row_scores=np.arange(1, 6)).zscore
        total = dens.sum()
        ours = s.chi_square_for_trend(nums.tolist(), dens.tolist())
        assert ours == pytest.approx(z**2 * total / (total - 1), rel=1e-9)
        assert ours != pytest.approx(z**2, rel=1e-6)  # the factor is real, not negligible


def test_chi_square_properties() -> None:
    nums, dens = [10, 14, 20, 22, 31], [100, 110, 120, 100, 130]
    x2 = s.chi_square_for_trend(nums, dens)
    assert x2 == pytest.approx(s.chi_square_for_trend(nums[::-1], dens[::-1]))
    assert s.chi_square_for_trend([10, 20, 30], [100, 200, 300]) == pytest.approx(0.0)
    assert math.isnan(s.chi_square_for_trend([0, 0, 0], [5, 6, 7]))
    assert math.isnan(s.chi_square_for_trend([5, 6, 7], [5, 6, 7]))
    with pytest.raises(ValueError):
        s.chi_square_for_trend([1, 2], [3])
    with pytest.raises(ValueError):
        s.chi_square_for_trend([1, 5], [3, 4])


UP = [100, 150, 200, 250, 300]
DOWN = UP[::-1]
THOUSANDS = [1000] * 5


@pytest.mark.parametrize(
    "nums, polarity, want",
    [
        (UP, "high_good", "Increasing and getting better"),
        (UP, "low_good", "Increasing and getting worse"),
        (UP, "no_judgement", "Increasing"),
        (DOWN, "high_good", "Decreasing and getting worse"),
        (DOWN, "low_good", "Decreasing and getting better"),
        (DOWN, "no_judgement", "Decreasing"),
        ([100, 101, 99, 100, 102], "high_good", "No significant change"),
    ],
)
def test_recent_trend_labels(nums: list[int], polarity: str, want: str) -> None:
    assert s.recent_trend(nums, THOUSANDS, polarity) == want


def test_recent_trend_uses_99_8_threshold_not_95() -> None:
    nums = [100, 108, 116, 124, 132]  # chi-square 6.24
    x2 = s.chi_square_for_trend(nums, THOUSANDS)
    assert 3.8415 < x2 < s.TREND_THRESHOLD  # significant at 95% but not at 99.8%
    assert s.recent_trend(nums, THOUSANDS, "high_good") == "No significant change"
    assert s.TREND_THRESHOLD == 9.5495


def test_recent_trend_takes_last_five_points() -> None:
    # The oldest point would make a strong decrease; only the last five (flat) count.
    nums, dens = [900, 100, 100, 100, 100, 100], [1000] * 6
    assert s.recent_trend(nums, dens, "high_good") == "No significant change"
    assert s.recent_trend([None, *UP], [None, *THOUSANDS], "high_good").startswith("Increasing")


@pytest.mark.parametrize(
    "nums, dens",
    [
        (UP[:4], THOUSANDS[:4]),  # fewer than five points
        ([100, None, 200, 250, 300], THOUSANDS),  # suppressed numerator
        (UP, [1000, 1000, None, 1000, 1000]),  # suppressed denominator
        ([100, math.nan, 200, 250, 300], THOUSANDS),
        ([0, 150, 200, 250, 300], [0, 1000, 1000, 1000, 1000]),  # zero denominator
        ([0] * 5, THOUSANDS),  # all proportions 0
        (THOUSANDS, THOUSANDS),  # all proportions 1
    ],
)
def test_recent_trend_cannot_be_calculated(nums: list, dens: list) -> None:
    assert s.recent_trend(nums, dens, "high_good") == "Cannot be calculated"


def test_recent_trend_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        s.recent_trend(UP, THOUSANDS, "good")
    with pytest.raises(ValueError):
        s.recent_trend(UP, THOUSANDS[:4], "high_good")
    with pytest.raises(ValueError):
        s.recent_trend([1, 2, 3, 4, 2000], THOUSANDS, "high_good")


# --- SPC -------------------------------------------------------------------------------------

C, IMP, CON = "Common cause", "Special cause: improvement", "Special cause: concern"
HI, LO = "Special cause: higher", "Special cause: lower"


def test_xmr_limits() -> None:
    # mean 12; moving ranges 2, 1, 2, 1, 2 -> mean 1.6; limits 12 -/+ 2.66 * 1.6
    mean, lower, upper = s.xmr_limits([10, 12, 11, 13, 12, 14])
    assert (mean, lower, upper) == pytest.approx((12.0, 12 - 4.256, 12 + 4.256))
    # A missing point is skipped: no moving range is taken across it.
    mean, lower, upper = s.xmr_limits([1, 2, None, 3, None, 4, 5, 6])
    assert (mean, upper) == pytest.approx((3.5, 3.5 + 2.66 * 1.0))
    assert all(math.isnan(x) for x in s.xmr_limits([1, 2, 3, 4, 5]))
    assert all(math.isnan(x) for x in s.xmr_limits([1, None, 2, None, 3, None, 4, None, 5, 6][:9]))


def test_spc_too_few_points_gives_none() -> None:
    assert s.spc_signals([1, 2, 3, 4, 5], "high_good") == [None] * 5
    assert s.spc_signals([1, 2, None, 3, 4, 5], "high_good") == [None] * 6


@pytest.mark.parametrize(
    "polarity, high, low",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_point_beyond_limits(polarity: str, high: str, low: str) -> None:
    assert s.spc_signals([8, 16] * 6 + [40], polarity) == [C] * 12 + [high]  # upper 38.98
    assert s.spc_signals([8, 16] * 6 + [-20], polarity) == [C] * 12 + [low]  # lower -17.95


@pytest.mark.parametrize(
    "polarity, high, low",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_shift_of_seven(polarity: str, high: str, low: str) -> None:
    # mean 11.54: the last eight points (12, 14, ...) sit above it.
    above = [8, 12] * 3 + [12, 14, 12, 14, 12, 14, 12]
    assert s.spc_signals(above, polarity) == [C] * 5 + [high] * 8
    # mean 15.53: the last seven points sit below it; with six only, nothing is flagged.
    below = [10, 30] * 4 + [10, 11, 10, 11, 10, 11, 10]
    assert s.spc_signals(below, polarity) == [C] * 8 + [low] * 7
    assert s.spc_signals(below[:-1], polarity) == [C] * 14


def test_spc_missing_point_breaks_a_run() -> None:
    series = [8, 12] * 3 + [12, 14, 12, None, 14, 12, 14, 12]
    assert s.spc_signals(series, "high_good") == [C] * 9 + [None] + [C] * 4


@pytest.mark.parametrize(
    "polarity, rising, falling",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_trend_of_six(polarity: str, rising: str, falling: str) -> None:
    base = [10, 12, 10, 12, 10, 12]
    up = base + [9, 10, 11, 12, 13, 14] + [12, 10]
    assert s.spc_signals(up, polarity) == [C] * 6 + [rising] * 6 + [C] * 2
    down = base + [14, 13, 12, 11, 10, 9] + [10, 12]
    assert s.spc_signals(down, polarity) == [C] * 6 + [falling] * 6 + [C] * 2
    five = base + [9, 10, 11, 12, 13] + [12, 10]
    assert s.spc_signals(five, polarity) == [C] * 13
    tie = base + [9, 10, 11, 11, 12, 13, 14] + [12, 10]  # an equal value breaks the trend
    assert s.spc_signals(tie, polarity) == [C] * 15


def test_spc_trend_direction_takes_precedence_over_shift() -> None:
    # The last seven points are below the mean (shift: low) but rising (trend: high).
    series = [10, 30] * 4 + [9, 10, 11, 12, 13, 14, 15]
    assert s.spc_signals(series, "high_good") == [C] * 8 + [IMP] * 7
    assert s.spc_signals(series, "low_good") == [C] * 8 + [CON] * 7


def test_spc_rejects_unknown_polarity() -> None:
    with pytest.raises(ValueError):
        s.spc_signals([1, 2, 3, 4, 5, 6], "up")
