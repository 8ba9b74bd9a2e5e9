"""The Recovery Audit (R7): framework, scores against a hand computation, disagreements, best
practice, sentences, change since the previous round, and who may record what, on both store
backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from dashboard import auth, store
from dashboard.recovery_audit import framework as fw
from dashboard.recovery_audit import records, scoring
from dashboard.store import ADMIN, EBE_REVIEWER, VIEWER, Actor, NotAllowed
from dashboard.store import audit_contracts as c

# A small framework: D1 has two questions, D2 one.
SMALL = fw.Framework(1, (
    fw.Domain("D1", "Housing", "F-A", ("settled_on_release",), (
        fw.Question("Q1", "q1", "g1"), fw.Question("Q2", "q2", "g2"))),
    fw.Domain("D2", "Peers", "R3", ("met_by_peer",), (fw.Question("Q3", "q3", "g3"),)),
))
SERVICES = pl.DataFrame({
    "service_id": ["S1", "S2", "S3"], "service_name": ["One", "Two", "Three"],
    "setting": ["community", "community", "prison"],
    "area_code": ["E09000001", "E09000001", "BZI"],
    "area_name": ["Borough A", "Borough A", "HMP Bronzefield"]})
ROUNDS = pl.DataFrame({"round_id": ["R-1", "R-2"], "framework_version": [1, 1],
                       "opens_on": [date(2024, 4, 1), date(2025, 4, 1)]})
# (round, service, view, question, rating, evidence)
RATINGS = [
    ("R-2", "S1", "self", "Q1", 4, "Housing officer in reception"),
    ("R-2", "S1", "self", "Q2", 3, None),
    ("R-2", "S1", "ebe", "Q1", 3, "People told us they had a place"),
    ("R-2", "S1", "ebe", "Q2", 3, None),
    ("R-2", "S1", "self", "Q3", 4, None),
    ("R-2", "S1", "ebe", "Q3", 2, None),
    ("R-2", "S2", "self", "Q1", 4, None),
    ("R-2", "S2", "self", "Q2", 4, None),
    ("R-2", "S2", "ebe", "Q1", 2, None),
    ("R-2", "S2", "ebe", "Q2", 1, None),
    ("R-2", "S3", "self", "Q3", 3, "Peers at the gate"),
    ("R-2", "S3", "ebe", "Q3", 4, "Met at the gate"),
    ("R-1", "S1", "self", "Q1", 2, None),
    ("R-1", "S1", "self", "Q2", 2, None),
    ("R-1", "S1", "ebe", "Q1", 1, None),
]


def answers_frame() -> pl.DataFrame:
    return pl.DataFrame(RATINGS, schema={"round_id": pl.String, "service_id": pl.String,
                                         "audit_view": pl.String, "question_id": pl.String,
                                         "rating": pl.Int64, "evidence": pl.String},
                        orient="row")


def scores() -> pl.DataFrame:
    return scoring.domain_scores(answers_frame(), ROUNDS, {1: SMALL}, SERVICES)


def score_of(frame: pl.DataFrame, **keys: str) -> float:
    found = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert found.height == 1, keys
    return found.get_column("score").item()


def test_seed_framework_is_sound_and_every_kpi_is_in_the_registry() -> None:
    assert fw.problems(fw.SEED) == []
    assert {k for d in fw.SEED.domains for k in d.kpi_ids} <= fw.KPI_IDS
    assert {"settled_on_release", "met_by_peer", "tier4_on_release",
            "informed_at_reception"} <= {k for d in fw.SEED.domains for k in d.kpi_ids}
    broken = fw.Framework(2, (fw.Domain("D1", "x", "R99", ("no_such_kpi",), ()),))
    found = fw.problems(broken)
    assert any("no_such_kpi" in p for p in found) and any("R99" in p for p in found)
    assert any("at least one question" in p for p in found)
    assert fw.from_rows(1, fw.as_rows(fw.SEED)) == fw.SEED


def test_domain_scores_equal_a_hand_computation() -> None:
    found = scores()
    # S1, round 2: D1 self (4+3)/2, ebe (3+3)/2; D2 self 4, ebe 2.
    assert score_of(found, round_id="R-2", service_id="S1", domain_id="D1", audit_view="self") \
        == 3.5
    assert score_of(found, round_id="R-2", service_id="S1", domain_id="D1", audit_view="ebe") \
        == 3.0
    assert score_of(found, round_id="R-2", service_id="S2", domain_id="D1", audit_view="ebe") \
        == 1.5
    # Round 1, S1: only Q1 rated by the EbE panel: 1 of 2 questions answered.
    row = found.filter((pl.col("round_id") == "R-1") & (pl.col("audit_view") == "ebe"))
    assert row.select("score", "answered", "questions").row(0) == (1.0, 1, 2)
    # Borough A, D1 self: services count once each, mean of S1 3.5 and S2 4.0.
    area = scoring.by_level(found, "area")
    assert score_of(area, round_id="R-2", place="Borough A", domain_id="D1",
                    audit_view="self") == 3.75
    # London, D2 ebe: S1 2, S3 4 -> 3.
    london = scoring.by_level(found, "london")
    assert score_of(london, round_id="R-2", place="London", domain_id="D2",
                    audit_view="ebe") == 3.0
    assert london.filter((pl.col("round_id") == "R-2") & (pl.col("domain_id") == "D2"))\
        .get_column("services").to_list() == [2, 2]


def test_disagreements_are_the_domains_where_the_views_differ_by_a_point_or_more() -> None:
    found = scoring.disagreements(scores(), "R-2")
    assert found.select("service_id", "domain_id", "difference").rows() == [
        ("S2", "D1", 2.5), ("S1", "D2", 2.0), ("S3", "D2", -1.0)]
    assert found.get_column("which").to_list() == ["The service rates itself higher"] * 2 + [
        "The EbE panel rates it higher"]
    assert scoring.disagreements(scores(), "R-2", threshold=1.5).height == 2
    assert scoring.disagreements(scores(), "R-2", threshold=3.0).is_empty()


def test_best_practice_is_the_highest_rated_by_both_views_with_their_evidence() -> None:
    questions = scoring.question_frame({1: SMALL}, ROUNDS)
    best = scoring.best_practice(scores(), answers_frame(), "R-2", questions)
    # D1: S1 (lower view 3.0) beats S2 (1.5). D2: S3 (lower view 3.0) beats S1 (2.0).
    assert best.select("domain_id", "service_id").rows() == [("D1", "S1"), ("D2", "S3")]
    assert best.get_column("evidence").to_list() == [
        "EbE panel: People told us they had a place | Self-assessment: Housing officer in "
        "reception", "EbE panel: Met at the gate | Self-assessment: Peers at the gate"]


def test_strengths_areas_and_change_since_the_previous_round_in_words() -> None:
    found = scores()
    wide = scoring.side_by_side(found.filter((pl.col("round_id") == "R-2")
                                             & (pl.col("service_id") == "S1")), ())
    strengths, improve = scoring.sentences(wide, "One")
    assert strengths == ["Housing: One and the EbE panel both rate it as in place or better "
                         "(self-assessment 3.5, EbE panel 3.0 out of 4)."]
    assert improve == [
        "Peers: the EbE panel rates it as planned or partly in place (self-assessment 4.0, "
        "EbE panel 2.0 out of 4).",
        "Peers: One rates it 2.0 points higher than the other view; talk through the evidence "
        "together."]
    level = scoring.by_level(found, "service")
    change = scoring.change_since_previous(level, ROUNDS, "R-2")
    assert change.filter(pl.col("place") == "One").select(
        "domain_id", "audit_view", "previous", "score", "change").rows() == [
        ("D1", "ebe", 1.0, 3.0, 2.0), ("D1", "self", 2.0, 3.5, 1.5)]
    assert scoring.change_sentences(change.filter(pl.col("place") == "One"), "One", "R-1") == [
        "Housing (ebe panel): up 2.0 since R-1, from 1.0 to 3.0.",
        "Housing (self-assessment): up 1.5 since R-1, from 2.0 to 3.5."]
    assert scoring.change_since_previous(level, ROUNDS, "R-1").is_empty()


# --- The store: roles and both backends -------------------------------------------------------

ADMIN_ACTOR = Actor("admin@ohid.example", frozenset({VIEWER, ADMIN}))
EBE_ACTOR = Actor("panel@voices.example", frozenset({VIEWER, EBE_REVIEWER}))
ASSESSOR = Actor("manager@svc.example", frozenset({VIEWER, store.service_role("SVC-013")}))
HACKNEY = {"service_id": "SVC-013", "area_code": "E09000012"}
CAMDEN = {"service_id": "SVC-007", "area_code": "E09000007"}


@pytest.fixture(params=["duckdb", "postgres"])
def app_store(request: pytest.FixtureRequest, tmp_path: Path):
    location = (tmp_path / "app.duckdb" if request.param == "duckdb"
                else request.getfixturevalue("postgres_url"))
    opened = store.app_store(location)
    records.open_round(opened, "2025-26", 1, date(2025, 4, 1), "First round", ADMIN_ACTOR)
    yield opened
    opened.close()


def test_an_assessor_rates_their_own_service_and_no_other(app_store) -> None:
    rating = [records.Rating("D01-Q1", 3, "Housing officer at reception")]
    assert records.views_for(ASSESSOR, "SVC-013") == ("self",)
    assert records.views_for(ASSESSOR, "SVC-007") == ()
    written = records.save_ratings(app_store, "2025-26", HACKNEY, "self", rating, ASSESSOR)
    assert [w.action for w in written] == ["create"]
    before = app_store.audit_log().height
    with pytest.raises(NotAllowed, match="only their own service"):
        records.save_ratings(app_store, "2025-26", CAMDEN, "self", rating, ASSESSOR)
    with pytest.raises(NotAllowed, match="EbE panel"):
        records.save_ratings(app_store, "2025-26", HACKNEY, "ebe", rating, ASSESSOR)
    assert app_store.audit_log().height == before
    assert records.answers(app_store).select("service_id", "audit_view").rows() == [
        ("SVC-013", "self")]


def test_an_ebe_reviewers_rating_is_stored_as_the_ebe_view(app_store) -> None:
    assert records.views_for(EBE_ACTOR, "SVC-013") == ("ebe",)
    with pytest.raises(NotAllowed, match="only their own service"):
        records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                             [records.Rating("D01-Q1", 4)], EBE_ACTOR)
    records.save_ratings(app_store, "2025-26", HACKNEY, "ebe",
                         [records.Rating("D01-Q1", 2, "Two people had nowhere to go")], EBE_ACTOR)
    stored = records.answers(app_store)
    assert stored.select("service_id", "audit_view", "question_id", "rating",
                         "recorded_by").rows() == [
        ("SVC-013", "ebe", "D01-Q1", 2, "panel@voices.example")]
    audit = app_store.audit_log().filter(pl.col("entry_id") == stored["entry_id"].item())
    assert audit.select("action", "who").rows() == [("create", "panel@voices.example")]


def test_rating_again_adds_a_version_and_bad_ratings_store_nothing(app_store) -> None:
    records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                         [records.Rating("D01-Q1", 2), records.Rating("D01-Q2", 3)], ASSESSOR)
    records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                         [records.Rating("D01-Q1", 4), records.Rating("D01-Q2", 3)], ASSESSOR)
    stored = records.answers(app_store).sort("question_id")
    assert stored.select("question_id", "rating", "version").rows() == [
        ("D01-Q1", 4, 2), ("D01-Q2", 3, 1)]
    count = app_store.versions().height
    with pytest.raises(store.EntryRejected, match="rating must be a whole number from 1 to 4"):
        records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                             [records.Rating("D01-Q1", 1), records.Rating("D01-Q2", 5)],
                             ASSESSOR)
    with pytest.raises(store.EntryRejected, match="not a question of round"):
        records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                             [records.Rating("D99-Q9", 1)], ASSESSOR)
    assert app_store.versions().height == count  # all or nothing


def test_an_admin_saves_a_new_framework_version_and_a_round_uses_it(app_store) -> None:
    changed = fw.Framework(0, fw.SEED.domains[:2])
    with pytest.raises(NotAllowed):
        records.save_framework(app_store, changed, EBE_ACTOR)
    assert records.save_framework(app_store, changed, ADMIN_ACTOR) == 2
    assert records.frameworks(app_store)[2].domains == fw.SEED.domains[:2]
    with pytest.raises(store.EntryRejected, match="unknown KPI"):
        records.save_framework(app_store, fw.Framework(0, (fw.Domain(
            "D1", "x", "R3", ("nope",), (fw.Question("Q", "q", "g"),)),)), ADMIN_ACTOR)
    records.open_round(app_store, "2026-27", 2, date(2026, 4, 1), "Second", ADMIN_ACTOR)
    assert records.round_framework(app_store, "2026-27").version == 2
    with pytest.raises(store.EntryRejected, match="already a round"):
        records.open_round(app_store, "2026-27", 1, date(2026, 4, 1), "Again", ADMIN_ACTOR)
    assert records.current_round(records.rounds(app_store), date(2026, 5, 1)) == "2026-27"
    assert records.current_round(records.rounds(app_store), date(2025, 5, 1)) == "2025-26"


def test_training_sessions_are_r8_entries_recorded_by_ebe_reviewers(app_store) -> None:
    with pytest.raises(NotAllowed):
        records.record_training(app_store, HACKNEY, date(2025, 6, 1), "Trauma-informed care",
                                12, "EbE group", ASSESSOR)
    records.record_training(app_store, HACKNEY, date(2025, 6, 1), "Trauma-informed care", 12,
                            "EbE group", EBE_ACTOR)
    stored = app_store.entries(c.TRAINING)
    assert stored.select("recommendation_id", "service_id", "attendees").rows() == [
        ("R8", "SVC-013", 12)]
    with pytest.raises(store.EntryRejected, match="belongs to R8"):
        app_store.record(c.TRAINING, {
            "recommendation_id": "R7", "scope": "E09000012", "service_id": "SVC-013",
            "reported_on": date(2025, 6, 1), "topic": "x", "attendees": 3, "panel": "EbE"},
            EBE_ACTOR)


def test_export_and_import_carry_the_audit(app_store, tmp_path: Path) -> None:
    records.save_ratings(app_store, "2025-26", HACKNEY, "self",
                         [records.Rating("D01-Q1", 3, "Evidence")], ASSESSOR)
    entries_csv, audit_csv = app_store.export_csv()
    copy = store.app_store(tmp_path / "copy.duckdb")
    result = copy.import_csv(entries_csv, ADMIN_ACTOR, audit_csv)
    assert result.rejected == [] and result.added == 2
    assert records.answers(copy).select("question_id", "rating", "evidence").rows() == [
        ("D01-Q1", 3, "Evidence")]
    copy.close()


def test_the_roles_table_maps_service_assessors_to_their_services() -> None:
    table = {"manager@svc.example": ["service_assessor:svc-013", "service_assessor:BZI"],
             "@voices.example": "ebe_reviewer"}
    roles = auth.roles_for("manager@svc.example", table)
    actor = Actor("manager@svc.example", roles)
    assert actor.assessed_services == {"SVC-013", "BZI"}
    assert actor.can_record(c.ANSWER) and not actor.can_record(c.TRAINING)
    assert auth.roles_table_problems(table) == []
    assert auth.roles_table_problems({"a@b.example": "service_assessor:"}) != []
    assert "Service assessor (BZI, SVC-013)" in auth.describe(actor)
