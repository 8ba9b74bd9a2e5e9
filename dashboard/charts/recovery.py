"""Long-term recovery charts (R1): the release cohort at 21 days, 6 months and 12 months by
year, the same split by a breakdown, time-to-engagement curves and the cohort maturity table.

Pure functions from polars frames (kpi_values or engagement_curve rows) to Altair charts and
table twins. Only published figures are plotted: a suppressed figure is `*` in the table, and a
figure whose follow-up is not complete is "Not yet available …", never a low value.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.charts.palette import FIT_WIDTH
from dashboard.formatting import NOT_YET_TEXT, SUPPRESSED_MARK, count_text_expr, value_text_expr
from pipelines.definitions import registry
from pipelines.definitions.published import PUBLISHED, SUPPRESSED

# The milestones of the recovery journey: the registry's KPIs with a journey label, in order.
RECOVERY_KPIS: tuple[str, ...] = tuple(k.id for k in registry.KPIS if k.journey_label)
MILESTONES: dict[str, str] = {k.id: k.journey_label for k in registry.KPIS if k.journey_label}
# Okabe-Ito colours (colour-blind safe), each milestone also with its own dash and shape, taken
# in milestone order.
_COLOURS = palette.MILESTONE_COLOURS
_DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [10, 2, 2, 2])
_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
if len(RECOVERY_KPIS) > len(_COLOURS):
    raise ValueError(f"the recovery chart has styles for {len(_COLOURS)} milestones, not "
                     f"{len(RECOVERY_KPIS)}")
MILESTONE_COLOURS: dict[str, str] = dict(zip(RECOVERY_KPIS, _COLOURS, strict=False))
MILESTONE_DASHES: dict[str, list[int]] = dict(zip(RECOVERY_KPIS, _DASHES, strict=False))
MILESTONE_SHAPES: dict[str, str] = dict(zip(RECOVERY_KPIS, _SHAPES, strict=False))
YEAR_COLOURS = palette.YEAR_COLOURS
CATEGORY_LABELS: dict[str, str] = {
    "all": "All releases",
    "male": "Male", "female": "Female", "other": "Other", "unknown": "Not known",
    "opiate": "Opiate", "non_opiate": "Non-opiate", "alcohol": "Alcohol",
    "non_opiate_and_alcohol": "Non-opiate and alcohol",
    "sentence_end": "End of sentence", "licence": "On licence",
    "remand_court": "From court or on remand",
    "yes": "Yes", "no": "No",
}
ALL_RELEASES = CATEGORY_LABELS["all"]
MARKER_DAY = 21
PERCENT_AXIS = "Per cent of releases"
HEIGHT = 300
FACET_WIDTH = 420


def category_label_expr() -> pl.Expr:
    """Breakdown categories as people read them ('non_opiate' -> 'Non-opiate')."""
    raw = pl.col("category")
    fallback = raw.str.replace_all("_", " ")
    fallback = fallback.str.slice(0, 1).str.to_uppercase() + fallback.str.slice(1)
    return pl.when(raw.is_in(list(CATEGORY_LABELS))).then(
        raw.replace_strict(CATEGORY_LABELS, default=None, return_dtype=pl.String)
    ).otherwise(fallback)


def milestone_expr() -> pl.Expr:
    return pl.col("kpi_id").replace_strict(MILESTONES, default=pl.col("kpi_id"),
                                           return_dtype=pl.String)


def _milestone_scales(kpi_ids: list[str]) -> tuple[alt.Scale, alt.Scale, alt.Scale]:
    names = [MILESTONES[k] for k in kpi_ids]
    return (alt.Scale(domain=names, range=[MILESTONE_COLOURS[k] for k in kpi_ids]),
            alt.Scale(domain=names, range=[MILESTONE_DASHES[k] for k in kpi_ids]),
            alt.Scale(domain=names, range=[MILESTONE_SHAPES[k] for k in kpi_ids]))


def cohort_chart(rows: pl.DataFrame, title: str, show_intervals: bool = True) -> alt.LayerChart:
    """London's cohort by year at each milestone: one line per KPI, published points only.

    `rows`: kpi_values rows (kpi_id, period, period_start, status, value, lower_95, upper_95,
    numerator, denominator) for the KPIs of RECOVERY_KPIS.
    """
    order = rows.sort("period_start", "period").get_column("period").unique(
        maintain_order=True).to_list()
    kpi_ids = [k for k in RECOVERY_KPIS if k in set(rows.get_column("kpi_id"))]
    published = rows.filter(pl.col("status") == PUBLISHED).select(
        "kpi_id", "period", "numerator", "denominator", "value", "lower_95", "upper_95",
        milestone_expr().alias("milestone"),
        value_text_expr("percent").alias("value_text"),
    )
    colour, dash, shape = _milestone_scales(kpi_ids)
    legend = alt.Legend(title="Milestone after release", orient="bottom", columns=1,
                        labelLimit=palette.label_limit(300, share=0.85))
    base = alt.Chart(published).encode(
        x=alt.X("period:O", sort=order, scale=alt.Scale(domain=order), title="Financial year",
                axis=alt.Axis(labelAngle=0)),
        color=alt.Color("milestone:N", scale=colour, legend=legend),
    )
    # Tooltips sit on the points only: every encoding is validated once per layer.
    tooltip = [alt.Tooltip("milestone:N", title="Milestone"),
               alt.Tooltip("period:N", title="Year"),
               alt.Tooltip("value_text:N", title="Value"),
               alt.Tooltip("numerator:Q", title="Numerator", format=","),
               alt.Tooltip("denominator:Q", title="Releases", format=","),
               *interval_tooltips()]
    y = alt.Y("value:Q", title=PERCENT_AXIS, scale=alt.Scale(zero=True))
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(base.mark_rule(strokeWidth=1.5, opacity=0.7).encode(
            y=alt.Y("lower_95:Q", title=PERCENT_AXIS), y2="upper_95:Q"))
    layers.append(base.mark_line(strokeWidth=2).encode(
        y=y, strokeDash=alt.StrokeDash("milestone:N", scale=dash, legend=legend)))
    layers.append(base.mark_point(filled=True, size=70).encode(
        y=y, shape=alt.Shape("milestone:N", scale=shape, legend=legend), tooltip=tooltip))
    subtitle = ["Figures not yet available are not plotted"]
    if show_intervals:
        subtitle.append("Vertical bars: 95% confidence intervals")
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), height=HEIGHT, width="container",
        autosize=FIT_WIDTH)


def values_table(rows: pl.DataFrame, titles: dict[str, str],
                 with_category: bool = False) -> pl.DataFrame:
    """Table twin of kpi_values rows: `*` for suppressed figures, "Not yet available (once data to
    <date> is loaded)" for immature ones."""
    columns = [
        pl.col("period").alias("Period"),
        pl.col("kpi_id").replace_strict(titles, default=pl.col("kpi_id"),
                                        return_dtype=pl.String).alias("Indicator"),
        milestone_expr().alias("Milestone"),
    ]
    if with_category:
        columns.append(category_label_expr().alias("Group"))
    columns += [
        count_text_expr().alias("Numerator"),
        count_text_expr("denominator").alias("Releases"),
        value_text_expr("percent").alias("Value"),
        pl.col("lower_95").round(1).alias(formatting.LOWER_95),
        pl.col("upper_95").round(1).alias(formatting.UPPER_95),
        pl.col("trend").replace_strict(words.TREND, default=None).fill_null("")
        .alias("Recent trend"),
        pl.col("note").fill_null("").alias("Note"),
    ]
    return rows.select(columns)


