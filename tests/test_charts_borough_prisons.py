"""Chart builders and narratives of the borough profile and prisons pages, on small inline
frames: what each chart draws (and never draws), and what each summary says."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl
import pytest

from dashboard import formatting
from dashboard.charts import flows, funnel, spine, trends
from dashboard.narrative import borough as borough_text
from dashboard.narrative import prisons as prisons_text

LATER = date(2026, 9, 30)
DEFINITIONS = pl.DataFrame({
    "id": ["coc_21d", "tier4_on_release", "engaged_6m", "completed_12m",
           "returned_custody_12m", "settled_on_release", "pre_release_contact"],
    "title": ["Continuity of care (21 days)", "Tier 4 rehab entries on release",
              "In treatment or completed at 6 months", "Completed without re-presenting",
              "Returned to custody within 12 months", "Settled accommodation on release",
              "Met community provider before release"],
    "unit": ["percent", "rate_per_100", "percent", "percent", "percent", "percent", "percent"],
    "polarity": ["high_good", "high_good", "high_good", "high_good", "low_good", "high_good",
                 "high_good"],
    "follow_up_days": [21, 84, 182, 547, 365, 0, 0],
    "denominator_family": ["releases", "releases", "releases", "releases", "releases",
                           "known_accommodation", "releases"],
    "target": [75.0, None, None, None, None, None, None],
})


def kv(kpi_id: str, value: float | None = None, status: str = "published", *,
       area_code: str = "E09000022", area_name: str = "Lambeth", area_type: str = "la",
       period: str = "2024/25", period_start: date = date(2024, 4, 1),
       numerator: int | None = None, denominator: int | None = None,
       london: str | None = "similar", england: str | None = "not_compared",
       trend: str | None = None, available_from: date | None = None,
       breakdown: str = "all", category: str = "all") -> dict:
    """One kpi_values row: published rows get a 95% interval of +/- 5 points."""
    published = status == "published"
    return {
        "kpi_id": kpi_id, "period": period, "period_type": "year",
        "period_start": period_start, "area_type": area_type, "area_code": area_code,
        "area_name": area_name, "breakdown": breakdown, "category": category,
        "numerator": numerator if published else None,
        "denominator": denominator, "value": value if published else None,
        "lower_95": value - 5 if published and value is not None else None,
        "upper_95": value + 5 if published and value is not None else None,
        "status": status,
        "note": None if published else ("Value suppressed for disclosure control due to small "
                                        "count" if status == "suppressed" else
                                        "Not yet available"),
        "compared_to_london": london if published else "not_compared",
        "compared_to_england": england, "trend": trend, "available_from": available_from,
    }


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema_overrides={
        "numerator": pl.Int64, "denominator": pl.Int64, "value": pl.Float64,
        "lower_95": pl.Float64, "upper_95": pl.Float64, "available_from": pl.Date,
        "note": pl.String, "trend": pl.String, "compared_to_london": pl.String,
        "compared_to_england": pl.String})


def layers(chart: alt.TopLevelMixin) -> list[tuple[str, list[dict]]]:
    """(mark type, data rows) of each layer of a layered chart."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec["layer"]:
        data = layer.get("data", spec.get("data"))
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        out.append((mark, datasets[data["name"]] if data else []))
    return out


def layer_rows(chart: alt.TopLevelMixin, mark: str) -> list[dict]:
    return [row for kind, rows in layers(chart) if kind == mark for row in rows]


# --- Spine chart ------------------------------------------------------------------------------

