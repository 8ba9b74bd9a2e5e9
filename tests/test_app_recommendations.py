"""AppTest runs of the Recommendations page against the sample warehouse, with the app store in
a temporary folder: the tracker for London, a borough and a prison, the item detail, and the
forms (local mode and sign-in mode)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import store
from dashboard import tracker as model
from dashboard.store import EBE_REVIEWER, PARTNER_EDITOR, VIEWER, Actor
from tests import figures
from tests.conftest import APP, APP_TIMEOUT

LONDON = "E12000007"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32,
        "client_id": "app", "client_secret": "secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}
ROLES = {"partner@london.example": "partner_editor", "@voices.example": "ebe_reviewer",
         "boss@ohid.example": "admin"}
SCRIPT = "<script>alert('x')</script> and [a link](javascript:alert(1)) **not bold**"


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_warehouse: Path,
           local_browser: None):
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv(store.APP_DB_ENV, str(path))
    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))
    yield store.app_store(path)
    store.app_store(path).close()


def open_page(secrets: dict | None = None, user: dict | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    at.switch_page("views/recommendations.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, *columns: str) -> pl.DataFrame:
    """The one table on the page that has all these columns."""
    found = [pl.from_pandas(d.value) for d in at.dataframe
             if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables have {columns}"
    return found[0]


def tracker(at: AppTest) -> pl.DataFrame:
    return table_with(at, "Item", "Status", "EbE comment")


def latest(warehouse: Path, scope: str) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql("select recommendation_id, status from recommendation_updates where "
                       "scope = ? qualify row_number() over (partition by recommendation_id "
                       "order by reported_on desc) = 1", params=[scope]).fetchall()
    return dict(rows)


def item_label(recommendation_id: str) -> str:
    return next(f"{r.id} {r.short_title}" for r in model.reference.RECOMMENDATIONS
                if r.id == recommendation_id)


def test_london_shows_the_latest_update_of_all_eleven_items(app_db, sample_warehouse) -> None:
    at = open_page()
    assert any(h.value == "The 11 items: London as a whole" for h in at.header)
    table = tracker(at)
    assert table.height == 11
    expected = latest(sample_warehouse, LONDON)
    for row in table.iter_rows(named=True):
        rid = row["Item"].split(" ", 1)[0]
        assert row["Status"] == model.STATUS_TITLES[expected[rid]], rid
    assert "London-wide status" not in table.columns
    assert any(s.value.startswith("Where every item stands") for s in at.subheader)


def test_a_borough_with_no_updates_still_lists_every_item(app_db, sample_warehouse) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        code, name = con.sql("select code, name from ref_local_authorities where code not in "
                             "(select scope from recommendation_updates) order by code "
                             "limit 1").fetchall()[0]
    at = open_page(area=code)
    at.radio(key="scope").set_value("la").run()
    assert any(h.value == f"The 11 items: {name}" for h in at.header)
    table = tracker(at)
    assert table.height == 11
    assert set(table.get_column("Status")) == {model.NO_UPDATE}
    london = latest(sample_warehouse, LONDON)
    assert table.get_column("London-wide status").to_list() == [
        model.STATUS_TITLES[london[rid]] for rid in model.reference.RECOMMENDATION_IDS]
    assert any(f"No update has been recorded for {name}" in m.value for m in at.markdown)


def test_a_borough_with_updates_shows_them_and_no_update_for_the_rest(app_db,
                                                                       sample_warehouse) -> None:
    at = open_page(area="E09000022")
    at.radio(key="scope").set_value("la").run()
    table = tracker(at)
    own = latest(sample_warehouse, "E09000022")
    assert own  # Lambeth has updates in the sample
    for row in table.iter_rows(named=True):
        rid = row["Item"].split(" ", 1)[0]
        wanted = model.STATUS_TITLES[own[rid]] if rid in own else model.NO_UPDATE
        assert row["Status"] == wanted, rid


def test_a_prison_can_be_chosen(app_db) -> None:
    at = open_page()
    at.radio(key="scope").set_value("prison").run()
    at.selectbox(key="prison").select("BZI").run()
    assert any(h.value == "The 11 items: HMP Bronzefield" for h in at.header)
    assert tracker(at).height == 11


def test_an_item_shows_its_evidence_equal_to_kpi_values(app_db, sample_warehouse) -> None:
    at = open_page()
    at.selectbox(key="item").select("R1").run()
    assert any(s.value == "KPIs that evidence R1 Rehab and long-term recovery: London as a whole"
               for s in at.subheader)
    shown = table_with(at, "KPI", "Year", "Recent trend")
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        row = con.sql("select * from kpi_values where kpi_id = 'tier4_on_release' and area_code "
                      "= ? and breakdown = 'all' and period_type = 'year' order by period_start "
                      "desc limit 1", params=[LONDON]).pl().row(0, named=True)
    tier4 = shown.filter((pl.col("KPI") == "Tier 4 rehab entries on release")
                         & (pl.col("Year") == row["period"])).row(0, named=True)
    assert tier4["Value"] == figures.shown(row["value"], row["status"], "rate_per_100",
                                    row["available_from"])


def test_r2_compares_programme_completers_for_the_chosen_year(app_db) -> None:
    at = open_page(period="2022/23")
    at.selectbox(key="item").select("R2").run()
    titles = [s.value for s in at.subheader]
    assert "Outcomes of programme completers and others: London as a whole, 2022/23" in titles
    groups = set(table_with(at, "KPI", "Group").get_column("Group"))
    assert groups == {"Completed a programme in prison", "Did not"}


def test_r5_shows_one_stop_shops_and_r8_says_no_kpi_measures_it(app_db) -> None:
    at = open_page()
    at.selectbox(key="item").select("R5").run()
    assert "One-stop shops open in each borough" in [s.value for s in at.subheader]
    assert table_with(at, "Local authority", "One-stop shops").height == 33
    at.selectbox(key="item").select("R8").run()
    assert any(i.value.startswith("No KPI measures R8") for i in at.info)


def fill_review(at: AppTest, item: str, rating: int | None, comment: str) -> None:
    at.selectbox(key="review-recommendation_id").select(item)
    if rating is not None:
        at.radio(key="review-rating").set_value(rating)
    at.text_input(key="review-panel").input("Test panel")
    at.text_area(key="review-comment").input(comment)
    at.form_submit_button(key="review-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_review_recorded_in_local_mode_shows_verbatim_on_the_page(app_db) -> None:
    at = open_page()
    assert any(i.value.startswith("Local mode") for i in at.info)
    fill_review(at, "R7", 2, SCRIPT)
    assert [s.value for s in at.success][0].startswith("Recorded EbE review APP-REV-")
    row = tracker(at).filter(pl.col("Item") == item_label("R7")).row(0, named=True)
    assert row["EbE comment"] == SCRIPT and row["EbE rating (1-5)"] == 2
    at.selectbox(key="item").select("R7").run()
    assert SCRIPT in [t.value for t in at.text]  # shown as plain text, exactly as typed
    rendered = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.success)]
    assert not any("<script>" in text or "](javascript" in text for text in rendered)
    reviews = app_db.entries("review")
    assert reviews.height == 1 and reviews.row(0, named=True)["recorded_by"].startswith("local:")
    assert app_db.audit_log().height == 1


def test_an_update_recorded_in_the_app_becomes_the_latest(app_db) -> None:
    at = open_page()
    at.selectbox(key="update-recommendation_id").select("R7")
    at.selectbox(key="update-status").select("embedded")
    at.radio(key="update-rag").set_value("green")
    at.text_input(key="update-owner").input("GLA")
    at.text_area(key="update-milestone").input("Audit **done**")
    at.form_submit_button(key="update-submit").click().run()
    assert not at.error, [e.value for e in at.error]
    row = tracker(at).filter(pl.col("Item") == item_label("R7")).row(0, named=True)
    assert (row["Status"], row["Partners' RAG"], row["Source"], row["Milestone"]) == (
        "Embedded", "Green", model.FROM_APP, "Audit **done**")
    assert at.text_input(key="update-owner").value == ""  # the form is ready for the next one


def test_a_review_without_a_rating_is_refused_with_a_clear_message(app_db) -> None:
    at = open_page()
    fill_review(at, "R3", None, "No rating given")
    assert [e.value for e in at.error] == ["The EbE review was not recorded: rating is empty."]
    assert app_db.entries().is_empty()


def test_a_signed_in_viewer_gets_no_forms_and_cannot_write(app_db) -> None:
    at = open_page({"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": "someone@elsewhere.example"})
    assert "Signed in as someone@elsewhere.example: Viewer" in [t.value for t in at.text]
    infos = [i.value for i in at.info]
    assert any(i.startswith("Only partner editors can record an update") for i in infos)
    assert any(i.startswith("Only EbE reviewers can record a review") for i in infos)
    assert not [b for b in at.form_submit_button]
    with pytest.raises(store.NotAllowed):
        app_db.record("review", {"recommendation_id": "R1", "scope": "london",
                                 "reviewed_on": "2024-01-01", "panel": "P", "rating": 3},
                      Actor("someone@elsewhere.example", frozenset({VIEWER})))
    assert app_db.entries().is_empty()


def test_not_signed_in_offers_sign_in_and_no_forms(app_db) -> None:
    at = open_page({"auth": AUTH, "roles": ROLES}, {"is_logged_in": False})
    assert "page-sign-in-default" in [b.key for b in at.button]
    assert not [b for b in at.form_submit_button]


def test_a_signed_in_ebe_reviewer_records_a_review_under_their_address(app_db) -> None:
    at = open_page({"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": "member@voices.example"})
    keys = [b.key for b in at.form_submit_button]
    assert keys == ["review-submit"]  # an EbE reviewer has no update form
    fill_review(at, "R1", 4, "Rehab places are easier to get now.")
    review = app_db.entries("review").row(0, named=True)
    assert (review["recorded_by"], review["rating"]) == ("member@voices.example", 4)


def test_an_admin_edits_and_withdraws_an_entry(app_db) -> None:
    written = app_db.record("update", {"recommendation_id": "R9", "scope": "london",
                                       "reported_on": "2025-09-29", "status": "embedded",
                                       "rag": "amber", "owner": "GLA"},
                            Actor("partner@london.example", frozenset({PARTNER_EDITOR})))
    at = open_page({"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": "boss@ohid.example"})
    at.radio(key=f"edit-{written.entry_id}-rag").set_value("green")
    at.form_submit_button(key=f"edit-{written.entry_id}-submit").click().run()
    assert f"Saved version 2 of {written.entry_id}." in [s.value for s in at.success]
    assert app_db.versions(written.entry_id).get_column("rag").to_list() == ["amber", "green"]
    at.text_input(key=f"withdraw-{written.entry_id}-reason").input("Entered by mistake")
    at.button(key=f"withdraw-{written.entry_id}").click().run()
    assert app_db.entries().is_empty()
    assert app_db.audit_log().get_column("action").to_list() == ["create", "edit", "withdraw"]
    row = tracker(at).filter(pl.col("Item") == item_label("R9")).row(0, named=True)
    assert row["Source"] == model.FROM_EXTRACT


def test_an_admin_can_back_up_the_store(app_db) -> None:
    app_db.record("review", {"recommendation_id": "R1", "scope": "london",
                             "reviewed_on": "2024-01-01", "panel": "P", "rating": 3},
                  Actor("x@voices.example", frozenset({EBE_REVIEWER})))
    at = open_page({"auth": AUTH, "roles": ROLES},
                   {"is_logged_in": True, "email": "boss@ohid.example"})
    labels = [d.label for d in at.get("download_button")]
    assert "Download entries (CSV)" in labels and "Download audit log (CSV)" in labels
    assert any("holds 0 updates and 1 reviews, with 1 audit log rows" in m.value
               for m in at.markdown)
    partner = open_page({"auth": AUTH, "roles": ROLES},
                        {"is_logged_in": True, "email": "partner@london.example"})
    assert "Download entries (CSV)" not in [d.label for d in partner.get("download_button")]