def breakdown_frame(groups: pl.DataFrame, everyone: pl.DataFrame) -> pl.DataFrame:
    """Published rows of a breakdown plus the 'all releases' row of each KPI, labelled for
    `breakdown_chart`. `groups` and `everyone` are kpi_values rows for one period."""
    both = pl.concat([everyone, groups], how="vertical_relaxed")
    return both.filter(pl.col("status") == PUBLISHED).select(
        "kpi_id", "numerator", "denominator", "value", "lower_95", "upper_95",
        milestone_expr().alias("milestone"),
        category_label_expr().alias("group"),
        pl.when(pl.col("category") == "all").then(pl.lit(ALL_RELEASES))
        .otherwise(pl.lit("Group")).alias("kind"),
        value_text_expr("percent").alias("value_text"),
    )


def breakdown_chart(frame: pl.DataFrame, title: str, group_order: list[str],
                    show_intervals: bool = True) -> alt.FacetChart:
    """One panel per milestone; in each, every group's value (with its 95% interval) beside the
    value for all releases. `frame` comes from `breakdown_frame` (published rows only)."""
    kinds = [ALL_RELEASES, "Group"]
    colour = alt.Scale(domain=kinds, range=[palette.LONDON_COLOUR, palette.SERIES_COLOUR])
    order = [ALL_RELEASES] + [g for g in group_order if g != ALL_RELEASES]
    tooltip = [alt.Tooltip("milestone:N", title="Milestone"),
               alt.Tooltip("group:N", title="Group"),
               alt.Tooltip("value_text:N", title="Value"),
               alt.Tooltip("numerator:Q", title="Numerator", format=","),
               alt.Tooltip("denominator:Q", title="Releases", format=","),
               *interval_tooltips()]
    base = alt.Chart().encode(
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(200))))
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(base.mark_rule(color=palette.INTERVAL_COLOUR).encode(
            x=alt.X("lower_95:Q", title=PERCENT_AXIS), x2="upper_95:Q"))
    layers.append(base.mark_point(filled=True, size=80, stroke=palette.INK, strokeWidth=0.5)
                  .encode(x=alt.X("value:Q", title=PERCENT_AXIS),
                          color=alt.Color("kind:N", scale=colour,
                                          legend=alt.Legend(title=None, orient="bottom")),
                          shape=alt.Shape("kind:N", legend=None), tooltip=tooltip))
    milestones = [MILESTONES[k] for k in RECOVERY_KPIS
                  if k in set(frame.get_column("kpi_id"))]
    return alt.layer(*layers, data=frame).properties(width=FACET_WIDTH).facet(
        row=alt.Row("milestone:N", sort=milestones, title=None,
                    header=alt.Header(labelAngle=0, labelAnchor="start", labelOrient="top",
                                      labelFontWeight="bold", labelFontSize=12)),
    ).properties(title=title).resolve_scale(y="independent")


