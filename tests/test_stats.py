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


@pytest.mark.parametrize("confidence", [0, 1, -0.5, 1.5])
def test_z_for_rejects_confidence_outside_0_1(confidence: float) -> None:
    with pytest.raises(ValueError):
        s.z_for(confidence)


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
        (UP, "high_good", "increasing_better"),
        (UP, "low_good", "increasing_worse"),
        (UP, "no_judgement", "increasing"),
        (DOWN, "high_good", "decreasing_worse"),
        (DOWN, "low_good", "decreasing_better"),
        (DOWN, "no_judgement", "decreasing"),
        ([100, 101, 99, 100, 102], "high_good", "no_change"),
    ],
)
def test_recent_trend_labels(nums: list[int], polarity: str, want: str) -> None:
    assert s.recent_trend(nums, THOUSANDS, polarity) == want


def test_recent_trend_uses_99_8_threshold_not_95() -> None:
    nums = [100, 108, 116, 124, 132]  # chi-square 6.24
    x2 = s.chi_square_for_trend(nums, THOUSANDS)
    assert 3.8415 < x2 < s.TREND_THRESHOLD  # significant at 95% but not at 99.8%
    assert s.recent_trend(nums, THOUSANDS, "high_good") == "no_change"
    assert s.TREND_THRESHOLD == pytest.approx(9.5495, abs=1e-4)


def test_recent_trend_takes_last_five_points() -> None:
    # The oldest point would make a strong decrease; only the last five (flat) count.
    nums, dens = [900, 100, 100, 100, 100, 100], [1000] * 6
    assert s.recent_trend(nums, dens, "high_good") == "no_change"
    assert s.recent_trend([None, *UP], [None, *THOUSANDS], "high_good").startswith("increasing")


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
    assert s.recent_trend(nums, dens, "high_good") == "not_calculated"


def test_recent_trend_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        s.recent_trend(UP, THOUSANDS, "good")
    with pytest.raises(ValueError):
        s.recent_trend(UP, THOUSANDS[:4], "high_good")
    with pytest.raises(ValueError):
        s.recent_trend([1, 2, 3, 4, 2000], THOUSANDS, "high_good")


# Fingertips' own test cases (fingertips-open PholioVisualisationWS/AnalysisTest/
# TrendMarkerCalculatorTest.cs; the same data in FingertipsNext's trend-analysis), oldest first.
FT_COUNTS = [994, 1023, 1199, 1332, 1367]
FT_DENOMINATORS = [40299, 41527, 42811, 44064, 44701]
FT_VALUES = [24.67, 24.6, 28, 30.2, 30.6]
FT_LOWER = [23.16, 23.15, 26.44, 28.63, 28.98]
FT_UPPER = [26.25, 26.19, 29.64, 31.9, 32.25]


def test_fingertips_chi_square_case_gives_47_9() -> None:
    result = s.chi_square_trend_test(FT_COUNTS, FT_DENOMINATORS)
    assert round(result.chi_square, 2) == 47.9
    assert result.label == "increasing"
    assert result.slope_signs == (1,) * 6
    assert s.recent_trend(FT_COUNTS, FT_DENOMINATORS, "high_good") == \
        "increasing_better"


def test_fingertips_weighted_regression_case_gives_46_77() -> None:
    result = s.weighted_regression_trend_test(FT_VALUES, FT_LOWER, FT_UPPER)
    assert round(result.chi_square, 2) == 46.77
    assert result.label == "increasing"


def test_fingertips_weighted_regression_not_significant_case() -> None:
    # TestIsSignificantReturnsFalse (GetTrendData_Set2), years 2014-2018.
    result = s.weighted_regression_trend_test(
        [20.5506, 19.5952, 19.0349, 21.3966, 18.4372],
        [18.1803, 17.3444, 16.8421, 19.0918, 16.2925],
        [23.1427, 22.0602, 21.4394, 23.8975, 20.7941])
    assert result.label == "no_change"
    assert result.chi_square < s.TREND_THRESHOLD


@pytest.mark.parametrize("method", sorted(s.TREND_METHODS))
def test_fingertips_first_year_five_of_five_cannot_be_calculated(method: str) -> None:
    # TestIsSignificantForProportionsCannotBeCalculated: 5/5, 3/5, 1/5, 1/4, 2/4 (2012-2016).
    result = s.recent_trend_result([5, 3, 1, 1, 2], [5, 5, 5, 4, 4], "high_good", method)
    assert result.label == "not_calculated"
    assert result.chi_square is None
    assert result.reason == "a point's count equals its denominator"


