"""The Data and definitions page: AppTest runs against the sample warehouse and against a copy
of it with rejected rows, and the page's plain-English text as pure functions."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import words
from dashboard.narrative import data_definitions as narrative
from pipelines import disclosure

PAGE = "data_definitions.py"
REJECTS = [
    ("prison_releases", "prison_releases_extra.csv", 2, "release_date",
     "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"),
    ("prison_releases", "prison_releases_extra.csv", 5, "release_date",
     "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"),
    ("prison_releases", "prison_releases_extra.csv", 9, "prison", "unknown prison"),
]


def _query(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.fixture(scope="module")
def warehouse_with_rejects(sample_warehouse: Path, tmp_path_factory) -> Path:
    """A copy of the sample warehouse whose latest load rejected the rows in REJECTS."""
    copy = tmp_path_factory.mktemp("rejects") / "warehouse.duckdb"
    shutil.copy(sample_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        run_id = con.sql("select run_id from load_runs order by started_at desc limit 1") \
            .fetchall()[0][0]
        for extract, path, row, column, reason in REJECTS:
            con.execute("insert into load_rejects (extract, path, row, \"column\", reason, "
                        "run_id) values (?, ?, ?, ?, ?, ?)",
                        [extract, path, row, column, reason, run_id])
        con.execute("update load_runs set rows_rejected = ?, rows_read = rows_read + ? "
                    "where run_id = ?", [len(REJECTS), len(REJECTS), run_id])
    return copy


def test_every_kpi_definition_from_the_registry_is_shown(app_on_sample,
                                                         sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    definitions = _query(sample_warehouse, "select * from kpi_definitions")
    labels = [e.label for e in at.expander]
    for title in definitions["title"]:
        assert title in labels
    markdown = " ".join(m.value for m in at.markdown)
    for row in definitions.iter_rows(named=True):
        assert row["description"] in markdown
        assert row["numerator"] in markdown
    registry = next(pl.from_pandas(d.value) for d in at.dataframe
                    if "Indicator id" in d.value.columns)
    assert sorted(registry["Indicator id"].to_list()) == sorted(definitions["id"].to_list())


def test_cutoff_journeys_and_disclosure_rules_are_stated(app_on_sample,
                                                         sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    info = _query(sample_warehouse, "select * from build_info").row(0, named=True)
    markdown = " ".join(m.value for m in at.markdown)
    assert f"**{info['data_cutoff']:%-d %B %Y}**" in markdown
    assert "synthetic sample" in markdown
    assert "Any count from 1 to 4 is hidden and shown as `*`" in markdown
    assert "3-year rolling" in markdown
    assert "84 days (12 weeks)" in markdown
    headers = [h.value for h in at.header]
    for header in ("Data cut-off", "Indicator definitions", "Disclosure control",
                   "Latest load", "Load history", "Data contracts"):
        assert header in headers


def test_a_clean_load_says_no_rows_were_rejected(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    latest = _query(sample_warehouse, "select * from load_runs order by started_at desc "
                                      "limit 1").row(0, named=True)
    rejects = _query(sample_warehouse, "select count(*) as n from load_rejects").item()
    assert rejects == 0
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows read"] == f"{latest['rows_read']:,}"
    assert metrics["Rows rejected"] == "0"
    assert any("No rows were rejected" in s.value for s in at.success)


def test_rejected_rows_are_counted_by_file_column_and_reason(app_on_sample, monkeypatch,
                                                             warehouse_with_rejects: Path) \
        -> None:
    monkeypatch.setenv("COC_WAREHOUSE", str(warehouse_with_rejects))
    at = app_on_sample(PAGE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows rejected"] == f"{len(REJECTS):,}"
    assert not at.success
    reasons = next(pl.from_pandas(d.value) for d in at.dataframe
                   if "Reason" in d.value.columns and "First row" in d.value.columns)
    counted = {(r["Column"], r["Reason"]): (r["Rows"], r["First row"])
               for r in reasons.iter_rows(named=True)}
    assert counted == {
        ("release_date", "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"): (2, 2),
        ("prison", "unknown prison"): (1, 9),
    }
    rows = next(pl.from_pandas(d.value) for d in at.dataframe
                if "Row" in d.value.columns and "Reason" in d.value.columns)
    assert rows["Row"].to_list() == [2, 5, 9]
    assert any(b.label == "Download CSV: rejected rows" for b in at.get("download_button"))


def test_kpi_markdown_has_every_registry_field() -> None:
    kpi = {"id": "coc_21d", "title": "Continuity of care (21 days)",
           "description": "The share who started.", "numerator": "Engaged", "denominator":
           "Releases", "unit": "percent", "polarity": "high_good", "target": 75.0,
           "recommendations": "F-B", "follow_up_days": 21, "source": "prison_releases"}
    text = narrative.kpi_markdown(kpi, {"F-B": "Through the Gate"})
    for expected in ("The share who started.", "**Numerator:** Engaged",
                     "**Denominator:** Releases", "**Unit:** Per cent",
                     "**Polarity:** Higher is better", "**Target:** 75%",
                     "**Evidence for:** F-B (Through the Gate)",
                     "**Follow-up window:** 21 days after release (3 weeks)",
                     "**Source extracts:** prison_releases", "`coc_21d`"):
        assert expected in text


def test_disclosure_rules_use_the_pipelines_thresholds_and_notes() -> None:
    rules = " ".join(narrative.disclosure_rules())
    assert f"from {disclosure.SMALL_MIN} to {disclosure.SMALL_MAX}" in rules
    assert disclosure.SUPPRESSION_NOTE in rules
    assert disclosure.SECONDARY_NOTE in rules
    assert "quarters within their year" in rules


def test_cutoff_text() -> None:
    text = narrative.cutoff_text(date(2025, 9, 30), datetime(2025, 10, 1, 9, 5), "data_samples",
                                 True)
    assert "**30 September 2025**" in text
    assert "1 October 2025 at 09:05 UTC from `data_samples`" in text
    assert "synthetic" in text
    assert narrative.cutoff_text(None, None, None, False).startswith("This build has no")


def test_definition_choices_and_trend_methods_are_shown(app_on_sample) -> None:
    at = app_on_sample(PAGE)
    markdown = " ".join(m.value for m in at.markdown)
    assert "**Recent trend method:** Weighted regression of the value on time with weights " \
        "1/se² from the 95% interval" in markdown  # continuity of care
    assert "**Recent trend method:** Chi-square test for trend in proportions" in markdown
    choices = next(pl.from_pandas(d.value) for d in at.dataframe
                   if "Choice" in d.value.columns)
    assert choices.get_column("Choice").to_list() == [
        "Deaths within 21 days leave the continuity-of-care denominator",
        "Returns to custody within 21 days leave the continuity-of-care denominator",
        "What counts as engagement",
        "An episode already open at release counts as engaged",
        "A planned step-up into Tier 4 is not re-presenting",
    ]
    assert choices.get_column("Setting").to_list() == [
        "yes", "yes", "community, residential_rehab, inpatient_detox", "yes", "14"]
    assert "still there at the data cut-off have no release record yet" in markdown


def test_london_spc_table_shows_variation_beside_assurance(app_on_sample,
                                                           sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    table = next(pl.from_pandas(d.value) for d in at.dataframe
                 if "Assurance" in d.value.columns)
    expected = _query(sample_warehouse,
                      "select spc_signal, spc_assurance from kpi_values where kpi_id = "
                      "'coc_21d' and area_type = 'london' and breakdown = 'all' and "
                      "period_type = 'quarter' and status = 'published' "
                      "order by period_start desc limit 1").row(0)
    coc = table.filter(pl.col("Indicator") == "Continuity of care (21 days)").row(0, named=True)
    signal, assurance = expected  # tokens in the warehouse, words on the page
    assert (coc["Variation"], coc["Assurance"]) == (words.SPC_SIGNAL[signal],
                                                    words.ASSURANCE[assurance])
    assert coc["Assurance"] in ("Consistently passing the target",
                                "Consistently failing the target",
                                "Hit or miss: the target lies within the process limits")
    others = table.filter(pl.col("Indicator") != "Continuity of care (21 days)")
    assert set(others.get_column("Assurance")) == {"No target"}
    markdown = " ".join(m.value for m in at.markdown)
    assert "A trend: 7 points in a row each rising or each falling." in markdown
