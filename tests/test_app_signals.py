"""Signals a reader acts on, checked against the figures behind them: the overview's change
badges (arrow by the sign of the change, colour by the KPI's polarity) and summary sentences
that must say exactly what their chart shows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from dashboard.narrative import overview as overview_text
from dashboard.narrative import prisons as prisons_text
from tests.helpers import chart_title

HEADLINES = ("coc_21d", "tier4_on_release", "engaged_6m", "completed_12m",
             "returned_custody_12m", "settled_on_release")


@pytest.mark.parametrize(("now", "before", "polarity", "text", "arrow", "colour"), [
    (39.3, 39.9, "high_good", "down 0.6 percentage points on last year", "down", "red"),
    (40.5, 39.9, "high_good", "up 0.6 percentage points on last year", "up", "green"),
    (20.0, 23.1, "low_good", "down 3.1 percentage points on last year", "down", "green"),
    (25.0, 23.1, "low_good", "up 1.9 percentage points on last year", "up", "red"),
    (5.0, 4.0, "no_judgement", "up 1.0 percentage points on last year", "up", "gray"),
    (23.14, 23.1, "low_good", "No change on last year", "off", "gray"),
])
def test_change_badge_follows_the_sign_and_the_polarity(now, before, polarity, text, arrow,
                                                        colour) -> None:
    badge = overview_text.change_badge(now, before, "percent", polarity)
    assert badge == overview_text.ChangeBadge(text, arrow, colour)


def test_no_badge_without_last_year() -> None:
    assert overview_text.change_badge(40.0, None, "percent", "high_good") is None


def _london_years(warehouse: Path) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql("select kpi_id, period, value from kpi_values where area_type = 'london' "
                       "and breakdown = 'all' and period_type = 'year' and status = 'published'"
                       ).fetchall()
    return {(kpi, period): value for kpi, period, value in rows}


@pytest.mark.parametrize("period", ["2022/23", "2023/24"])
def test_overview_badges_point_the_way_the_figure_moved(app_on_sample, sample_warehouse: Path,
                                                        period: str) -> None:
    """Every headline badge on the page: down arrow when the figure fell, green only when it
    moved the good way (returned to custody falling is good), grey for no change."""
    values = _london_years(sample_warehouse)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        meta = {kpi: (title, polarity) for kpi, title, polarity in con.sql(
            "select id, title, polarity from kpi_definitions").fetchall()}
    previous = f"{int(period[:4]) - 1}/{period[2:4]}"
    at = app_on_sample(period=period)
    metrics = {m.label: m.proto for m in at.metric}
    checked = 0
    for kpi in HEADLINES:
        title, polarity = meta[kpi]
        if (kpi, period) not in values or (kpi, previous) not in values:
            continue
        change = round(values[(kpi, period)] - values[(kpi, previous)], 1)
        proto = metrics[title]
        if change == 0:
            assert proto.delta == "No change on last year"
            assert proto.color == MetricProto.GRAY
            continue
        assert proto.direction == (MetricProto.UP if change > 0 else MetricProto.DOWN), title
        good = (change > 0) == (polarity == "high_good")
        assert proto.color == (MetricProto.GREEN if good else MetricProto.RED), title
        assert proto.delta.startswith("up" if change > 0 else "down"), proto.delta
        checked += 1
    assert checked >= 4


def test_ranked_summaries_mention_intervals_only_when_they_are_drawn() -> None:
    import polars as pl
    published = pl.DataFrame({"name": ["A", "B"], "value": [40.0, 30.0]})
    for summary in (overview_text.ranked_summary, prisons_text.ranked_summary):
        assert "confidence intervals" in summary(published, 35.0, "percent", True)
        assert "confidence intervals" not in summary(published, 35.0, "percent", False)


def test_ranked_sentence_follows_the_interval_switch_on_the_page(app_on_sample) -> None:
    for page in (None, "prisons.py"):
        at = app_on_sample(page, ci="0")
        shown = " ".join(m.value for m in at.markdown)
        assert "highest first." in shown
        assert "highest first, with 95% confidence intervals" not in shown
        at = app_on_sample(page, ci="1")
        assert "highest first, with 95% confidence intervals" in " ".join(
            m.value for m in at.markdown)


KINGSTON = "E09000021"


def _chart_rows(at, title_start: str, mark: str) -> list[dict]:
    """The rows one chart (found by its title) sends to the browser for its marks of a type."""
    import json

    import pyarrow as pa
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if not chart_title(spec).startswith(title_start):
            continue
        tables = {d.name: pa.ipc.open_stream(d.data.data).read_all()
                  for d in chart.proto.datasets}
        layers = spec.get("layer", [spec])
        return [row for layer in layers
                if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                    else layer["mark"]) == mark
                for row in tables[layer["data"]["name"]].to_pylist()]
    raise AssertionError(f"no chart titled {title_start!r}")


def test_a_suppressed_total_is_not_called_small_when_the_prisons_chart_shows_more(
        app_on_sample) -> None:
    """Kingston upon Thames 2020/21: the total is hidden, but its prison counts shown on the
    same page add up to at least 14; both summaries give that sum, neither calls it small."""
    at = app_on_sample("borough.py", area=KINGSTON, period="2020/21")
    bars = _chart_rows(at, "Releases of Kingston upon Thames residents by prison", "bar")
    shown = sum(row["releases"] for row in bars)
    assert shown >= 5
    text = " ".join(m.value for m in at.markdown)
    assert "because it is small" not in text
    assert text.count(f"at least {shown:,} were released") == 2, text


def test_services_summary_names_where_paid_peer_support_is() -> None:
    from datetime import date

    import polars as pl

    from dashboard.narrative import borough as borough_text
    services = pl.DataFrame({
        "name": ["Hub", "Rehab"], "kind": ["one_stop_shop", "residential_rehab"],
        "drop_in": [True, False], "women_only": [False, False],
        "paid_peer_support_fte": [4.5, 0.0], "opened_on": [date(2020, 1, 1)] * 2,
        "closed_on": [None, None]})
    text = borough_text.services_summary(services, "Kingston")
    assert "None listed" not in text
    assert "peer support service is listed. Paid peer support workers: 4.5 full-time " \
           "equivalent, working in Hub." in text
    none = borough_text.services_summary(services.with_columns(
        pl.lit(0.0).alias("paid_peer_support_fte")), "Kingston")
    assert "No paid peer support is listed." in none


def test_pages_say_why_england_is_missing_from_the_default_year(
        app_on_sample, sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        england = {p for (p,) in con.sql("select period from kpi_values where area_type = "
                                         "'england' and kpi_id = 'coc_21d'").fetchall()}
    at = app_on_sample()
    period = at.query_params["period"]
    assert period not in england, "the sample now has England's latest year: test another"
    said = f"England's {period} figure is not published yet"
    assert any(said in c.value for c in at.caption)
    at = app_on_sample("borough.py", kpi="coc_21d")
    text = " ".join(m.value for m in at.markdown)
    assert text.count(said) == 2, text  # in brief, and under the trend chart
    assert f"so its line stops at {max(england)}" in text


def test_a_figure_not_yet_available_waits_for_data_not_for_a_date() -> None:
    from datetime import date

    from dashboard import formatting
    assert formatting.display_value(None, "immature", "percent", date(2026, 4, 1)) == \
        "Not yet available (once data to 1 Apr 2026 is loaded)"


def test_summaries_name_every_area_rather_than_and_n_more() -> None:
    import polars as pl

    from dashboard.narrative import recommendations as recommendation_text
    names = [f"Borough {letter}" for letter in "ABCDEFG"]
    las = pl.DataFrame({"area_name": names, "status": ["published"] * 7,
                        "value": [50.0 - i for i in range(7)],
                        "compared_to_london": ["better"] * 7})
    text = overview_text.benchmark_summary(las, "Continuity of care", "percent", "2024/25",
                                           40.0)
    assert "more" not in text and "Borough A, Borough B" in text and "and Borough G." in text
    glance = pl.DataFrame({"item": names, "status": ["in_progress"] * 7, "rag": ["red"] * 7,
                           "agreement": ["Agree"] * 7})
    text = recommendation_text.glance_summary(glance)
    assert "more" not in text and "and Borough G." in text


def test_the_11_item_table_shows_every_item_and_whole_milestones(
        app_on_sample, sample_warehouse: Path) -> None:
    """A table (not a fixed-height grid) so R9 and every word of each milestone are on the
    page."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        latest = dict(con.sql(
            "select recommendation_id, milestone from recommendation_updates where scope = "
            "'E12000007' qualify row_number() over (partition by recommendation_id order by "
            "reported_on desc, update_id desc) = 1").fetchall())
    at = app_on_sample("recommendations.py")
    tables = [t.value for t in at.table if "Milestone" in t.value.columns]
    assert len(tables) == 2  # the full table, and three columns for a phone
    for shown in tables:
        assert len(shown) == 11
        assert shown["Item"].str.startswith("R9").any()
        assert {m for m in latest.values() if m} <= set(shown["Milestone"])