@pytest.mark.parametrize("method", sorted(s.TREND_METHODS))
def test_count_equal_to_denominator_at_any_point(method: str) -> None:
    for i in range(5):
        nums = [100, 150, 200, 250, 300]
        nums[i] = 1000
        assert s.recent_trend(nums, THOUSANDS, "high_good", method) == "not_calculated"


def test_leave_one_out_disagreement_is_not_significant() -> None:
    # One large last point drives chi-square far past the threshold, but without it the slope
    # falls (110, 100, 100, 100): the six fits disagree, so no significant change.
    nums = [110, 100, 100, 100, 400]
    result = s.chi_square_trend_test(nums, THOUSANDS)
    assert result.chi_square > 100
    assert result.slope_signs[5] == -1 and result.slope_signs[0] == 1
    assert s.recent_trend(nums, THOUSANDS, "high_good") == "no_change"
    weighted = s.recent_trend_result(nums, THOUSANDS, "high_good", "weighted_regression")
    assert weighted.chi_square > s.TREND_THRESHOLD
    assert weighted.label == "no_change"


def test_trend_significant_only_when_greater_than_threshold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    nums = [100, 130, 160, 190, 220]
    chi2 = s.chi_square_trend_test(nums, THOUSANDS).chi_square
    monkeypatch.setattr(s, "TREND_THRESHOLD", chi2)  # exactly at the threshold: not significant
    assert s.recent_trend(nums, THOUSANDS, "high_good") == "no_change"
    monkeypatch.setattr(s, "TREND_THRESHOLD", math.nextafter(chi2, 0))
    assert s.recent_trend(nums, THOUSANDS, "high_good") == "increasing_better"


def test_chi_square_for_trend_with_exactly_two_points() -> None:
    # p = 0.15, xbar = 1.5, U = 5, V = 0.15 * 0.85 * 50 = 6.375: 25 / 6.375.
    assert s.chi_square_for_trend([10, 20], [100, 100]) == pytest.approx(25 / 6.375)
    with pytest.raises(ValueError):
        s.chi_square_for_trend([10], [100])


def test_chi_square_method_cannot_use_a_zero_count() -> None:
    result = s.recent_trend_result([0, 150, 200, 250, 300], THOUSANDS, "high_good")
    assert (result.label, result.reason) == ("not_calculated", "a point's count is 0")
    assert s.recent_trend([0, 150, 200, 250, 300], THOUSANDS, "high_good",
                          "weighted_regression") == "increasing_better"
    with pytest.raises(ValueError):
        s.recent_trend(UP, THOUSANDS, "high_good", "linear")


# --- SPC -------------------------------------------------------------------------------------

C, IMP, CON = "common_cause", "special_improvement", "special_concern"
HI, LO = "special_higher", "special_lower"

# NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: set.seed(123); rnorm(20).
RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499,
             0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383,
             0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
             0.70135590, -0.47279141]


def test_xmr_limits_reproduce_nhsrplotthedots_snapshots() -> None:
    # _snaps/ptd_spc_standard.md: r1 (screened), r2 (y[15] = 10, screened), r3 (not screened).
    assert s.xmr_limits(RNORM_123) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=1e-6)
    spiked = RNORM_123.copy()
    spiked[14] = 10
    assert s.xmr_limits(spiked) == pytest.approx((0.6694159, -2.383666, 3.722497), abs=1e-6)
    assert s.xmr_limits(spiked, screen_outliers=False) == pytest.approx(
        (0.6694159, -4.596625, 5.935457), abs=1e-6)
    chart = s.spc_chart(RNORM_123, "high_good")
    assert {p.signal for p in chart} == {C}  # ptd_spc snapshot: 20 common cause
    assert (chart[0].mean, chart[0].lower, chart[0].upper) == pytest.approx(
        (0.1416238, -3.01138, 3.294627), abs=1e-6)


def test_xmr_limits_skip_missing_points() -> None:
    mean, lower, upper = s.xmr_limits([1, 2, None, 3, None, 4, 5, 6], screen_outliers=False)
    assert (mean, upper) == pytest.approx((3.5, 3.5 + 2.66 * 1.0))
    assert all(math.isnan(x) for x in s.xmr_limits([1, None, 2]))