@pytest.fixture
def spine_rows() -> pl.DataFrame:
    area = frame(
        kv("coc_21d", 60.0, numerator=60, denominator=100, london="better"),
        kv("tier4_on_release", status="suppressed", denominator=100),
        kv("engaged_6m", 20.0, numerator=20, denominator=100),
        kv("completed_12m", status="immature", available_from=LATER),
        kv("returned_custody_12m", 40.0, numerator=40, denominator=100),
        kv("settled_on_release", 50.0, numerator=50, denominator=100),
    )
    peers = frame(
        kv("coc_21d", 30.0, area_code="A"), kv("coc_21d", 70.0, area_code="B"),
        kv("coc_21d", status="suppressed", area_code="C"),
        kv("tier4_on_release", 1.0, area_code="A"), kv("tier4_on_release", 5.0, area_code="B"),
        kv("engaged_6m", 10.0, area_code="A"), kv("engaged_6m", 40.0, area_code="B"),
        kv("returned_custody_12m", 20.0, area_code="A"),
        kv("returned_custody_12m", 60.0, area_code="B"),
        kv("settled_on_release", 45.0, area_code="A"),
        kv("settled_on_release", 55.0, area_code="B"),
    )
    london = frame(
        kv("coc_21d", 50.0, area_type="london", area_code="E12000007", area_name="London"),
        kv("tier4_on_release", 2.0, area_type="london", area_code="E12000007"),
        kv("engaged_6m", 25.0, area_type="london", area_code="E12000007"),
        kv("completed_12m", status="immature", area_type="london", available_from=LATER),
        kv("returned_custody_12m", 30.0, area_type="london", area_code="E12000007"),
        kv("settled_on_release", 50.0, area_type="london", area_code="E12000007"),
    )
    return spine.spine_frame(area, peers, london, DEFINITIONS)


def test_spine_puts_london_in_the_middle_and_better_on_the_right(spine_rows) -> None:
    rows = {r["kpi_id"]: r for r in spine_rows.iter_rows(named=True)}
    assert rows["coc_21d"]["pos_london"] == 50.0
    # 60 against London 50, furthest peer 20 away (30): 50 + 50 * 10 / 20
    assert rows["coc_21d"]["pos_value"] == pytest.approx(75.0)
    # Returned to custody is low-is-good (London 30, peers 20 and 60, area 40): higher values
    # sit to the left, so the worst peer (60) touches the left edge.
    assert rows["returned_custody_12m"]["pos_value"] == pytest.approx(50 - 50 * 10 / 30)
    assert rows["returned_custody_12m"]["pos_range_start"] == pytest.approx(0.0)
    assert rows["returned_custody_12m"]["pos_range_end"] == pytest.approx(50 + 50 * 10 / 30)


def test_spine_range_uses_only_published_peers(spine_rows) -> None:
    coc = spine_rows.filter(pl.col("kpi_id") == "coc_21d").row(0, named=True)
    assert (coc["peer_min"], coc["peer_max"], coc["peer_count"]) == (30.0, 70.0, 2)


def test_spine_chart_never_places_a_suppressed_or_immature_figure(spine_rows) -> None:
    chart = spine.spine_chart(spine_rows, "Lambeth", "Lambeth")
    markers = layer_rows(chart, "point")
    assert {r["kpi_id"] for r in markers} == {"coc_21d", "engaged_6m", "returned_custody_12m",
                                               "settled_on_release"}
    words = {r["title"]: r["text"] for r in layer_rows(chart, "text")
             if not r["text"].startswith("London")}
    assert words["Tier 4 rehab entries on release"] == "* suppressed"
    assert words["Completed without re-presenting"] == \
        "Not yet available"  # the date is in the summary, tooltip and table
    assert words["Continuity of care (21 days)"] == "60.0%"
    # No peer bar or London spine for the KPI whose London value is not yet available.
    assert "Completed without re-presenting" not in {r["title"] for r in layer_rows(chart, "bar")}
    assert "Completed without re-presenting" not in {r["title"]
                                                     for r in layer_rows(chart, "tick")}


