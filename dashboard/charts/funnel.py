"""Release-to-recovery funnel: how many of one year's releases reached each stage after release
(engaged within 21 days, Tier 4 within 12 weeks, in treatment at 6 months, completed without
re-presenting), from the published numerators.

A stage whose count is suppressed or whose follow-up is not complete is not drawn as a bar: it
is written out ('*', 'Not yet available …') where the bar would be.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts import palette
from dashboard.charts.palette import FIT_WIDTH
from dashboard.formatting import SUPPRESSED_MARK, SUPPRESSION_KEY, chart_words, display_value
from pipelines.definitions import registry
from pipelines.definitions.published import PUBLISHED, SUPPRESSED

RELEASED = "released"
RELEASES_FAMILY = "releases"
# (stage id: the KPI whose numerator counts it, or RELEASED for the denominator; label)
STAGES: tuple[tuple[str, str], ...] = (
    (RELEASED, "Released from prison"),
    *((k.id, k.funnel_label) for k in registry.KPIS if k.funnel_label),
)
BAR_COLOUR = palette.SERIES_COLOUR
RELEASED_COLOUR = palette.LONDON_COLOUR
ROW_HEIGHT = 44
SUPPRESSED_TEXT = SUPPRESSION_KEY


def releases_kpi_id(definitions: pl.DataFrame) -> str:
    """A KPI whose denominator is all releases and needs no follow-up, so its denominator (the
    number released) is published for every period, even before outcomes are mature."""
    family = definitions.filter(pl.col("denominator_family") == RELEASES_FAMILY)
    return family.sort("follow_up_days", maintain_order=True).get_column("id").first()


def funnel_frame(rows: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    """One row per stage for one area and period, from its kpi_values rows (breakdown 'all').

    count is the published numerator (or the number released), null when not published;
    `label` is what is written by the bar: '76 (45.0%)', '*', 'Not yet available …'.
    """
    released_ids = definitions.filter(pl.col("denominator_family") == RELEASES_FAMILY) \
        .get_column("id").to_list()
    family_rows = rows.filter(pl.col("kpi_id").is_in(released_ids))
    released_count = family_rows.get_column("denominator").drop_nulls().max() \
        if family_rows.height else None
    if released_count is not None:
        released_status = PUBLISHED
    elif family_rows.filter(pl.col("status") == SUPPRESSED).height:
        released_status = SUPPRESSED
    else:
        released_status = "no_data"

    units = dict(zip(definitions.get_column("id"), definitions.get_column("unit"), strict=True))
    by_kpi = {r["kpi_id"]: r for r in rows.iter_rows(named=True)}
    records = []
    for order, (stage, label) in enumerate(STAGES):
        if stage == RELEASED:
            records.append({"order": order, "stage": label, "kpi_id": None,
                            "count": released_count, "status": released_status, "value": None,
                            "unit": "percent", "available_from": None,
                            "label": "No data" if released_status == "no_data" else
                            (f"{released_count:,}" if released_count is not None
                             else SUPPRESSED_MARK)})
            continue
        row = by_kpi.get(stage)
        if row is None:
            records.append({"order": order, "stage": label, "kpi_id": stage, "count": None,
                            "status": "no_data", "value": None, "unit": units.get(stage),
                            "available_from": None, "label": "No data"})
            continue
        published = row["status"] == PUBLISHED and row["numerator"] is not None
        status = row["status"] if row["status"] != PUBLISHED or published else SUPPRESSED
        value_text = display_value(row["value"], status, units[stage], row["available_from"])
        label_text = (f"{row['numerator']:,} ({value_text})" if published else value_text)
        records.append({"order": order, "stage": label, "kpi_id": stage,
                        "count": row["numerator"] if published else None, "status": status,
                        "value": row["value"] if published else None, "unit": units[stage],
                        "available_from": row["available_from"], "label": label_text})
    return pl.DataFrame(records, schema={
        "order": pl.Int64, "stage": pl.String, "kpi_id": pl.String, "count": pl.Int64,
        "status": pl.String, "value": pl.Float64, "unit": pl.String, "available_from": pl.Date,
        "label": pl.String})


def funnel_chart(stages: pl.DataFrame, title: str) -> alt.LayerChart:
    """Horizontal bars, one per stage, top to bottom; unpublished stages are words, not bars."""
    order = stages.sort("order").get_column("stage").to_list()
    y = alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(
        labelLimit=palette.label_limit(280), labelFontSize=12))
    drawn = stages.filter(pl.col("count").is_not_null()).with_columns(
        pl.when(pl.col("kpi_id").is_null()).then(pl.lit("Released"))
        .otherwise(pl.lit("Outcome")).alias("kind"))
    bars = alt.Chart(drawn).mark_bar(height=26).encode(
        y=y,
        x=alt.X("count:Q", title="Releases",
                axis=alt.Axis(tickMinStep=1, format="d") if drawn.height else None,
                scale=alt.Scale(domain=[0, max(drawn.get_column("count").max() or 0, 1)])),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["Released", "Outcome"],
                                                  range=[RELEASED_COLOUR, BAR_COLOUR]),
                        legend=None),
        tooltip=[alt.Tooltip("stage:N", title="Stage"), alt.Tooltip("label:N", title="Releases")],
    )
    on_bars = alt.Chart(drawn).mark_text(align="left", dx=5, fontSize=12).encode(
        y=y, x="count:Q", text="label:N")
    missing = stages.filter(pl.col("count").is_null()).with_columns(
        pl.lit(0).alias("zero"),
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_TEXT))
        .otherwise(chart_words(pl.col("label"))).alias("label"))
    words = alt.Chart(missing).mark_text(align="left", dx=5, fontSize=12, fontStyle="italic") \
        .encode(y=y, x="zero:Q", text="label:N")
    return alt.layer(bars, on_bars, words).properties(
        title=title, height=ROW_HEIGHT * stages.height, width="container",
        autosize=FIT_WIDTH)


FUNNEL_TABLE_COLUMNS = ("Stage", "Releases", "Rate")


def funnel_table(stages: pl.DataFrame) -> pl.DataFrame:
    """Table twin: stage, count ('*' when suppressed) and the published rate."""
    rows = []
    for row in stages.sort("order").iter_rows(named=True):
        if row["status"] == PUBLISHED:
            count = f"{row['count']:,}" if row["count"] is not None else ""
            value = "" if row["kpi_id"] is None else display_value(
                row["value"], PUBLISHED, row["unit"])
        elif row["status"] == SUPPRESSED:
            count = value = SUPPRESSED_MARK
        else:
            count = value = row["label"]
        rows.append({"Stage": row["stage"], "Releases": count, "Rate": value})
    return pl.DataFrame(rows, schema={c: pl.String for c in FUNNEL_TABLE_COLUMNS})