def test_baseline_fixes_limits_on_the_first_points() -> None:
    chart = s.spc_chart(RNORM_123, "high_good", s.SpcOptions(baseline=13))
    want = s.xmr_limits(RNORM_123[:13])
    assert {(p.mean, p.lower, p.upper) for p in chart} == {want}
    assert want != s.xmr_limits(RNORM_123)
    with pytest.raises(ValueError):
        s.spc_chart(RNORM_123, "high_good", s.SpcOptions(baseline=12))


def test_fewer_than_13_points_give_trial_limits_and_no_signals() -> None:
    series = [10, 12] * 6  # 12 points
    chart = s.spc_chart([*series[:-1], 40], "high_good")
    assert {p.limits for p in chart} == {"trial"}
    assert [p.signal for p in chart] == [None] * 12  # old rules flagged the 40 from 6 points
    assert chart[0].upper is not None
    full = s.spc_chart([*series, 40], "high_good")
    assert {p.limits for p in full} == {"fixed"}
    assert full[-1].signal == IMP and full[-1].rule == s.SPC_RULE_LIMIT
    assert s.spc_chart([5], "high_good")[0].limits is None


@pytest.mark.parametrize(
    "polarity, high, low",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_point_beyond_limits(polarity: str, high: str, low: str) -> None:
    assert s.spc_signals([8, 16] * 6 + [40], polarity) == [C] * 12 + [high]
    assert s.spc_signals([8, 16] * 6 + [-20], polarity) == [C] * 12 + [low]


def test_a_point_exactly_on_a_limit_is_not_beyond_it() -> None:
    base = [8, 12] * 6 + [10]  # mean 10; limits fixed on these 13 points
    _, lower, upper = s.xmr_limits(base)
    options = s.SpcOptions(baseline=13)
    assert s.spc_signals([*base, upper, 10], "high_good", options)[13] == C
    assert s.spc_signals([*base, lower, 10], "high_good", options)[13] == C
    above = math.nextafter(upper, math.inf)
    assert s.spc_signals([*base, above, 10], "high_good", options)[13] == IMP


@pytest.mark.parametrize(
    "polarity, high, low",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_shift_of_seven(polarity: str, high: str, low: str) -> None:
    # mean 11.54: the last eight points (12, 14, ...) sit above it.
    above = [8, 12] * 3 + [12, 14, 12, 14, 12, 14, 12]
    assert s.spc_signals(above, polarity) == [C] * 5 + [high] * 8
    # mean 14.88: the last seven points sit below it; with six only, nothing is flagged.
    below = [10, 30] * 4 + [10, 11, 10, 11, 10, 11, 10]
    assert s.spc_signals(below, polarity) == [C] * 8 + [low] * 7
    assert s.spc_signals([30, *below[:-1]], polarity) == [C] * 15


def test_spc_missing_point_breaks_a_shift() -> None:
    series = [8, 12] * 3 + [12, 14, 12, None, 14, 12, 14, 12]
    assert s.spc_signals(series, "high_good") == [C] * 9 + [None] + [C] * 4


@pytest.mark.parametrize(
    "polarity, rising, falling",
    [("high_good", IMP, CON), ("low_good", CON, IMP), ("no_judgement", HI, LO)],
)
def test_spc_trend_of_seven_not_six(polarity: str, rising: str, falling: str) -> None:
    base = [10, 12, 10, 12, 10, 12]
    up = base + [8, 9, 10, 11, 12, 13, 14] + [12, 10]
    assert s.spc_signals(up, polarity) == [C] * 6 + [rising] * 7 + [C] * 2
    down = base + [14, 13, 12, 11, 10, 9, 8] + [10, 12]
    assert s.spc_signals(down, polarity) == [C] * 6 + [falling] * 7 + [C] * 2
    six = base + [12, 9, 10, 11, 12, 13, 14] + [12, 10]  # six rising: the old rule's trend
    assert s.spc_signals(six, polarity) == [C] * 15
    tie = base + [8, 9, 10, 11, 11, 12, 13, 14] + [12, 10]  # an equal value breaks the trend
    assert s.spc_signals(tie, polarity) == [C] * 16


def test_spc_two_of_three_beyond_two_sigma() -> None:
    # Limits fixed on 14 points alternating 9, 11: mean 10, moving ranges 2, limits
    # 10 +/- 5.32, 2 sigma 3.547, so 14 is beyond 2 sigma and inside the limit.
    base = [9, 11] * 7
    fixed = s.SpcOptions(baseline=14)
    series = base + [14, 10, 14, 10]
    assert s.spc_signals(series, "high_good", fixed) == [C] * 14 + [IMP, C, IMP, C]
    assert s.spc_signals(base + [6, 10, 6, 10], "high_good", fixed)[14:] == [CON, C, CON, C]
    # Opposite sides never count (NHSRplotthedots' example: 5.5 then -5.5 about a mean of 0).
    alternating = [1, -1] * 8
    alternating[14], alternating[15] = 5.5, -5.5
    assert s.spc_signals(alternating, "high_good")[-2:] == [C, C]
    # Two of three, not two of four.
    assert s.spc_signals(base + [14, 10, 10, 14], "high_good", fixed)[-4:] == [C] * 4


def test_spc_two_of_three_counts_a_point_beyond_three_sigma() -> None:
    # MDC since November 2023: a point beyond the limit counts towards the two of three, so the
    # 2-sigma point beside it is special cause too (NHSRplotthedots 0.2 counts only points
    # between 2 and 3 sigma).
    series = [9, 11] * 7 + [14, 10, 17, 10]
    chart = s.spc_chart(series, "high_good", s.SpcOptions(baseline=14))
    assert [p.rule for p in chart[14:]] == [s.SPC_RULE_TWO_OF_THREE, None, s.SPC_RULE_LIMIT,
                                            None]
    assert [p.signal for p in chart[14:]] == [IMP, C, IMP, C]


def test_spc_precedence_trend_over_shift() -> None:
    # The last seven points are below the mean (shift: low) but rising (trend: high).
    series = [10, 30] * 4 + [9, 10, 11, 12, 13, 14, 15]
    chart = s.spc_chart(series, "high_good")
    assert [p.signal for p in chart] == [C] * 8 + [IMP] * 7
    assert {p.rule for p in chart[8:]} == {s.SPC_RULE_TREND}
    assert s.spc_signals(series, "low_good") == [C] * 8 + [CON] * 7


def test_spc_change_point_recalculates_limits() -> None:
    low, high = [9, 11] * 7, [19, 21] * 7
    unsplit = s.spc_chart(low + high, "high_good")
    assert C not in {p.signal for p in unsplit}  # one set of limits: every point special
    split = s.spc_chart(low + high, "high_good", s.SpcOptions(change_points=(14,)))
    assert {p.signal for p in split} == {C}
    assert {p.mean for p in split[:14]} == {10} and {p.mean for p in split[14:]} == {20}


def test_assurance_reproduces_nhsrplotthedots_examples() -> None:
    # test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5) and a target of 4.
    limits = [(1, 3), (5, 7), (1, 5)]
    increase = [s.assurance(4, lo, hi, "high_good") for lo, hi in limits]
    assert increase == [s.ASSURANCE_FAIL, s.ASSURANCE_PASS, s.ASSURANCE_HIT_OR_MISS]
    decrease = [s.assurance(4, lo, hi, "low_good") for lo, hi in limits]
    assert decrease == [s.ASSURANCE_PASS, s.ASSURANCE_FAIL, s.ASSURANCE_HIT_OR_MISS]
    assert s.assurance(4, 1, 3, "no_judgement") is None
    assert s.assurance(None, 1, 3, "high_good") is None
    assert s.assurance(5, 1, 5, "high_good") == s.ASSURANCE_HIT_OR_MISS  # on the limit


def test_spc_chart_carries_assurance_for_a_target() -> None:
    chart = s.spc_chart([60, 62] * 7, "high_good", s.SpcOptions(target=75.0))
    assert {p.assurance for p in chart} == {s.ASSURANCE_FAIL}
    trial = s.spc_chart([60, 62] * 6, "high_good", s.SpcOptions(target=75.0))
    assert {p.assurance for p in trial} == {None}


def test_spc_rejects_unknown_polarity() -> None:
    with pytest.raises(ValueError):
        s.spc_signals([1, 2, 3, 4, 5, 6], "up")
