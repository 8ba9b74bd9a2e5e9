"""Pure frame, chart and narrative functions of the Recommendations and Lived experience pages,
on small inline frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from dashboard import tracker as model
from dashboard.charts import recommendations as charts
from dashboard.charts import voices
from dashboard.narrative import recommendations as narrative
from dashboard.narrative import voices as voices_narrative
from pipelines.definitions import reference

LONDON = reference.LONDON_CODE
LAMBETH = "E09000022"
RECOMMENDATIONS = pl.DataFrame([
    {"id": r.id, "kind": r.kind, "short_title": r.short_title, "asks": r.asks}
    for r in reference.RECOMMENDATIONS])


def updates(*rows: dict) -> pl.DataFrame:
    base = {"update_id": "U", "recommendation_id": "R1", "scope": LONDON,
            "reported_on": date(2024, 1, 1), "status": "planning", "rag": "amber",
            "milestone": None, "next_step": None, "owner": "OHID", "evidence": None}
    return pl.DataFrame([{**base, **row} for row in rows],
                        schema_overrides={"reported_on": pl.Date})


def reviews(*rows: dict) -> pl.DataFrame:
    base = {"review_id": "V", "recommendation_id": "R1", "scope": LONDON,
            "reviewed_on": date(2024, 2, 1), "panel": "P", "rating": 3, "comment": None}
    return pl.DataFrame([{**base, **row} for row in rows],
                        schema_overrides={"reviewed_on": pl.Date, "rating": pl.Int64})


def entered(*rows: dict) -> pl.DataFrame:
    frame = updates(*rows)
    return frame.with_columns(pl.lit(1).alias("version"), pl.lit("me@x.org").alias("recorded_by"),
                              pl.lit(datetime(2024, 6, 1)).alias("recorded_at"))


NO_REVIEWS = reviews().clear()


def test_combining_marks_where_each_update_came_from() -> None:
    combined = model.combine_updates(updates({"update_id": "U1"}),
                                      entered({"update_id": "APP-1"}))
    assert combined.select("update_id", "source", "recorded_by").rows() == [
        ("U1", model.FROM_EXTRACT, None), ("APP-1", model.FROM_APP, "me@x.org")]


def test_the_tracker_has_all_eleven_items_even_with_no_updates() -> None:
    combined = model.combine_updates(updates().clear(), entered().clear())
    tracker = model.tracker_frame(combined, model.combine_reviews(NO_REVIEWS, NO_REVIEWS),
                                   RECOMMENDATIONS, LAMBETH)
    assert tracker.get_column("recommendation_id").to_list() == list(reference.RECOMMENDATION_IDS)
    assert set(tracker.get_column("status_title")) == {model.NO_UPDATE}
    table = charts.tracker_table(tracker, LAMBETH)
    assert table.height == 11 and "London-wide status" in table.columns
    assert set(table.get_column("EbE review for")) == {model.NO_REVIEW}
    assert "London-wide status" not in charts.tracker_table(tracker, LONDON).columns


def test_the_tracker_takes_the_latest_update_for_the_place_and_shows_london_beside_it() -> None:
    combined = model.combine_updates(
        updates({"update_id": "old", "scope": LAMBETH, "reported_on": date(2023, 1, 1),
                 "status": "planning"},
                {"update_id": "new", "scope": LAMBETH, "reported_on": date(2024, 5, 1),
                 "status": "implemented", "rag": "green"},
                {"update_id": "ldn", "status": "in_progress"}),
        # same date as the extract's latest: the app entry is taken as the later one
        entered({"update_id": "APP", "recommendation_id": "R2", "scope": LAMBETH,
                 "reported_on": date(2024, 5, 1), "status": "embedded"}))
    tracker = model.tracker_frame(combined, model.combine_reviews(NO_REVIEWS, NO_REVIEWS),
                                   RECOMMENDATIONS, LAMBETH)
    r1 = tracker.filter(pl.col("recommendation_id") == "R1").row(0, named=True)
    assert (r1["update_id"], r1["status_title"], r1["london_status"]) == (
        "new", "Implemented", "In progress")
    r2 = tracker.filter(pl.col("recommendation_id") == "R2").row(0, named=True)
    assert (r2["status_title"], r2["source"]) == ("Embedded", model.FROM_APP)
    assert tracker.filter(pl.col("status").is_null()).height == 9


@pytest.mark.parametrize(("rag", "rating", "expected"), [
    ("green", 5, model.AGREE), ("green", 3, model.PARTLY), ("green", 1, model.DISAGREE),
    ("red", 2, model.AGREE), ("red", 4, model.DISAGREE), ("amber", 5, model.PARTLY),
    (None, 3, model.CANNOT), ("amber", None, model.CANNOT),
])
def test_agreement_between_partners_and_the_ebe_group(rag, rating, expected) -> None:
    frame = pl.DataFrame({"rag": [rag], "rating": [rating]},
                         schema={"rag": pl.String, "rating": pl.Int64})
    assert frame.select(model.agreement_expr()).item() == expected


def test_a_place_without_its_own_review_uses_the_london_review_and_says_so() -> None:
    combined = model.combine_updates(updates({"scope": LAMBETH, "rag": "green"}),
                                      entered().clear())
    ebe = model.combine_reviews(reviews({"rating": 1, "comment": "Not felt"},
                                         {"recommendation_id": "R3", "scope": LAMBETH,
                                          "rating": 5}), NO_REVIEWS)
    tracker = model.tracker_frame(combined, ebe, RECOMMENDATIONS, LAMBETH)
    r1 = tracker.filter(pl.col("recommendation_id") == "R1").row(0, named=True)
    assert (r1["review_scope"], r1["rating"], r1["agreement"]) == (
        "London-wide", 1, model.DISAGREE)
    r3 = tracker.filter(pl.col("recommendation_id") == "R3").row(0, named=True)
    assert (r3["review_scope"], r3["rating"]) == ("Lambeth", 5)
    summary = narrative.agreement_summary(tracker, "Lambeth")
    assert summary.startswith("Partners and the EbE group disagree on 1 item: R1 Rehab")
    assert "(partners green, EbE group 1 of 5)" in summary


def test_the_status_matrix_covers_every_item_and_place() -> None:
    scope_table = model.scopes(
        pl.DataFrame({"code": [LAMBETH], "name": ["Lambeth"]}),
        pl.DataFrame({"code": ["BAI"], "name": ["Belmarsh"]}))
    combined = model.combine_updates(updates({"scope": "BAI", "rag": "red"}), entered().clear())
    matrix = model.status_matrix_frame(combined, RECOMMENDATIONS, scope_table)
    assert matrix.height == 11 * 3
    cell = matrix.filter((pl.col("scope") == "BAI") & (pl.col("recommendation_id") == "R1"))
    assert cell.select("status_title", "rag_letter").row(0) == ("Planning", "R")
    table = charts.status_matrix_table(matrix)
    assert table.columns == ["Item", "London", "Lambeth", "HMP Belmarsh"]
    assert table.row(2) == ("R1 Rehab and long-term recovery", model.NO_UPDATE, model.NO_UPDATE,
                            "Planning (red)")
    assert "1 prison" in narrative.matrix_summary(matrix)
    assert "1 latest update is rated red" in narrative.matrix_summary(matrix)
    chart = charts.status_matrix_chart(matrix, "t")
    spec = chart.to_dict()
    # Not colour alone: each tile carries its status number and RAG letter, and the legend
    # gives each number its status.
    assert spec["layer"][1]["encoding"]["text"]["field"] == "mark"
    marks = {(r["scope"], r["recommendation_id"]): r["mark"]
             for r in chart.data.iter_rows(named=True)}
    assert marks[("BAI", "R1")] == "2R"
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"][-1] == "2 Planning"


def test_history_and_its_summary() -> None:
    combined = model.combine_updates(updates(
        {"reported_on": date(2022, 6, 1), "status": "not_started"},
        {"reported_on": date(2023, 6, 1), "status": "implemented", "rag": "green"},
        {"recommendation_id": "R2", "reported_on": date(2023, 1, 1), "status": "planning"},
    ), entered().clear())
    history = model.history_frame(combined, RECOMMENDATIONS, LONDON)
    assert history.get_column("item").to_list() == [
        "R1 Rehab and long-term recovery", "R1 Rehab and long-term recovery",
        "R2 Rewarding commitment"]
    assert narrative.history_summary(history, "London as a whole") == (
        "3 updates on 2 items have been recorded for London as a whole since June 2022. Since "
        "their first update, 1 item has moved forward.")
    steps = history.filter(pl.col("recommendation_id") == "R1")
    assert narrative.status_steps_summary(steps, "R1", "London").startswith(
        "R1 in London: not started in June 2022, implemented at the latest update (June 2023)")
    charts.history_chart(history, "t").to_dict()
    charts.status_steps_chart(steps, "t").to_dict()


def test_evidence_kpis_come_from_the_registry() -> None:
    definitions = pl.DataFrame({"id": ["coc_21d", "tier4_on_release", "engaged_6m"],
                                "recommendations": ["F-B", "R1", "R1, R2"]})
    assert model.evidence_kpis(definitions, "R1") == ["tier4_on_release", "engaged_6m"]
    assert model.evidence_kpis(definitions, "R2") == ["engaged_6m"]
    assert model.evidence_kpis(definitions, "R7") == []


def kpi_rows(*rows: dict) -> pl.DataFrame:
    base = {"kpi_id": "coc_21d", "period": "2023/24", "period_start": date(2023, 4, 1),
            "area_name": "London", "breakdown": "completed_programme", "category": "yes",
            "numerator": 50, "denominator": 100, "value": 50.0, "lower_95": 40.0,
            "upper_95": 60.0, "status": "published", "note": None, "available_from": None,
            "compared_to_london": None, "compared_to_england": None, "trend": None}
    return pl.DataFrame([{**base, **row} for row in rows],
                        schema_overrides={"available_from": pl.Date, "note": pl.String,
                                          "trend": pl.String, "compared_to_london": pl.String,
                                          "compared_to_england": pl.String})


DEFINITIONS = pl.DataFrame({"id": ["coc_21d", "settled_on_release"],
                            "title": ["Continuity of care (21 days)", "Settled accommodation"],
                            "unit": ["percent", "percent"]})


def test_programme_completers_against_everyone_else() -> None:
    values = kpi_rows(
        {"category": "yes", "value": 70.0, "lower_95": 65.0, "upper_95": 75.0},
        {"category": "no", "value": 40.0, "lower_95": 35.0, "upper_95": 45.0},
        {"kpi_id": "settled_on_release", "category": "yes", "numerator": None, "value": None,
         "status": "suppressed"},
        {"kpi_id": "settled_on_release", "category": "no"})
    completers = model.completers_frame(values, DEFINITIONS)
    table = charts.completers_table(completers)
    assert table.filter(pl.col("Value") == "*").height == 1
    assert table.filter(pl.col("Value") == "*").row(0, named=True)["Numerator"] == "*"
    summary = narrative.completers_summary(completers, "2023/24", "London")
    assert "clearly higher for continuity of care (21 days)" in summary
    assert "settled" not in summary.lower()  # its 'yes' figure is suppressed: no comparison
    spec = charts.completers_chart(completers, "t").to_dict()
    shown = next(iter(spec["datasets"].values()))
    assert {row["status"] for row in shown} == {"published"}


def test_evidence_table_marks_suppressed_and_immature_figures() -> None:
    values = kpi_rows({"breakdown": "all"},
                      {"breakdown": "all", "period": "2024/25", "numerator": None,
                       "denominator": None, "value": None, "status": "immature",
                       "available_from": date(2026, 1, 1)})
    evidence = model.evidence_frame(values, DEFINITIONS)
    assert charts.evidence_table(evidence).get_column("Value").to_list() == [
        "50.0%", "Not yet available (once data to 1 Jan 2026 is loaded)"]
    assert narrative.evidence_summary(evidence, "F-B", "London").endswith(
        "Continuity of care (21 days) 50.0% in 2023/24.")


def test_services_count_open_services_of_the_kind_in_every_borough() -> None:
    las = pl.DataFrame({"code": ["E09000001", LAMBETH], "name": ["City of London", "Lambeth"]})
    services = pl.DataFrame({
        "service_id": ["S1", "S2", "S3", "S4"], "name": ["Hub", "Old hub", "Women", "Later"],
        "la": [LAMBETH, LAMBETH, LAMBETH, LAMBETH],
        "kind": ["one_stop_shop", "one_stop_shop", "womens_service", "one_stop_shop"],
        "drop_in": [True, True, False, True], "women_only": [False, False, True, False],
        "paid_peer_support_fte": [1.0, 2.0, 0.5, 1.0],
        "opened_on": [date(2020, 1, 1), date(2019, 1, 1), date(2021, 1, 1), date(2030, 1, 1)],
        "closed_on": [None, date(2022, 1, 1), None, None]})
    on = date(2024, 1, 1)
    shops = model.services_frame(services, las, "R5", on)
    assert shops.select("name", "services", "names").rows() == [
        ("City of London", 0, ""), ("Lambeth", 1, "Hub")]
    assert narrative.services_summary(shops, "One-stop shops", LAMBETH, on) == (
        "On 1 January 2024, 1 of London's 2 boroughs had at least one one-stop shop open (1 in "
        "all). Lambeth had 1.")
    women = model.services_frame(services, las, "R6", on)
    assert women.get_column("services").to_list() == [0, 1]
    charts.services_chart(shops, "One-stop shops", "t", LAMBETH).to_dict()


def test_glance_shows_london_status_rag_and_ebe_rating() -> None:
    combined = model.combine_updates(updates({"rag": "green", "status": "implemented"},
                                              {"scope": LAMBETH, "recommendation_id": "R2"}),
                                      entered().clear())
    ebe = model.combine_reviews(reviews({"rating": 1},
                                         {"scope": LAMBETH, "recommendation_id": "R2"}),
                                 NO_REVIEWS)
    glance = model.glance_frame(RECOMMENDATIONS, combined, ebe)
    assert glance.height == 11
    table = charts.glance_table(glance)
    assert table.row(2)[:3] == ("R1 Rehab and long-term recovery", "Implemented", "Green")
    assert table.row(3)[1] == model.NO_UPDATE  # Lambeth's R2 update is not London-wide
    assert narrative.glance_summary(glance).startswith(
        "London-wide, 1 of the 11 items have an update; 1 is implemented or embedded. The EbE "
        "group's rating disagrees with the partners' on R1 Rehab and long-term recovery. "
        "'Agree?' compares the expert-by-experience group's rating (1 to 5) with the partners' "
        "own red/amber/green rating")
    spec = charts.glance_chart(glance).to_dict()
    assert "EbE: the expert-by-experience group's rating," in " ".join(
        spec["title"]["subtitle"])


def test_the_agreement_chart_labels_every_bar_in_words() -> None:
    combined = model.combine_updates(updates({"rag": "green"}), entered().clear())
    tracker = model.tracker_frame(combined, model.combine_reviews(reviews({"rating": 2}),
                                                                    NO_REVIEWS),
                                   RECOMMENDATIONS, LONDON)
    spec = charts.agreement_chart(tracker, "t").to_dict()
    rows = next(iter(spec["datasets"].values()))
    labels = {row["item"]: row["label"] for row in rows}
    assert labels["R1 Rehab and long-term recovery"] == (
        "RAG G · Disagree")
    assert labels["R9 London expert-by-experience group"] == (
        "RAG – · Cannot compare")


# --- Lived experience -------------------------------------------------------------------------

FEEDBACK = pl.DataFrame({
    "feedback_id": ["F1", "F2", "F3", "F4"], "event_id": ["E1", "E1", "E2", "E2"],
    "event_date": [date(2022, 2, 9), date(2022, 2, 9), date(2022, 3, 1), date(2022, 3, 1)],
    "setting": ["prison", "prison", "community", "prison"],
    "location": ["BAI", "BAI", LAMBETH, "BZI"], "question_no": [1, 2, 3, 4],
    "theme": ["housing", "housing", "peer support", "housing"],
    "recommendation_id": ["F-A", "F-A", "R3", None],
    "sentiment": ["could_improve", "worked_well", "worked_well", "could_improve"],
    "quote": ["No room. [link](http://x) <b>", None, "A peer met me.", "  "],
})


def test_feedback_counts_by_theme_and_recommendation() -> None:
    described = voices.described(FEEDBACK)
    by_theme = voices.sentiment_counts(described, "theme")
    assert by_theme.rows() == [("housing", 1, 2, 3), ("peer support", 1, 0, 1)]
    by_rec = voices.sentiment_counts(described, "recommendation")
    assert by_rec.get_column("recommendation").to_list() == [
        "F-A Housing", "R3 Peer support workers", voices.NOT_LINKED]
    prison = voices.filtered(described, setting="prison", theme="housing")
    assert prison.height == 3
    assert voices.filtered(described, recommendation_id="R3").height == 1
    spec = voices.diverging_chart(by_theme, "theme", "t").to_dict()
    positions = {(r["theme"], r["sentiment"]): r["position"]
                 for r in next(iter(spec["datasets"].values()))}
    assert positions[("housing", voices.COULD_IMPROVE)] == -2
    assert positions[("housing", voices.WORKED_WELL)] == 1


def test_quotes_keep_their_text_exactly_and_skip_blanks() -> None:
    quoted = voices.quotes(voices.described(FEEDBACK))
    assert quoted.get_column("quote").to_list() == ["A peer met me.",
                                                    "No room. [link](http://x) <b>"]
    table = voices.quotes_table(quoted)
    assert table.row(1, named=True)["Where"] == "HMP Belmarsh"
    assert voices.attribution(quoted.row(0, named=True)) == (
        "In the community, Lambeth · March 2022 · theme: peer support · "
        "R3 Peer support workers")


def test_voices_summaries() -> None:
    described = voices.described(FEEDBACK)
    assert voices_narrative.overview_summary(described, "everywhere").startswith(
        "4 comments from 2 consultation events in 3 places (February 2022 to March 2022)")
    summary = voices_narrative.counts_summary(voices.sentiment_counts(described, "theme"),
                                              "theme", "theme")
    assert "Most comments about what could be better: housing (2 of 3)" in summary
    assert voices_narrative.overview_summary(described.clear(), "x").startswith("No feedback")

