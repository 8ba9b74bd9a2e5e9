"""Chart builders of the Tier 4 and long-term recovery pages, tested as pure functions on small
inline frames: what each chart plots (published rows only), its reference lines and its table
twin."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dashboard.charts import palette
from dashboard.charts import recovery as recovery_charts
from dashboard.charts import tier4 as tier4_charts

BASE_ROW: dict[str, object] = {
    "kpi_id": "tier4_on_release", "period": "2023/24", "period_type": "year",
    "period_start": date(2023, 4, 1), "area_type": "la", "area_code": "E09000022",
    "area_name": "Lambeth", "breakdown": "all", "category": "all", "numerator": 8,
    "denominator": 200, "value": 4.0, "lower_95": 2.0, "upper_95": 7.7,
    "status": "published", "note": None, "compared_to_london": "similar",
    "trend": None, "available_from": date(2024, 6, 24),
}
SCHEMA = {"kpi_id": pl.String, "period": pl.String, "period_type": pl.String,
          "period_start": pl.Date, "area_type": pl.String, "area_code": pl.String,
          "area_name": pl.String, "breakdown": pl.String, "category": pl.String,
          "numerator": pl.Int64, "denominator": pl.Int64, "value": pl.Float64,
          "lower_95": pl.Float64, "upper_95": pl.Float64, "status": pl.String,
          "note": pl.String, "compared_to_london": pl.String, "trend": pl.String,
          "available_from": pl.Date}
HIDDEN = {"numerator": None, "value": None, "lower_95": None, "upper_95": None,
          "compared_to_london": None}


def rows(*changes: dict[str, object]) -> pl.DataFrame:
    """kpi_values-like rows: BASE_ROW with each dict of changes applied."""
    return pl.DataFrame([{**BASE_ROW, **change} for change in changes], schema=SCHEMA)


def suppressed(**changes: object) -> dict[str, object]:
    return {**HIDDEN, "status": "suppressed",
            "note": "Value suppressed for disclosure control due to small count", **changes}


def immature(**changes: object) -> dict[str, object]:
    return {**HIDDEN, "denominator": None, "status": "immature",
            "note": "Not yet available", **changes}


def layers(spec: dict) -> list[dict]:
    """Every layer of a (possibly faceted) chart spec, with its rows under 'values'."""
    datasets = spec.get("datasets", {})
    found = []

    def visit(node: dict, inherited: list[dict] | None) -> None:
        data = node.get("data", {}).get("name")
        values = datasets.get(data, inherited) if data else inherited
        if "layer" in node:
            for child in node["layer"]:
                visit(child, values)
        elif "spec" in node:
            visit(node["spec"], values)
        else:
            found.append({**node, "values": values or []})

    visit(spec, None)
    return found


def mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def plotted(spec: dict, field: str) -> list[dict]:
    """Rows drawn as points with `field` on x or y: the values a chart plots."""
    return [row for layer in layers(spec) if mark(layer) == "point"
            for channel in ("x", "y") if layer.get("encoding", {}).get(channel, {})
            .get("field") == field for row in layer["values"]]


# --- Tier 4 ------------------------------------------------------------------------------------

def london_years() -> pl.DataFrame:
    return rows(
        {"period": "2021/22", "period_start": date(2021, 4, 1), "area_name": "London",
         "value": 1.7},
        {"period": "2022/23", "period_start": date(2022, 4, 1), "area_name": "London",
         **suppressed()},
        {"period": "2023/24", "area_name": "London", "value": 2.1},
        {"period": "2024/25", "period_start": date(2024, 4, 1), "area_name": "London",
         **immature(available_from=date(2025, 6, 24))},
    )


def test_trend_plots_only_published_years_and_draws_the_ambition_line() -> None:
    spec = tier4_charts.trend_chart(london_years(), "London").to_dict()
    periods = {row["period"] for row in plotted(spec, "value")}
    assert periods == {"2021/22", "2023/24"}
    ambition = [layer for layer in layers(spec) if mark(layer) == "rule"
                and layer["values"] and layer["values"][0].get("value") == 2.0]
    assert len(ambition) == 1
    assert "context" in ambition[0]["values"][0]["label"]
    assert "not a formal target" in " ".join(spec["title"]["subtitle"])
    # every year stays on the axis, so a hidden year is a visible gap, not a missing year
    x_domain = next(layer["encoding"]["x"]["scale"]["domain"] for layer in layers(spec)
                    if layer["encoding"].get("x", {}).get("field") == "period")
    assert x_domain == ["2021/22", "2022/23", "2023/24", "2024/25"]


@pytest.mark.parametrize("show", [True, False])
def test_trend_intervals_follow_the_toggle(show: bool) -> None:
    spec = tier4_charts.trend_chart(london_years(), "London", show_intervals=show).to_dict()
    interval_layers = [layer for layer in layers(spec)
                       if layer["encoding"].get("y2", {}).get("field") == "upper_95"]
    assert len(interval_layers) == (1 if show else 0)


def test_grid_marks_suppressed_cells_and_shows_true_zeros() -> None:
    grid = tier4_charts.grid_frame(rows(
        {"area_name": "Lambeth", "numerator": 8},
        {"area_name": "Sutton", "numerator": 0, "value": 0.0},
        {"area_name": "Merton", **suppressed()},
        {"area_name": "Bexley", **suppressed(note="Value suppressed for disclosure control: "
                                             "it could otherwise be worked out")},
    ))
    shown = dict(zip(grid["area_name"], grid["count_text"], strict=True))
    assert shown == {"Lambeth": "8", "Sutton": "0", "Merton": "*", "Bexley": "*"}
    categories = dict(zip(grid["area_name"], grid["category"], strict=True))
    assert categories["Merton"] == palette.SUPPRESSED
    assert categories["Lambeth"] == palette.SIMILAR
    spec = tier4_charts.grid_chart(grid, "Grid", "Borough").to_dict()
    texts = [layer for layer in layers(spec) if mark(layer) == "text"]
    assert texts[0]["encoding"]["text"]["field"] == "count_text"
    assert {row["count_text"] for row in texts[0]["values"]} == {"8", "0", "*"}
    legend = next(layer["encoding"]["color"] for layer in layers(spec) if mark(layer) == "rect")
    assert legend["legend"]["title"] == "Compared with London"
    assert palette.SUPPRESSED in legend["scale"]["domain"]


def test_grid_says_not_yet_for_a_cell_whose_follow_up_is_open() -> None:
    grid = tier4_charts.grid_frame(rows({**immature(available_from=date(2025, 6, 24))}))
    assert grid.row(0, named=True)["count_text"] == "Not yet"
    assert grid.row(0, named=True)["category"] == palette.NOT_YET
    assert grid.row(0, named=True)["value_text"] == \
        "Not yet available (once data to 24 Jun 2025 is loaded)"


def test_grid_table_is_one_row_per_area_with_counts_and_rates() -> None:
    grid = tier4_charts.grid_frame(rows(
        {"period": "2022/23", "period_start": date(2022, 4, 1), "numerator": 6, "value": 3.0},
        {"period": "2023/24", **suppressed()},
        {"area_name": "Sutton", "period": "2022/23", "period_start": date(2022, 4, 1),
         **suppressed()},
        {"area_name": "Sutton", "numerator": 0, "value": 0.0},
    ))
    table = tier4_charts.grid_table(grid, "Borough")
    assert table.columns == ["Borough", "2022/23: Tier 4 entries", "2022/23: per 100 releases",
                             "2023/24: Tier 4 entries", "2023/24: per 100 releases"]
    assert table.row(0) == ("Lambeth", "6", "3.0", "*", "*")
    assert table.row(1) == ("Sutton", "*", "*", "0", "0.0")


def test_area_rates_leave_out_suppressed_areas_and_draw_london_and_ambition() -> None:
    frame = rows({"area_name": "Lambeth", "value": 4.0},
                 {"area_name": "Sutton", **suppressed()},
                 {"area_name": "Croydon", "value": 1.2,
                  "compared_to_london": "worse"})
    spec = tier4_charts.area_rates_chart(frame, "Areas", 2.3, ambition=2.0).to_dict()
    assert {row["name"] for row in plotted(spec, "value")} == {"Lambeth", "Croydon"}
    reference_values = sorted(layer["values"][0]["value"] for layer in layers(spec)
                              if mark(layer) == "rule" and "label" in layer["values"][0])
    assert reference_values == [2.0, 2.3]
    colours = next(layer["encoding"]["color"] for layer in layers(spec) if mark(layer) == "point")
    assert colours["scale"]["domain"] == [palette.SIMILAR, palette.WORSE]


def test_rates_table_marks_hidden_and_not_yet_available_figures() -> None:
    table = tier4_charts.rates_table(rows(
        {"area_name": "Lambeth"},
        {"area_name": "Sutton", **suppressed()},
        {"area_name": "Merton", **immature(available_from=date(2026, 9, 30))},
    ), "Borough")
    assert table["Rate"].to_list() == ["4.0 per 100 releases", "*",
                                       "Not yet available (once data to 30 Sep 2026 is loaded)"]
    assert table["Tier 4 entries"].to_list() == ["8", "*", ""]


@pytest.mark.parametrize(("period", "expected"), [
    ("2024/25", "2022/23 to 2024/25"),
    ("2023/24", "2021/22 to 2023/24"),
    ("2021/22", "2020/21 to 2022/23"),
    ("2020/21", "2020/21 to 2022/23"),
    ("2019/20", "2022/23 to 2024/25"),
])
def test_rolling_window_for_a_year(period: str, expected: str) -> None:
    windows = ["2020/21 to 2022/23", "2021/22 to 2023/24", "2022/23 to 2024/25"]
    assert tier4_charts.rolling_window_for(period, windows) == expected


def test_no_rolling_window_without_windows() -> None:
    assert tier4_charts.rolling_window_for("2024/25", []) is None


# --- Long-term recovery ------------------------------------------------------------------------

def cohort() -> pl.DataFrame:
    common = {"area_type": "london", "area_name": "London", "compared_to_london": None}
    return rows(
        {**common, "kpi_id": "coc_21d", "period": "2023/24", "value": 40.0},
        {**common, "kpi_id": "coc_21d", "period": "2024/25", "period_start": date(2024, 4, 1),
         "value": 48.0},
        {**common, "kpi_id": "completed_12m", "period": "2023/24", "value": 8.1},
        {**common, "kpi_id": "completed_12m", "period": "2024/25",
         "period_start": date(2024, 4, 1), **immature(available_from=date(2026, 9, 30))},
        {**common, "kpi_id": "returned_custody_12m", "period": "2023/24", **suppressed()},
    )


def test_cohort_chart_never_plots_immature_or_suppressed_figures() -> None:
    spec = recovery_charts.cohort_chart(cohort(), "Cohort").to_dict()
    points = {(row["kpi_id"], row["period"]) for row in plotted(spec, "value")}
    assert points == {("coc_21d", "2023/24"), ("coc_21d", "2024/25"),
                      ("completed_12m", "2023/24")}
    assert all(row["value"] is not None for row in plotted(spec, "value"))
    colour = next(layer["encoding"]["color"] for layer in layers(spec) if mark(layer) == "line")
    assert colour["scale"]["domain"] == [recovery_charts.MILESTONES[k] for k in
                                         ("coc_21d", "completed_12m", "returned_custody_12m")]
    assert len(set(colour["scale"]["range"])) == 3


def test_cohort_chart_intervals_follow_the_toggle() -> None:
    with_ci = recovery_charts.cohort_chart(cohort(), "Cohort", show_intervals=True).to_dict()
    without = recovery_charts.cohort_chart(cohort(), "Cohort", show_intervals=False).to_dict()
    def has_interval(spec: dict) -> bool:
        return any(layer["encoding"].get("y2", {}).get("field") == "upper_95"
                   for layer in layers(spec))
    assert has_interval(with_ci) and not has_interval(without)


def test_values_table_says_when_an_immature_figure_will_be_available() -> None:
    titles = {"coc_21d": "Continuity of care (21 days)",
              "completed_12m": "Completed without re-presenting"}
    table = recovery_charts.values_table(cohort(), titles)
    immature_row = table.filter(pl.col("Indicator") == "Completed without re-presenting") \
        .filter(pl.col("Period") == "2024/25")
    assert immature_row["Value"].item() == "Not yet available (once data to 30 Sep 2026 is loaded)"
    assert table.filter(pl.col("Indicator") == "returned_custody_12m")["Value"].item() == "*"


def test_breakdown_chart_plots_published_groups_beside_all_releases() -> None:
    common = {"area_type": "london", "area_name": "London", "kpi_id": "coc_21d",
              "breakdown": "sex", "compared_to_london": None}
    groups = rows({**common, "category": "male", "value": 39.9},
                  {**common, "category": "female", "value": 40.2},
                  {**common, "category": "other", **suppressed()},
                  {**common, "kpi_id": "completed_12m", "category": "male",
                   **immature(available_from=date(2026, 9, 30))})
    everyone = rows({"area_type": "london", "kpi_id": "coc_21d", "value": 40.0})
    frame = recovery_charts.breakdown_frame(groups, everyone)
    assert sorted(frame["group"].to_list()) == ["All releases", "Female", "Male"]
    spec = recovery_charts.breakdown_chart(frame, "By sex", frame["group"].to_list()).to_dict()
    assert spec["facet"]["row"]["field"] == "milestone"
    assert {row["group"] for row in plotted(spec, "value")} == {"All releases", "Female", "Male"}
    assert all(row["kpi_id"] == "coc_21d" for row in plotted(spec, "value"))


def test_category_labels_read_as_words() -> None:
    frame = pl.DataFrame({"category": ["non_opiate_and_alcohol", "remand_court", "50+",
                                       "new_group"]})
    labels = frame.select(recovery_charts.category_label_expr())["category"].to_list()
    assert labels == ["Non-opiate and alcohol", "From court or on remand", "50+", "New group"]


def curve() -> pl.DataFrame:
    return pl.DataFrame({
        "period": ["2023/24"] * 5 + ["2024/25"] * 3,
        "day": [0, 7, 14, 21, 28, 0, 7, 14],
        "releases": [100, 100, None, 100, 100, 90, None, None],
        "engaged": [5, 20, None, 30, 32, 6, None, None],
        "percent": [5.0, 20.0, None, 30.0, 32.0, 6.7, None, None],
        "status": ["published", "published", "suppressed", "published", "published",
                   "published", "suppressed", "immature"],
    })


def test_curve_leaves_out_hidden_points_and_breaks_the_line_there() -> None:
    frame = recovery_charts.curve_frame(curve())
    assert frame.filter(pl.col("period") == "2023/24")["day"].to_list() == [0, 7, 21, 28]
    segments = frame.filter(pl.col("period") == "2023/24")["segment"].to_list()
    assert segments[0] == segments[1] != segments[2] == segments[3]
    spec = recovery_charts.engagement_curve_chart(curve(), "Curves").to_dict()
    points = plotted(spec, "percent")
    assert {(r["period"], r["day"]) for r in points} == {
        ("2023/24", 0), ("2023/24", 7), ("2023/24", 21), ("2023/24", 28), ("2024/25", 0)}
    line = next(layer for layer in layers(spec) if mark(layer) == "line")
    assert line["encoding"]["detail"]["field"] == "segment"
    marker = [layer for layer in layers(spec) if mark(layer) == "rule"]
    assert marker and marker[0]["values"][0]["day"] == 21


def test_curve_table_is_a_day_by_year_grid_with_markers() -> None:
    table = recovery_charts.curve_table(curve())
    assert table.columns == ["Days after release", "2023/24", "2024/25"]
    assert table.row(1) == (7, "20.0%", "*")
    assert table.row(2) == (14, "*", "Not yet available")
    assert table.row(3) == (21, "30.0%", "")


def test_maturity_table_says_published_or_when_available() -> None:
    titles = {"coc_21d": "Continuity of care (21 days)",
              "completed_12m": "Completed without re-presenting",
              "returned_custody_12m": "Returned to custody within 12 months"}
    follow_up = {"coc_21d": 21, "completed_12m": 547, "returned_custody_12m": 365}
    table = recovery_charts.maturity_table(cohort(), titles, follow_up)
    assert table["Indicator"].to_list() == list(titles.values())
    assert table.row(1) == ("Completed without re-presenting", 547, "Published",
                            "Not yet available (once data to 30 Sep 2026 is loaded)")
    assert table.row(2)[2] == "Suppressed (*)"
