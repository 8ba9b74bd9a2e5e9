"""kpi_values' series markers from the registry: SPC options (stated change periods, target)
reach the published SPC columns."""

from __future__ import annotations

import polars as pl

from pipelines import kpis


def _quarters(n: int) -> list[str]:
    return [f"{2018 + i // 4}/{(19 + i // 4) % 100:02d} Q{i % 4 + 1}" for i in range(n)]


def test_registry_change_period_recalculates_spc_limits_in_kpi_values(monkeypatch) -> None:
    from dataclasses import replace

    from pipelines import stats
    from pipelines.definitions.registry import KPI_BY_ID

    periods = _quarters(28)
    values = pl.DataFrame({
        "kpi_id": "coc_21d", "area_type": "london", "area_code": "E12000007",
        "breakdown": "all", "category": "all", "period": periods, "period_type": "quarter",
        "status": "published", "value": [9.0, 11.0] * 7 + [19.0, 21.0] * 7,
        "numerator": 1, "denominator": 2,
    })
    plain = kpis._series_markers(values).sort("period")
    assert stats.SPC_COMMON not in plain.get_column("spc_signal").to_list()
    changed = replace(KPI_BY_ID["coc_21d"], spc_change_periods=(periods[14],))
    monkeypatch.setitem(kpis.KPI_BY_ID, "coc_21d", changed)
    split = kpis._series_markers(values).sort("period")
    assert set(split.get_column("spc_signal")) == {stats.SPC_COMMON}
    assert split.get_column("spc_mean").to_list() == [10.0] * 14 + [20.0] * 14
    assert set(split.get_column("spc_assurance")) == {stats.ASSURANCE_FAIL}  # target 75


def test_each_kpi_uses_its_registry_trend_method() -> None:
    # A zero count: the chi-square method cannot use it, the weighted regression can.
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2024)]
    rows = pl.DataFrame({
        "kpi_id": ["coc_21d"] * 5 + ["tier4_on_release"] * 5,
        "area_type": "london", "area_code": "E12000007", "breakdown": "all", "category": "all",
        "period": years * 2, "period_type": "year", "status": "published",
        "numerator": [0, 15, 20, 25, 30] * 2, "denominator": 1000,
    })
    out = kpis._series_markers(rows.with_columns(value=pl.col("numerator") / 10))
    latest = dict(out.filter(pl.col("period") == "2023/24").select("kpi_id", "trend").iter_rows())
    assert latest == {"coc_21d": "Increasing and getting better",
                      "tier4_on_release": "Cannot be calculated"}
