"""AppTest runs of the Lived experience page against the sample warehouse."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import duckdb
import polars as pl
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dashboard.charts import voices
from tests.conftest import APP, APP_TIMEOUT


def feedback(warehouse: Path) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("select * from lived_experience_feedback").pl()


def table_with(at, *columns: str) -> pl.DataFrame:
    found = [pl.from_pandas(d.value) for d in at.dataframe
             if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables have {columns}"
    return found[0]


def test_default_view_counts_every_comment(app_on_sample, sample_warehouse) -> None:
    at = app_on_sample("lived_experience.py")
    rows = feedback(sample_warehouse)
    worked = rows.filter(pl.col("sentiment") == "worked_well").height
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {voices.WORKED_WELL: f"{worked:,} comments",
                       voices.COULD_IMPROVE: f"{rows.height - worked:,} comments"}
    by_theme = table_with(at, "Theme", voices.WORKED_WELL)
    expected = rows.group_by("theme").agg(
        (pl.col("sentiment") == "worked_well").sum().alias("worked"), pl.len().alias("total"))
    for row in expected.iter_rows(named=True):
        shown = by_theme.filter(pl.col("Theme") == row["theme"]).row(0, named=True)
        assert (shown[voices.WORKED_WELL], shown["Total"]) == (row["worked"], row["total"])
    titles = [s.value for s in at.subheader]
    assert titles[:3] == ["What people said, by theme", "What people said, by recommendation",
                          "What people said, by where they were"]
    assert any("These count comments, not people." in m.value for m in at.markdown)


def test_quotes_are_shown_as_plain_text(app_on_sample, sample_warehouse) -> None:
    at = app_on_sample("lived_experience.py")
    quotes = set(feedback(sample_warehouse).get_column("quote").drop_nulls())
    shown = [t.value for t in at.text if t.value.startswith("“")]
    assert len(shown) == 12
    assert all(text[1:-1] in quotes for text in shown)
    every = table_with(at, "Quote")
    assert every.height == len([q for q in feedback(sample_warehouse).get_column("quote")
                                if q and q.strip()])


def test_choosing_a_theme_and_a_recommendation_narrows_everything(app_on_sample,
                                                                  sample_warehouse) -> None:
    at = app_on_sample("lived_experience.py")
    at.selectbox(key="theme").select("housing").run()
    rows = feedback(sample_warehouse).filter(pl.col("theme") == "housing")
    worked = rows.filter(pl.col("sentiment") == "worked_well").height
    assert {m.label: m.value for m in at.metric}[voices.WORKED_WELL] == f"{worked:,} comments"
    assert any(f"{rows.height} comments from" in m.value and "theme “housing”" in m.value
               for m in at.markdown)
    at.selectbox(key="rec").select("R6").run()  # nothing about women's spaces is themed housing
    assert any(i.value.startswith("Nothing matches these filters") for i in at.info)
    at.selectbox(key="theme").select("all").run()
    women = feedback(sample_warehouse).filter(pl.col("recommendation_id") == "R6")
    assert table_with(at, "Quote").height == women.filter(pl.col("quote").is_not_null()).height
    assert set(table_with(at, "Quote").get_column("Recommendation")) == {"R6 Women's spaces"}


def test_the_setting_filter_and_a_shared_url(app_on_sample, sample_warehouse) -> None:
    app_on_sample()  # sets the warehouse for this test
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    at.query_params["setting"] = "In prison"  # bound widgets read their label from the URL
    at.switch_page("views/lived_experience.py")
    at.run()
    assert not at.exception
    assert at.radio(key="setting").value == "prison"
    rows = feedback(sample_warehouse).filter(pl.col("setting") == "prison")
    assert any(m.value.startswith(f"{rows.height} comments") and "in prison" in m.value
               for m in at.markdown)
    at.radio(key="setting").set_value("community").run()
    community = feedback(sample_warehouse).filter(pl.col("setting") == "community")
    if community.is_empty():  # the sample's events were all in prisons
        assert any(m.value.startswith("No feedback matches in the community")
                   for m in at.markdown)
        assert any(i.value.startswith("Nothing matches these filters") for i in at.info)
    else:
        assert any(m.value.startswith(f"{community.height} comments") for m in at.markdown)


def rendered_text(markdown: str) -> str:
    """What a reader sees of Markdown: rendered by a CommonMark parser, tags stripped."""
    html = MarkdownIt("commonmark").render(markdown)
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_summaries_show_names_as_written(app_on_sample, sample_warehouse) -> None:
    """Recommendation and place names with Markdown characters ('F-A Housing', 'In prison:
    HMP Belmarsh') read exactly as written: escaped once, never twice."""
    at = app_on_sample("lived_experience.py")
    shown = " ".join(rendered_text(m.value) for m in at.markdown)
    rows = voices.described(feedback(sample_warehouse))
    by_recommendation = voices.sentiment_counts(rows, "recommendation")
    by_place = voices.sentiment_counts(
        rows.with_columns((pl.col("setting_title") + ": " + pl.col("place")).alias("where")),
        "where")
    names = [counts.sort([voices.COULD_IMPROVE, by], descending=[True, False]).item(0, by)
             for counts, by in ((by_recommendation, "recommendation"), (by_place, "where"))]
    assert any("-" in n for n in names) and any(":" in n for n in names)
    for name in names:
        assert name in shown
    assert "\\" not in shown
