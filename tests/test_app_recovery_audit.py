"""AppTest runs of the Recovery audit page against the sample warehouse, with the synthetic
sample rounds seeded into an app store in a temporary folder: results by London, borough and
service; the forms in local mode; and what a service assessor and an EbE reviewer may do when
signed in."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, store
from dashboard.recovery_audit import records, sample, scoring
from tests.conftest import APP, APP_TIMEOUT

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples" / "recovery_audit"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32,
        "client_id": "app", "client_secret": "secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}
ROLES = {"manager@hackney.example": "service_assessor:SVC-013",
         "@voices.example": "ebe_reviewer"}
PAGE = "views/recovery_audit.py"


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path,
           local_browser: None):
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv(store.APP_DB_ENV, str(path))
    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))
    app = store.app_store(path)
    directory = scoring.directory(data.services(), data.prisons(), data.local_authorities())
    sample.seed(app, SAMPLES, directory)
    yield app
    app.close()


def open_page(secrets: dict | None = None, user: dict | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TABLE_COLUMNS = {  # each table on the page by the columns only it has
    "scores": ("Domain", "Self minus EbE"), "disagreements": ("Which view is higher",),
    "change": ("View", "Change"), "best": ("Evidence",), "evidence": ("KPI", "Value"),
    "training": ("Sessions", "Staff trained")}


def table(at: AppTest, name: str) -> pl.DataFrame:
    """The one table on the page with the columns of `name`."""
    found = [pl.from_pandas(d.value) for d in at.dataframe
             if set(TABLE_COLUMNS[name]) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables are {name}"
    return found[0]


def test_london_results_show_both_views_disagreements_change_and_best_practice(seeded) -> None:
    at = open_page()
    assert at.title[0].value == "Recovery audit (R7)"
    assert any("synthetic sample" in i.value for i in at.info)
    scores = table(at, "scores")
    assert scores.height == 12 and scores.columns[:3] == [
        "Domain", "Self-assessment (1-4)", "EbE panel (1-4)"]
    # The sample's over-raters (Newham, Waltham Forest peers, Pentonville) disagree.
    disagree = table(at, "disagreements")
    assert disagree.height > 0
    assert {"Newham Recovery Service", "HMP Pentonville"} & set(disagree["Service"])
    assert set(disagree["Which view is higher"]) <= {"The service rates itself higher",
                                                    "The EbE panel rates it higher"}
    change = table(at, "change")
    assert set(change["View"]) == {"Self-assessment", "EbE panel"}
    assert "2024-25 (1-4)" in change.columns
    best = table(at, "best")
    assert best.height > 0 and (best["EbE panel (1-4)"] >= 3).all()
    evidence = table(at, "evidence")
    assert evidence.filter(pl.col("Domain") == "Housing on release")["KPI"].to_list() == [
        data.kpi_definition("settled_on_release")["title"]]
    assert (evidence["Value"] != "").all() and evidence["Year"].str.contains("/").all()
    assert table(at, "training").height > 0
    texts = " ".join(t.value for t in at.text)
    assert "London and the EbE panel both rate it as" in texts


def test_a_service_and_a_borough_match_a_computation_from_the_store(seeded) -> None:
    at = open_page()
    at.radio(key="level").set_value("service").run()
    at.selectbox(key="service").set_value("SVC-028").run()
    scores = table(at, "scores")
    answers = records.answers(seeded).filter((pl.col("service_id") == "SVC-028")
                                             & (pl.col("round_id") == "2025-26")
                                             & pl.col("question_id").str.starts_with("D01"))
    by_view = answers.group_by("audit_view").agg(pl.col("rating").mean())
    expected = dict(by_view.iter_rows())
    housing = scores.filter(pl.col("Domain") == "Housing on release").row(0, named=True)
    assert housing["Self-assessment (1-4)"] == pytest.approx(expected["self"], abs=0.005)
    assert housing["EbE panel (1-4)"] == pytest.approx(expected["ebe"], abs=0.005)
    lines = [t.value for t in at.text]
    assert any("talk through the evidence" in line for line in lines)
    borough = open_page()
    borough.selectbox(key="round").set_value("2024-25").run()
    borough.radio(key="level").set_value("area").run()
    borough.selectbox(key="place").set_value("BZI").run()
    assert borough.subheader[0].value == "Domain scores: HMP Bronzefield, round 2024-25"
    assert any("first round" in i.value for i in borough.info)
    assert table(borough, "scores").height == 12


def test_local_mode_rates_a_service_with_the_form(seeded) -> None:
    at = open_page()
    at.selectbox(key="ra-rate-service").set_value("SVC-001").run()
    at.radio(key="ra-rate-view").set_value("ebe").run()
    framework = records.round_framework(seeded, "2025-26")
    for question_id in framework.question_ids:
        at.radio(key=f"ra-form-{question_id}-rating").set_value(3)
    at.text_area(key="ra-form-D01-Q1-evidence").set_value("<b>Seen</b> in case files")
    at.button(key="ra-rate-submit").click().run()
    assert not at.exception
    assert any("Saved 18 ratings" in s.value for s in at.success), [e.value for e in at.error]
    stored = records.answers(seeded).filter(pl.col("service_id") == "SVC-001")
    assert stored.height == 18 and set(stored["audit_view"]) == {"ebe"}
    assert stored.filter(pl.col("question_id") == "D01-Q1")["evidence"].item() == \
        "<b>Seen</b> in case files"


def test_the_form_refuses_a_missing_required_rating(seeded) -> None:
    at = open_page()
    at.selectbox(key="ra-rate-service").set_value("SVC-001").run()
    at.radio(key="ra-form-D01-Q1-rating").set_value(2)
    at.button(key="ra-rate-submit").click().run()
    assert any("Nothing was saved" in e.value and "D01-Q2" in e.value for e in at.error)
    assert records.answers(seeded).filter(pl.col("service_id") == "SVC-001").is_empty()


def test_a_signed_in_assessor_may_rate_only_their_own_service(seeded) -> None:
    at = open_page(secrets={"auth": AUTH, "roles": ROLES},
                   user={"is_logged_in": True, "email": "manager@hackney.example"})
    assert at.selectbox(key="ra-rate-service").options == ["Hackney Recovery Service"]
    assert at.radio(key="ra-rate-view").options == ["Self-assessment"]
    assert any("Only EbE reviewers" in i.value for i in at.info)
    assert any("Only an administrator" in i.value for i in at.info)


def test_a_signed_in_ebe_reviewer_rates_as_the_ebe_panel(seeded) -> None:
    at = open_page(secrets={"auth": AUTH, "roles": ROLES},
                   user={"is_logged_in": True, "email": "panel@voices.example"})
    assert at.radio(key="ra-rate-view").options == ["EbE panel"]
    assert len(at.selectbox(key="ra-rate-service").options) > 100
    viewer = open_page(secrets={"auth": AUTH, "roles": ROLES},
                       user={"is_logged_in": True, "email": "someone@else.example"})
    assert any("Only a service's own assessor" in i.value for i in viewer.info)


def test_an_administrator_saves_a_framework_version_and_opens_a_round_on_it(seeded) -> None:
    at = open_page()
    at.button(key="ra-framework-submit").click().run()
    assert any("Saved framework version 2" in s.value for s in at.success), \
        [e.value for e in at.error]
    assert records.frameworks(seeded)[2].domains == records.frameworks(seeded)[1].domains
    at.text_input(key="ra-round-id").set_value("2026-27")
    at.selectbox(key="ra-round-version").set_value(2)
    at.text_input(key="ra-round-title").set_value("Third round")
    at.button(key="ra-round-submit").click().run()
    assert any("Opened round 2026-27" in s.value for s in at.success)
    assert records.round_framework(seeded, "2026-27").version == 2
    at.text_input(key="ra-round-id").set_value("2026-27")
    at.button(key="ra-round-submit").click().run()
    assert any("already a round 2026-27" in e.value for e in at.error)