def test_spine_chart_marks_london_and_colours_by_benchmark(spine_rows) -> None:
    chart = spine.spine_chart(spine_rows, "Lambeth", "Lambeth")
    assert {r["pos_london"] for r in layer_rows(chart, "tick")} == {50.0}
    london_words = [r["text"] for r in layer_rows(chart, "text") if r["text"].startswith("London")]
    assert "London 50.0%" in london_words and "London 2.0 per 100" in london_words
    marker = next(layer for layer in chart.to_dict()["layer"] if layer["mark"]["type"] == "point")
    assert marker["encoding"]["color"]["scale"]["domain"] == ["Better", "Similar"]


def test_spine_without_a_comparator_shows_words_only() -> None:
    area = frame(kv("coc_21d", 40.0, numerator=40, denominator=100))
    rows = spine.spine_frame(area, area, area.clear(), DEFINITIONS.head(1))
    assert rows.item(0, "pos_value") is None and rows.item(0, "pos_london") is None
    assert rows.item(0, "london_text") == "No data"
    assert layer_rows(spine.spine_chart(rows, "t", "Lambeth"), "point") == []


def test_spine_table_marks_suppressed_figures(spine_rows) -> None:
    table = spine.spine_table(spine_rows)
    tier4 = table.filter(pl.col("Indicator") == "Tier 4 rehab entries on release").row(
        0, named=True)
    assert (tier4["Value"], tier4["Numerator"], tier4["Denominator"]) == ("*", "*", "100")
    assert table.filter(pl.col("Indicator") == "Completed without re-presenting") \
        .item(0, "Value") == "Not yet available (once data to 30 Sep 2026 is loaded)"


# --- Trends -----------------------------------------------------------------------------------

def trend_input() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    years = [("2022/23", date(2022, 4, 1)), ("2023/24", date(2023, 4, 1)),
             ("2024/25", date(2024, 4, 1))]
    area = frame(
        kv("coc_21d", 30.0, period=years[0][0], period_start=years[0][1]),
        kv("coc_21d", status="suppressed", period=years[1][0], period_start=years[1][1]),
        kv("coc_21d", 45.0, period=years[2][0], period_start=years[2][1],
           trend="increasing_better"),
    )
    london = frame(*[kv("coc_21d", 40.0 + i, period=p, period_start=s, area_type="london",
                        area_name="London") for i, (p, s) in enumerate(years)])
    england = frame(
        kv("coc_21d", 34.5, period="2019/20", period_start=date(2019, 4, 1),
           area_type="england", area_name="England"),
        kv("coc_21d", 53.0, period=years[1][0], period_start=years[1][1], area_type="england",
           area_name="England"))
    return area, london, england


def test_trend_frame_blanks_every_unpublished_value() -> None:
    rows = trends.trend_frame(*trend_input(), "Lambeth", "percent")
    hidden = rows.filter((pl.col("series") == "Lambeth") & (pl.col("period") == "2023/24"))
    assert hidden.item(0, "value") is None and hidden.item(0, "upper_95") is None
    assert hidden.item(0, "marker") == "*"
    # Even a value carried on an unpublished row is never passed on to be drawn.
    area, london, england = trend_input()
    leaky = area.with_columns(pl.lit(12.0).alias("value"), pl.lit(10.0).alias("lower_95"))
    rows = trends.trend_frame(leaky, london, england, "Lambeth", "percent")
    hidden = rows.filter((pl.col("series") == "Lambeth") & (pl.col("status") != "published"))
    assert hidden.get_column("value").to_list() == [None]
    assert hidden.get_column("lower_95").to_list() == [None]
    # England's 2019/20 is outside the area's periods: dropped.
    assert rows.filter(pl.col("series") == "England").get_column("period").to_list() == [
        "2023/24"]