def curve_frame(curve: pl.DataFrame) -> pl.DataFrame:
    """Published points of the engagement curve, with a `segment` that changes after every
    unpublished point, so a line never bridges a suppressed or immature point."""
    return curve.sort("period", "day").with_columns(
        (pl.col("status") != PUBLISHED).cum_sum().over("period").alias("segment"),
    ).filter(pl.col("status") == PUBLISHED).select(
        "period", "day", "releases", "engaged", "percent", "segment",
        (pl.col("percent").round(1).cast(pl.String) + "%").alias("percent_text"),
    )


def engagement_curve_chart(curve: pl.DataFrame, title: str,
                           marker_day: int | None = MARKER_DAY) -> alt.LayerChart:
    """Cumulative per cent engaged by day after release, one line per year. `curve`:
    engagement_curve rows; only published points are plotted."""
    frame = curve_frame(curve)
    periods = sorted(curve.get_column("period").unique().to_list())
    colour = alt.Scale(domain=periods,
                       range=[YEAR_COLOURS[i % len(YEAR_COLOURS)] for i in range(len(periods))])
    base = alt.Chart(frame).encode(
        x=alt.X("day:Q", title="Days after release", scale=alt.Scale(domain=[0, 182]),
                axis=alt.Axis(values=[*range(0, 182, 21), 182])),
        y=alt.Y("percent:Q", title="Per cent who had started treatment",
                scale=alt.Scale(zero=True)),
        color=alt.Color("period:N", scale=colour,
                        legend=alt.Legend(title="Year of release", orient="bottom")),
    )
    tooltip = [alt.Tooltip("period:N", title="Year of release"),
               alt.Tooltip("day:Q", title="Day"),
               alt.Tooltip("percent_text:N", title="Started treatment"),
               alt.Tooltip("engaged:Q", title="People", format=","),
               alt.Tooltip("releases:Q", title="Releases", format=",")]
    layers: list[alt.Chart] = [
        base.mark_line(strokeWidth=2).encode(detail="segment:N"),
        base.mark_point(filled=True, size=30).encode(shape=alt.Shape("period:N", legend=None),
                                                     tooltip=tooltip),
    ]
    subtitle = ["Each line is the share of a year's releases who had started community "
                "treatment by that day", "Suppressed points are left out and their lines broken"]
    if marker_day is not None:
        marker = pl.DataFrame({"day": [marker_day],
                               "label": [f"Day {marker_day}: continuity of care measure"]})
        layers.append(alt.Chart(marker).mark_rule(color=palette.LONDON_COLOUR,
                                                  strokeDash=[4, 3]).encode(
            x="day:Q", tooltip=alt.Tooltip("label:N", title="Reference")))
        subtitle.append(f"Grey dashed line: day {marker_day}, the continuity of care measure")
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), height=HEIGHT, width="container",
        autosize=FIT_WIDTH)


