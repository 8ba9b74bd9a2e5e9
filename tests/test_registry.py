"""The KPI registry (pipelines.registry) is the single source of truth: a KPI declared there,
and nowhere else, is computed into `kpi_values` and shown on the Data page, in the borough
spine chart and in the workbook. Also the registry's own rules."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from pipelines.build import run_build
from pipelines.definitions import registry
from tests.helpers import chart_title, episode, make_source, query_frame, release, row, write_csv

LAMBETH = "E09000022"
THROWAWAY = registry.Kpi(
    id="throwaway_peer_and_contact",
    title="Throwaway: met at the gate and before release",
    description="A KPI that exists only in this test.",
    numerator="Releases met at the gate by a peer and by the provider before release",
    denominator="Releases",
    unit="percent",
    polarity="high_good",
    recommendations=("R3",),
    follow_up_days=0,
    source="prison_releases",
    numerator_rule="met_at_gate_by_peer and pre_release_contact",
)
RELEASES = 40  # all in Lambeth in June 2023
BOTH = 12  # met at the gate and before release: the throwaway KPI's numerator
CUTOFF = date(2024, 6, 30)  # 2023/24 is complete
OTHER_EXTRACTS = ("recommendation_updates", "ebe_reviews", "lived_experience_feedback",
                  "services")


@pytest.fixture(scope="module")
def throwaway_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from tiny data with THROWAWAY added to the registry (and no other
    edit anywhere). The registry stays patched while the module's tests run."""
    patch = pytest.MonkeyPatch()
    kpis = (*registry.KPIS, THROWAWAY)
    patch.setattr(registry, "KPIS", kpis)
    patch.setattr(registry, "KPI_BY_ID", {k.id: k for k in kpis})
    folder = tmp_path_factory.mktemp("throwaway")
    releases = [release(n, residence_la=LAMBETH,
                        met_at_gate_by_peer="1" if n <= BOTH + 8 else "0",
                        pre_release_contact="yes" if n <= BOTH or n > BOTH + 8 else "no")
                for n in range(1, RELEASES + 1)]
    episodes = [episode(n, la=LAMBETH) for n in range(1, 11)]
    source = make_source(folder / "source", releases, episodes)
    for extract in OTHER_EXTRACTS:  # one row each, so every page has its tables
        write_csv(source / f"{extract}.csv", [row(extract)])
    warehouse = folder / "warehouse.duckdb"
    run_build(source, warehouse, cutoff=CUTOFF)
    yield warehouse
    patch.undo()


def test_the_throwaway_kpi_is_computed_into_kpi_values(throwaway_warehouse: Path) -> None:
    rows = query_frame(throwaway_warehouse,
                       "select area_type, numerator, denominator, value, status from kpi_values "
                       f"where kpi_id = '{THROWAWAY.id}' and period = '2023/24' and "
                       "breakdown = 'all' and area_type in ('la', 'london') order by area_type")
    assert rows.rows() == [("la", BOTH, RELEASES, 100 * BOTH / RELEASES, "published"),
                           ("london", BOTH, RELEASES, 100 * BOTH / RELEASES, "published")]
    definitions = query_frame(throwaway_warehouse,
                              "select id, numerator_rule, display_order from kpi_definitions "
                              "order by display_order")
    assert definitions.row(-1) == (THROWAWAY.id, THROWAWAY.numerator_rule, len(registry.KPIS) - 1)


def _app(warehouse: Path, monkeypatch: pytest.MonkeyPatch, page: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP, APP_TIMEOUT

    monkeypatch.setenv("COC_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_throwaway_kpi_is_on_the_data_page(throwaway_warehouse: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(throwaway_warehouse, monkeypatch, "data_definitions.py")
    assert THROWAWAY.title in [e.label for e in at.expander]
    table = next(d.value for d in at.dataframe if THROWAWAY.title in d.value.to_string())
    assert len(table) == len(registry.KPIS)


def test_the_throwaway_kpi_is_in_the_borough_spine_chart(throwaway_warehouse: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(throwaway_warehouse, monkeypatch, "borough.py")
    spine = next(d.value for d in at.dataframe
                 if "Indicator" in d.value.columns and "Lowest published" in d.value.columns)
    row = spine[spine["Indicator"] == THROWAWAY.title]
    assert row["Value"].tolist() == [f"{100 * BOTH / RELEASES:.1f}%"]
    spine_chart = at.get("vega_lite_chart")[0]  # the page's first chart: every indicator
    spec = json.loads(spine_chart.proto.spec)
    assert chart_title(spec).startswith("Lambeth: every indicator")
    tables = {d.name: pa.ipc.open_stream(d.data.data).read_all()
              for d in spine_chart.proto.datasets}
    markers = [r for layer in spec["layer"] if layer["mark"]["type"] == "point"
               for r in tables[layer["data"]["name"]].to_pylist()]
    assert THROWAWAY.title in [r["title"] for r in markers]


def test_the_throwaway_kpi_has_a_workbook_sheet(throwaway_warehouse: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.exports import workbook

    monkeypatch.setenv("COC_WAREHOUSE", str(throwaway_warehouse))
    book = openpyxl.load_workbook(io.BytesIO(workbook.to_xlsx("Lambeth", "2023/24")))
    contents = [row[1] for row in book["Contents"].iter_rows(values_only=True)]
    assert any(str(text).startswith(THROWAWAY.title) for text in contents)
    definitions = [row[0] for row in book["Definitions"].iter_rows(values_only=True)]
    assert THROWAWAY.title in definitions


def test_places_and_journeys_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown places"):
        dataclasses.replace(THROWAWAY, shown_in=("front_page",))
    with pytest.raises(ValueError, match="journey milestone"):
        dataclasses.replace(THROWAWAY, journey_label="1 day: something")
    with pytest.raises(ValueError, match="denominator family"):
        dataclasses.replace(THROWAWAY, denominator_family="prisons")


def test_every_rule_reads_only_columns_of_a_linked_release() -> None:
    import polars as pl

    from pipelines.journeys import link_journeys
    from tests.helpers import stage_rows

    releases = stage_rows("prison_releases", [release(1)]).good
    episodes = stage_rows("community_episodes", [episode(1)]).good
    linked = link_journeys(releases, episodes)
    rules = [k.numerator_rule for k in registry.KPIS] + list(registry.DENOMINATOR_RULES.values())
    for rule in rules:
        assert set(pl.sql_expr(rule).meta.root_names()) <= set(linked.columns), rule
        assert linked.select(pl.sql_expr(rule)).dtypes == [pl.Boolean], rule