def test_trend_chart_draws_london_and_england_and_no_suppressed_point() -> None:
    rows = trends.trend_frame(*trend_input(), "Lambeth", "percent")
    chart = trends.trend_chart(rows, "t", "Per cent", "Lambeth", target=75.0)
    points = layer_rows(chart, "point")
    assert {r["series"] for r in points} == {"Lambeth", "London", "England"}
    assert ("Lambeth", "2023/24") not in {(r["series"], r["period"]) for r in points}
    markers = [r for r in layer_rows(chart, "text") if r.get("marker")]
    assert [(r["period"], r["marker"]) for r in markers] == [("2023/24", "*")]
    assert 75.0 in {r["value"] for r in layer_rows(chart, "rule") if "label" in r}
    line = next(layer for layer in chart.to_dict()["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["color"]["scale"]["domain"] == ["Lambeth", "London", "England"]


def test_trend_chart_without_a_comparator_has_no_england_line() -> None:
    area, london, _ = trend_input()
    rows = trends.trend_frame(area, london, london.clear(), "Lambeth", "percent")
    chart = trends.trend_chart(rows, "t", "Per cent", "Lambeth")
    assert "England" not in {r["series"] for r in layer_rows(chart, "line")}


def test_trend_chart_honours_the_intervals_toggle() -> None:
    rows = trends.trend_frame(*trend_input(), "Lambeth", "percent")
    with_ci = [m for m, _ in layers(trends.trend_chart(rows, "t", "%", "Lambeth"))]
    without = [m for m, _ in layers(trends.trend_chart(rows, "t", "%", "Lambeth",
                                                       show_intervals=False))]
    assert "area" in with_ci and "area" not in without


def test_trend_table_lists_the_area_first_with_stars() -> None:
    rows = trends.trend_frame(*trend_input(), "Lambeth", "percent")
    table = trends.trend_table(rows, "Lambeth")
    assert table.get_column("Area").to_list()[:3] == ["Lambeth"] * 3
    assert table.row(1, named=True)["Value"] == "*"


# --- Funnel -----------------------------------------------------------------------------------

def funnel_rows(tier4_status: str = "suppressed") -> pl.DataFrame:
    return frame(
        kv("coc_21d", 45.0, numerator=76, denominator=169),
        kv("tier4_on_release", 4.7 if tier4_status == "published" else None, tier4_status,
           numerator=8, denominator=169),
        kv("engaged_6m", 26.0, numerator=44, denominator=169),
        kv("completed_12m", status="immature", available_from=LATER),
        kv("pre_release_contact", 41.4, numerator=70, denominator=169),
    )


def test_releases_kpi_is_a_releases_kpi_needing_no_follow_up() -> None:
    assert funnel.releases_kpi_id(DEFINITIONS) == "pre_release_contact"


def test_funnel_uses_published_numerators_and_says_what_is_missing() -> None:
    stages = funnel.funnel_frame(funnel_rows(), DEFINITIONS)
    assert stages.get_column("count").to_list() == [169, 76, None, 44, None]
    assert stages.get_column("label").to_list() == [
        "169", "76 (45.0%)", "*", "44 (26.0%)",
        "Not yet available (once data to 30 Sep 2026 is loaded)"]
    chart = funnel.funnel_chart(stages, "t")
    assert [r["count"] for r in layer_rows(chart, "bar")] == [169, 76, 44]
    words = {r["stage"]: r["label"] for r in layer_rows(chart, "text") if r["count"] is None}
    assert words["Entered Tier 4 rehab within 12 weeks"] == funnel.SUPPRESSED_TEXT
    assert words["Completed without re-presenting"] == \
        "Not yet available"  # the date is in the summary, tooltip and table


def test_funnel_takes_the_number_released_from_a_mature_kpi() -> None:
    rows = funnel_rows().filter(pl.col("kpi_id").is_in(["completed_12m",
                                                         "pre_release_contact"]))
    assert funnel.funnel_frame(rows, DEFINITIONS).item(0, "count") == 169
    suppressed = frame(kv("coc_21d", status="suppressed"),
                       kv("pre_release_contact", status="suppressed"))
    stages = funnel.funnel_frame(suppressed, DEFINITIONS)
    assert stages.item(0, "status") == "suppressed" and stages.item(0, "label") == "*"
    assert layer_rows(funnel.funnel_chart(stages, "t"), "bar") == []


def test_funnel_table_shows_rates_and_stars() -> None:
    table = funnel.funnel_table(funnel.funnel_frame(funnel_rows("published"), DEFINITIONS))
    assert table.row(2) == ("Entered Tier 4 rehab within 12 weeks", "8",
                            "4.7 per 100 releases")
    table = funnel.funnel_table(funnel.funnel_frame(funnel_rows(), DEFINITIONS))
    assert table.row(2)[1:] == ("*", "*")


# --- Release flows ----------------------------------------------------------------------------

PRISONS = pl.DataFrame({"code": ["BAI", "BZI", "PVI"],
                        "name": ["Belmarsh", "Bronzefield", "Pentonville"]})
LAS = pl.DataFrame({"code": ["E09000022", "E09000028"], "name": ["Lambeth", "Southwark"]})


def flow_rows() -> pl.DataFrame:
    rows = [("BAI", "E09000022", 47, "published"), ("BZI", "E09000022", None, "suppressed"),
            ("BAI", "E09000028", 30, "published"), ("PVI", "E09000028", 12, "published"),
            ("BZI", "E09000028", None, "suppressed"), ("BAI", "all", 80, "published"),
            ("BZI", "all", 9, "published"), ("PVI", "all", 12, "published"),
            ("all", "E09000022", 50, "published"), ("all", "E09000028", 45, "published"),
            ("BAI", "outside_london", 3, "suppressed")]
    return pl.DataFrame(rows, schema=["prison", "residence", "releases", "status"],
                        orient="row")


def test_residence_frame_marks_suppressed_and_true_zero_prisons() -> None:
    rows = flows.residence_frame(flow_rows(), "E09000022", PRISONS)
    shown = {r["prison_name"]: r["text"] for r in rows.iter_rows(named=True)}
    assert shown == {"HMP Belmarsh": "47", "HMP Bronzefield": "*", "HMP Pentonville": "0"}
    assert flows.residence_total(flow_rows(), "E09000022") == (50, "published")
    chart = flows.residence_chart(rows, "t")
    assert {r["prison_name"] for r in layer_rows(chart, "bar")} == {"HMP Belmarsh",
                                                                    "HMP Pentonville"}
    assert "* suppressed" in {r["chart_text"] for r in layer_rows(chart, "text")}


def test_heat_map_never_colours_a_suppressed_cell() -> None:
    cells = flows.flow_cells(flow_rows(), LAS, PRISONS)
    chart = flows.flow_heatmap(cells, "t")
    spec = chart.to_dict()
    rect_layers = [(layer, rows) for (mark, rows), layer in zip(layers(chart), spec["layer"],
                                                                strict=True) if mark == "rect"]
    coloured = [rows for layer, rows in rect_layers if "color" in layer["encoding"]]
    assert len(coloured) == 1
    assert all(r["status"] == "published" and r["kind"] == "cell" for r in coloured[0])
    assert ("HMP Bronzefield", "Lambeth") not in {(r["prison_name"], r["residence_name"])
                                                  for r in coloured[0]}
    texts = {(r["prison_name"], r["residence_name"]): r["text"]
             for r in layer_rows(chart, "text")}
    assert texts[("HMP Bronzefield", "Lambeth")] == "*"
    assert texts[("HMP Pentonville", "Lambeth")] == "0"
    assert texts[("All prisons", "Southwark")] == "45"
    assert texts[("HMP Belmarsh", "All residences")] == "80"
    assert ("All prisons", "All residences") not in texts


def test_heat_map_table_matches_the_cells() -> None:
    table = flows.flow_table(flows.flow_cells(flow_rows(), LAS, PRISONS))
    assert table.columns == ["Residence", "HMP Belmarsh", "HMP Bronzefield", "HMP Pentonville",
                             "All prisons"]
    lambeth = table.filter(pl.col("Residence") == "Lambeth").row(0, named=True)
    assert (lambeth["HMP Belmarsh"], lambeth["HMP Bronzefield"], lambeth["All prisons"]) == (
        "47", "*", "50")
    assert table.filter(pl.col("Residence") == "Outside London").item(0, "HMP Belmarsh") == "*"


def split_input() -> tuple[pl.DataFrame, pl.DataFrame]:
    prisons = frame(
        kv("coc_21d", 57.5, area_type="prison", area_code="BAI", area_name="HMP Belmarsh",
           breakdown="release_type", category="sentence_end", numerator=65, denominator=113),
        kv("coc_21d", 31.7, area_type="prison", area_code="BAI", area_name="HMP Belmarsh",
           breakdown="release_type", category="remand_court", numerator=20, denominator=63),
        kv("coc_21d", status="suppressed", area_type="prison", area_code="SDI",
           area_name="HMP Send", breakdown="release_type", category="remand_court"),
    )
    london = frame(
        kv("coc_21d", 31.2, area_type="london", area_name="London", breakdown="release_type",
           category="remand_court", numerator=157, denominator=503),
        kv("coc_21d", 54.1, area_type="london", area_name="London", breakdown="release_type",
           category="sentence_end", numerator=427, denominator=790),
    )
    return prisons, london


def test_split_chart_plots_published_categories_only() -> None:
    categories = {k: v for k, v in flows.RELEASE_TYPES.items() if k != "all"}
    rows = flows.split_frame(*split_input(), "percent", categories)
    assert rows.get_column("area_name").to_list()[:2] == [flows.LONDON_LABEL] * 2
    chart = flows.split_chart(rows, "t", "Per cent", categories, "Release type")
    points = layer_rows(chart, "point")
    assert ("HMP Send", "From court or on remand") not in {
        (r["area_name"], r["category_label"]) for r in points}
    assert len(points) == 4
    assert [(r["area_name"], r["marker"]) for r in layer_rows(chart, "text")] == [
        ("HMP Send", "*")]
    no_ci = flows.split_chart(rows, "t", "Per cent", categories, "Release type",
                              show_intervals=False)
    assert "rule" in [m for m, _ in layers(chart)]
    assert "rule" not in [m for m, _ in layers(no_ci)]


def test_split_counts_chart_draws_published_denominators_only() -> None:
    prisons, _ = split_input()
    rows = flows.split_frame(prisons, None, "percent", flows.RELEASE_TYPES)
    chart = flows.split_counts_chart(rows, "t", flows.RELEASE_TYPES, "Release type")
    assert sorted(r["denominator"] for r in layer_rows(chart, "bar")) == [63, 113]
    table = flows.counts_table(rows, "Release type")
    assert table.filter(pl.col("Area") == "HMP Send").item(0, "Releases") == "*"


# --- Narratives -------------------------------------------------------------------------------

def year_rows() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    area = frame(
        kv("coc_21d", 36.8, numerator=50, denominator=136, london="similar",
           england="worse", trend="no_change"),
        kv("tier4_on_release", status="suppressed", denominator=136),
        kv("engaged_6m", 25.0, numerator=34, denominator=136),
        kv("completed_12m", 13.2, numerator=18, denominator=136, london="better"),
        kv("returned_custody_12m", status="immature", available_from=date(2026, 4, 1)),
        kv("settled_on_release", 30.0, numerator=30, denominator=100,
           london="worse"),
    )
    london = frame(kv("coc_21d", 39.9, area_type="london"),
                   kv("tier4_on_release", 2.1, area_type="london"))
    england = frame(kv("coc_21d", 53.0, area_type="england"))
    return area, london, england


def test_borough_summary_is_built_from_the_rows() -> None:
    area, london, england = year_rows()
    text = borough_text.borough_summary("Lambeth", "2023/24", area, london, england,
                                        DEFINITIONS, 136)
    assert text.startswith("In 2023/24, 136 Lambeth residents in drug or alcohol treatment "
                           "were released from prison, and 36.8% started community treatment "
                           "within 3 weeks (London 39.9%; similar to London; England 53.0%, "
                           "worse than England).")
    assert "Tier 4 rehab is too small to publish" in text
    assert "Significantly better than London: completed without re-presenting (13.2%)." in text
    assert "Significantly worse than London: settled accommodation on release (30.0%)." in text
    assert "returned to custody within 12 months (once data to 1 Apr 2026 is loaded)" in text
    assert "Recent trend in continuity of care: no significant change." in text


def test_borough_summary_without_an_england_comparator_does_not_mention_england() -> None:
    area, london, _ = year_rows()
    text = borough_text.borough_summary("Lambeth", "2024/25", area, london, london.clear(),
                                        DEFINITIONS, 136)
    assert "England" not in text


def test_borough_summary_when_everything_is_suppressed() -> None:
    area = frame(kv("coc_21d", status="suppressed"), kv("tier4_on_release", status="suppressed"),
                 kv("completed_12m", status="immature", available_from=LATER))
    assert borough_text.nothing_published(area)
    text = borough_text.borough_summary("City of London", "2024/25", area, area.clear(),
                                        area.clear(), DEFINITIONS, None)
    assert ("City of London residents released from prison in 2024/25 is suppressed (*) to "
            "protect small numbers") in text
    assert "within 3 weeks is suppressed" in text
    assert "%" not in text
    rolling = frame(kv("settled_on_release", 53.3), kv("coc_21d", status="suppressed"))
    notice = borough_text.suppressed_notice("City of London", "2024/25", "North East London",
                                            "2022/23 to 2024/25", rolling)
    assert "2022/23 to 2024/25 (1 published)" in notice and "North East London" in notice
    assert "3-year" not in borough_text.suppressed_notice(
        "City of London", "2020/21", "North East London", None, rolling.clear())


def test_trend_and_funnel_summaries() -> None:
    rows = trends.trend_frame(*trend_input(), "Lambeth", "percent")
    text = borough_text.trend_summary(rows, "Lambeth", "Continuity of care", "percent")
    assert text.startswith("Lambeth's continuity of care was 30.0% in 2022/23 and 45.0% in "
                           "2024/25 (London 42.0%).")
    assert "Suppressed (*): 2023/24." in text and "England" in text
    assert "3-year rolling" not in text
    hinted = borough_text.trend_summary(rows, "Lambeth", "Continuity of care", "percent",
                                        suggest_rolling=True)
    assert hinted.endswith("Choose 3-year rolling above for figures that pool three years.")
    stages = funnel.funnel_frame(funnel_rows(), DEFINITIONS)
    text = borough_text.funnel_summary(stages, "Lambeth", "2024/25")
    assert text.startswith("Of 169 Lambeth residents released in 2024/25: 76 (45.0%) started")
    assert "entered Tier 4 rehab within 12 weeks: suppressed (*)" in text
    assert "not yet available (once data to 30 Sep 2026 is loaded)" in text


def test_residence_and_services_summaries() -> None:
    rows = flows.residence_frame(flow_rows(), "E09000022", PRISONS)
    text = borough_text.residence_summary(rows, "Lambeth", "2024/25", 50, "published")
    assert text == ("In 2024/25, 50 Lambeth residents were released from prison. The most came "
                    "from HMP Belmarsh (47); 1 prison had a published count. 1 prison count is "
                    "suppressed (*).")
    services = pl.DataFrame({
        "name": ["Hub", "Rehab", "Old"], "kind": ["one_stop_shop", "residential_rehab",
                                                  "peer_support"],
        "drop_in": [True, False, True], "women_only": [False, False, True],
        "paid_peer_support_fte": [2.5, 0.0, 1.0],
        "opened_on": [date(2020, 1, 1)] * 3, "closed_on": [None, None, date(2023, 5, 1)]})
    text = borough_text.services_summary(services, "Lambeth")
    assert text.startswith("Lambeth lists 2 open recovery services: 1 one stop shop and 1 "
                           "residential rehab.")
    assert ("No women's service or peer support service is listed. Paid peer support workers: "
            "2.5 full-time equivalent, working in Hub. 1 listed service has closed.") in text
    table = borough_text.services_table(services)
    assert table.get_column("Kind").to_list() == ["One stop shop", "Peer support",
                                                  "Residential rehab"]
    assert table.item(1, "Status") == "Closed 1 May 2023"


def test_markdown_escape_keeps_the_suppression_mark() -> None:
    assert formatting.markdown_safe("suppressed (*) and (*)") == "suppressed (\\*) and (\\*)"


def test_prisons_summaries() -> None:
    prisons = frame(
        kv("coc_21d", 52.6, area_type="prison", area_name="HMP Belmarsh", numerator=193,
           denominator=367),
        kv("coc_21d", 35.9, area_type="prison", area_name="HMP Feltham", numerator=60,
           denominator=167, london="worse"),
        kv("coc_21d", status="suppressed", area_type="prison", area_name="HMP Send"),
    )
    london = frame(kv("coc_21d", 47.9, area_type="london", area_name="London"))
    text = prisons_text.prisons_summary(prisons, prisons, london, "Continuity of care",
                                        "percent", "2024/25")
    assert "the 2 prisons with a published count had 534 releases" in text
    assert "HMP Belmarsh released the most (367)" in text
    assert "1 prison had too few releases to publish (*)." in text
    assert ("Continuity of care ranged from 35.9% at HMP Feltham to 52.6% at HMP Belmarsh; for "
            "London residents it was 47.9%.") in text
    assert "Significantly worse than London: HMP Feltham." in text
    categories = {k: v for k, v in flows.RELEASE_TYPES.items() if k != "all"}
    split = flows.split_frame(*split_input(), "percent", categories)
    text = prisons_text.split_summary(split, "Continuity of care", "percent", "release type")
    assert text.startswith("For London residents, continuity of care by release type was "
                           "54.1% at the end of a sentence and 31.2% from court or on remand.")
    assert "1 prison figure is suppressed (*) and not plotted." in text
    immature = frame(kv("completed_12m", status="immature", area_type="prison",
                        available_from=LATER))
    assert prisons_text.nothing_published_text(immature, "Completed", "percent", "2024/25") \
        .endswith("Not yet available (once data to 30 Sep 2026 is loaded).")


def test_flows_and_counts_summaries() -> None:
    cells = flows.flow_cells(flow_rows(), LAS, PRISONS)
    text = prisons_text.flows_summary(cells, "2024/25")
    assert text.startswith("In 2024/25, the largest published flows from prison to a London "
                           "borough were HMP Belmarsh to Lambeth (47), HMP Belmarsh to "
                           "Southwark (30) and HMP Pentonville to Southwark (12).")
    assert "3 cells are suppressed" in text
    london = frame(kv("pre_release_contact", 40.0, area_type="london", denominator=2858),
                   kv("pre_release_contact", 40.0, area_type="london", denominator=503,
                      breakdown="release_type", category="remand_court"))
    rows = flows.split_frame(split_input()[0], None, "percent", flows.RELEASE_TYPES)
    text = prisons_text.counts_summary(rows, london, "2024/25")
    assert text.startswith("In 2024/25, 503 of the 2,858 releases of London residents were "
                           "from court or on remand")


def test_borough_summary_gives_the_tier4_count_and_rate() -> None:
    area, london, england = year_rows()
    area = area.filter(pl.col("kpi_id") != "tier4_on_release").vstack(
        frame(kv("tier4_on_release", 4.7, numerator=8, denominator=169)))
    text = borough_text.borough_summary("Lambeth", "2024/25", area, london, england,
                                        DEFINITIONS, 169)
    assert ("8 releases were followed by a Tier 4 rehab entry within 12 weeks (4.7 per 100 "
            "releases; London 2.1 per 100 releases).") in text