def test_a_stale_link_says_what_was_not_found_and_what_is_shown(app_on_sample) -> None:
    at = app_on_sample("borough.py", area="NOTACODE", period="1999/00")
    said = " ".join(w.value for w in at.warning)
    assert "“NOTACODE”" in said and "showing Lambeth instead" in said
    assert "“1999/00”" in said and f"showing {at.query_params['period']} instead" in said
    clean = app_on_sample("borough.py")
    assert not any("The link asked for" in w.value for w in clean.warning)


def test_the_ebe_group_reaches_record_our_review_from_the_top_and_the_overview(
        app_on_sample) -> None:
    for page in (None, "recommendations.py"):
        at = app_on_sample(page)
        links = [link for link in at.get("page_link")
                 if link.proto.label == "Record our review (EbE group)"]
        assert links, page
    at = app_on_sample("recommendations.py", record="review")
    headers = [h.value for h in at.header]
    assert headers.index("Record an update or a review") < headers.index(
        next(h for h in headers if h.startswith("The 11 items")))
    assert at.tabs[0].label == "Record a review"


def test_prisons_page_copes_when_a_split_is_not_published(
        sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If disclosure control stops publishing a near-one-category split (sex within men's
    prisons), the page says so instead of failing or drawing rows of '*'."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP, APP_TIMEOUT
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from kpi_values where breakdown = 'sex'")
    monkeypatch.setenv("COC_WAREHOUSE", str(copy))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    at.switch_page("views/prisons.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No figures by sex are published" in i.value for i in at.info)