def curve_table(curve: pl.DataFrame) -> pl.DataFrame:
    """Table twin of the curves: one row per day, one column per year of release, `*` for a
    suppressed point and "Not yet available" for an immature one."""
    periods = sorted(curve.get_column("period").unique().to_list())
    shown = curve.select(
        "day", "period",
        pl.when(pl.col("status") == PUBLISHED)
        .then(pl.col("percent").round(1).cast(pl.String) + "%")
        .when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_MARK))
        .otherwise(pl.lit(NOT_YET_TEXT)).alias("shown"),
    )
    wide = shown.pivot(on="period", index="day", values="shown", aggregate_function="first")
    return wide.sort("day").select(
        pl.col("day").alias("Days after release"),
        *[pl.col(p).fill_null("") for p in periods],
    )


def maturity_table(rows: pl.DataFrame, titles: dict[str, str],
                   follow_up_days: dict[str, int]) -> pl.DataFrame:
    """For each KPI and year: 'Published', 'Suppressed (*)' or 'Not yet available (once data
    to <date> is loaded)'. `rows`: kpi_values rows of one area and the 'all' breakdown."""
    periods = rows.sort("period_start", "period").get_column("period").unique(
        maintain_order=True).to_list()
    shown = rows.select(
        "kpi_id", "period",
        pl.when(pl.col("status") == PUBLISHED).then(pl.lit("Published"))
        .when(pl.col("status") == SUPPRESSED).then(pl.lit(f"Suppressed ({SUPPRESSED_MARK})"))
        .otherwise(value_text_expr("percent")).alias("shown"),
    )
    wide = shown.pivot(on="period", index="kpi_id", values="shown", aggregate_function="first")
    order = {k: i for i, k in enumerate(RECOVERY_KPIS)}
    return wide.with_columns(
        pl.col("kpi_id").replace_strict(order, default=len(order), return_dtype=pl.Int64)
        .alias("_order")
    ).sort("_order", "kpi_id").select(
        pl.col("kpi_id").replace_strict(titles, default=pl.col("kpi_id"),
                                        return_dtype=pl.String).alias("Indicator"),
        pl.col("kpi_id").replace_strict(follow_up_days, default=None, return_dtype=pl.Int64)
        .alias("Follow-up (days)"),
        *[pl.col(p).fill_null("") for p in periods],
    )
