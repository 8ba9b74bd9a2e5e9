"""Charts of releases by prison: where a borough's residents are released from, where each
prison's leavers live (a prison x borough heat map from release_flows), and releases and one
KPI by prison split by release type or sex.

Suppressed cells are written as '*' and never drawn or coloured as a number. A prison x
residence pair with no row in release_flows had no releases: it is a true zero and shown as 0.
Margins (prison or residence 'all') are totals, shown as totals: grey, not on the colour scale.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.charts.palette import FIT_WIDTH
from dashboard.charts.ranked import ranked_chart
from dashboard.charts.spine import with_category
from dashboard.formatting import NOT_YET_SHORT, SUPPRESSED_LABEL, SUPPRESSED_MARK, SUPPRESSION_KEY
from pipelines.definitions.published import IMMATURE, PUBLISHED, SUPPRESSED

ALL = "all"
OUTSIDE_LONDON = "outside_london"
UNKNOWN = "unknown"
EXTRA_RESIDENCES = ((OUTSIDE_LONDON, "Outside London"), (UNKNOWN, "Not known"))
ALL_PRISONS_LABEL = "All prisons"
ALL_RESIDENCES_LABEL = "All residences"
LONDON_LABEL = "London residents (all prisons)"
SUPPRESSED_FILL = palette.SUPPRESSED_FILL
SUPPRESSED_STROKE = palette.SUPPRESSED_STROKE
TOTAL_FILL = palette.TOTAL_FILL
HEAT_SCHEME = palette.HEAT_SCHEME
LIGHT_TEXT_SHARE = 0.55  # cells darker than this share of the largest count get white text
BAR_COLOUR = palette.SERIES_COLOUR
ROW_STEP = 24
CELL_HEIGHT = 20
SPLIT_STEP = 16  # px per category row: room for a '*' without touching the next row
HEAT_KEY = f"{SUPPRESSION_KEY} (never coloured) · grey: totals · 0: none"
NOT_PLOTTED_TEXT = {SUPPRESSED: SUPPRESSED_MARK, IMMATURE: NOT_YET_SHORT}
COUNT_KEY = SUPPRESSION_KEY
MARKER_KEY = (f"{SUPPRESSION_KEY} · {NOT_YET_SHORT}: follow-up not complete · "
              "lines: 95% confidence intervals")

# Categories of the release-type and sex breakdowns: label, Okabe-Ito colour, and the words a
# sentence uses for them.
RELEASE_TYPES: dict[str, tuple[str, str, str]] = {
    "all": ("All releases", palette.RELEASE_TYPE_COLOURS["all"], "for all releases"),
    "sentence_end": ("From prison: end of sentence", palette.RELEASE_TYPE_COLOURS["sentence_end"],
                     "at the end of a sentence"),
    "licence": ("From prison: on licence", palette.RELEASE_TYPE_COLOURS["licence"], "on licence"),
    "remand_court": ("From court or on remand", palette.RELEASE_TYPE_COLOURS["remand_court"],
                     "from court or on remand"),
}
SEXES: dict[str, tuple[str, str, str]] = {
    "all": ("All releases", palette.SEX_COLOURS["all"], "for all releases"),
    "male": ("Male", palette.SEX_COLOURS["male"], "for men"),
    "female": ("Female", palette.SEX_COLOURS["female"], "for women"),
    "other": ("Other", palette.SEX_COLOURS["other"], "for people of another sex"),
    "unknown": ("Not known", palette.SEX_COLOURS["unknown"], "where sex is not known"),
}
Categories = dict[str, tuple[str, str, str]]

def count_text(column: str) -> pl.Expr:
    """A count with a thousands separator (counts here stay below a million)."""
    return pl.col(column).cast(pl.String).str.replace(r"(\d)(\d{3})$", "$1,$2")


def prison_names(prisons: pl.DataFrame) -> pl.DataFrame:
    """code, prison_name ('HMP Belmarsh') for the reference prisons, by name."""
    return prisons.sort("name").select(
        pl.col("code").alias("prison"), ("HMP " + pl.col("name")).alias("prison_name"))


# --- Where one borough's residents are released from -----------------------------------------

def residence_frame(flows: pl.DataFrame, la_code: str, prisons: pl.DataFrame) -> pl.DataFrame:
    """One row per prison: releases of `la_code`'s residents in the flows' period."""
    mine = flows.filter((pl.col("residence") == la_code) & (pl.col("prison") != ALL))
    rows = prison_names(prisons).join(mine.select("prison", "releases", "status"),
                                      on="prison", how="left")
    rows = rows.with_columns(pl.col("status").fill_null(PUBLISHED)).with_columns(
        pl.when(pl.col("status") == PUBLISHED).then(pl.col("releases").fill_null(0))
        .alias("releases"))
    return rows.with_columns(
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_MARK))
        .otherwise(count_text("releases")).alias("text"),
    ).sort(pl.col("releases").fill_null(-1), "prison_name", descending=[True, False])


def residence_total(flows: pl.DataFrame, la_code: str) -> tuple[int | None, str]:
    """(releases, status) of the borough's total across prisons; (0, PUBLISHED) if none."""
    total = flows.filter((pl.col("residence") == la_code) & (pl.col("prison") == ALL))
    if total.is_empty():
        return 0, PUBLISHED
    row = total.row(0, named=True)
    return row["releases"], row["status"]


def residence_chart(rows: pl.DataFrame, title: str) -> alt.LayerChart:
    """Bars of releases by prison; suppressed prisons get '*' and no bar."""
    order = rows.get_column("prison_name").to_list()
    y = alt.Y("prison_name:N", sort=order, title=None, axis=alt.Axis(
        labelLimit=palette.label_limit(200)))
    published = rows.filter(pl.col("status") == PUBLISHED)
    bars = alt.Chart(published).mark_bar(color=BAR_COLOUR, height=18).encode(
        y=y, x=alt.X("releases:Q", title="Releases",
                     axis=alt.Axis(tickMinStep=1, format="d") if published.height else None,
                     scale=alt.Scale(domain=[0, max(published.get_column("releases").max() or 0,
                                                    1)])),
        tooltip=[alt.Tooltip("prison_name:N", title="Prison"),
                 alt.Tooltip("text:N", title="Releases")])
    labels = alt.Chart(rows.with_columns(
        pl.when(pl.col("status") == PUBLISHED).then(pl.col("releases")).otherwise(pl.lit(0))
        .alias("text_x"),
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_LABEL))
        .otherwise(pl.col("text")).alias("chart_text"),
    )).mark_text(align="left", dx=4).encode(y=y, x="text_x:Q", text="chart_text:N")
    return alt.layer(bars, labels).properties(title=title, height=24 * max(rows.height, 1),
                                              width="container",
        autosize=FIT_WIDTH)


def residence_table(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(pl.col("prison_name").alias("Prison"), pl.col("text").alias("Releases"))


# --- Where each prison's leavers live ---------------------------------------------------------

def flow_cells(flows: pl.DataFrame, local_authorities: pl.DataFrame,
               prisons: pl.DataFrame) -> pl.DataFrame:
    """Every residence x prison cell of one period's release_flows, with its margins.

    Residences: the London LAs by name, then Outside London and Not known, then the prisons'
    totals. Prisons: by name, then the residences' totals. Missing pairs are true zeros.
    """
    residences = pl.concat([
        local_authorities.sort("name").select(pl.col("code").alias("residence"),
                                              pl.col("name").alias("residence_name")),
        pl.DataFrame(list(EXTRA_RESIDENCES), schema=["residence", "residence_name"],
                     orient="row"),
        pl.DataFrame({"residence": [ALL], "residence_name": [ALL_RESIDENCES_LABEL]}),
    ]).with_row_index("residence_order")
    columns = pl.concat([
        prison_names(prisons),
        pl.DataFrame({"prison": [ALL], "prison_name": [ALL_PRISONS_LABEL]}),
    ]).with_row_index("prison_order")
    grid = residences.join(columns, how="cross").filter(
        ~((pl.col("residence") == ALL) & (pl.col("prison") == ALL)))
    cells = grid.join(flows.select("prison", "residence", "releases", "status"),
                      on=["prison", "residence"], how="left")
    cells = cells.with_columns(pl.col("status").fill_null(PUBLISHED)).with_columns(
        pl.when(pl.col("status") == PUBLISHED).then(pl.col("releases").fill_null(0))
        .alias("releases"),
        pl.when((pl.col("prison") == ALL) | (pl.col("residence") == ALL)).then(pl.lit("total"))
        .otherwise(pl.lit("cell")).alias("kind"),
    )
    shaded = (pl.col("kind") == "cell") & (pl.col("status") == PUBLISHED)
    largest = cells.filter(shaded).get_column("releases").max() or 0
    return cells.with_columns(
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_MARK))
        .otherwise(count_text("releases")).alias("text"),
        (shaded & (pl.col("releases") > LIGHT_TEXT_SHARE * largest) & (largest > 0))
        .alias("light_text"),
    ).sort("residence_order", "prison_order")


def flow_heatmap(cells: pl.DataFrame, title: str) -> alt.LayerChart:
    """Prisons across, residences down; only published non-total cells are coloured."""
    prison_order = cells.sort("prison_order").get_column("prison_name").unique(
        maintain_order=True).to_list()
    residence_order = cells.sort("residence_order").get_column("residence_name").unique(
        maintain_order=True).to_list()
    x = alt.X("prison_name:N", sort=prison_order, title=None,
              axis=alt.Axis(orient="top", labelAngle=-90, labelLimit=160, labelOverlap=False,
                            labelAlign="left", ticks=False, domain=False))
    y = alt.Y("residence_name:N", sort=residence_order, title=None,
              axis=alt.Axis(
                  labelLimit=palette.label_limit(200), labelOverlap=False, ticks=False,
                  domain=False))
    tooltip = [alt.Tooltip("prison_name:N", title="Prison"),
               alt.Tooltip("residence_name:N", title="Residence"),
               alt.Tooltip("text:N", title="Releases")]
    coloured = cells.filter((pl.col("kind") == "cell") & (pl.col("status") == PUBLISHED))
    suppressed = cells.filter(pl.col("status") == SUPPRESSED)
    totals = cells.filter((pl.col("kind") == "total") & (pl.col("status") == PUBLISHED))
    heat = alt.Chart(coloured).mark_rect(stroke=palette.PAPER, strokeWidth=1).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("releases:Q", scale=alt.Scale(scheme=HEAT_SCHEME),
                        legend=alt.Legend(title="Releases", orient="bottom")))
    hidden = alt.Chart(suppressed).mark_rect(
        fill=SUPPRESSED_FILL, stroke=SUPPRESSED_STROKE, strokeWidth=0.5).encode(
        x=x, y=y, tooltip=tooltip)
    margin = alt.Chart(totals).mark_rect(fill=TOTAL_FILL, stroke=palette.PAPER).encode(
        x=x, y=y, tooltip=tooltip)
    cell_text = alt.Chart(cells.filter(pl.col("kind") == "cell")).mark_text(fontSize=10).encode(
        x=x, y=y, text="text:N", tooltip=tooltip,
        color=alt.condition("datum.light_text", alt.value(palette.PAPER), alt.value(palette.INK)))
    total_text = alt.Chart(cells.filter(pl.col("kind") == "total")).mark_text(
        fontSize=10, fontWeight="bold", color=palette.INK).encode(
        x=x, y=y, text="text:N", tooltip=tooltip)
    return alt.layer(heat, hidden, margin, cell_text, total_text).properties(
        title=alt.TitleParams(title, subtitle=HEAT_KEY, subtitleColor=palette.KEY_TEXT),
        width="container", height=alt.Step(CELL_HEIGHT), autosize=FIT_WIDTH)


def flow_table(cells: pl.DataFrame) -> pl.DataFrame:
    """The heat map as a table: a row per residence, a column per prison, '*' where suppressed."""
    prison_order = cells.sort("prison_order").get_column("prison_name").unique(
        maintain_order=True).to_list()
    wide = cells.sort("residence_order", "prison_order").pivot(
        on="prison_name", index="residence_name", values="text")
    present = [p for p in prison_order if p in wide.columns]
    return wide.select(pl.col("residence_name").alias("Residence"), *present) \
        .with_columns(pl.col(p).fill_null("") for p in present)


# --- One KPI (or the number released) by prison, split by release type or sex ----------------

def split_frame(prison_rows: pl.DataFrame, london_rows: pl.DataFrame | None, unit: str,
                categories: Categories) -> pl.DataFrame:
    """kpi_values rows of prisons (and London's, if given, labelled as London residents) for
    one KPI, period and breakdown, with labels, values as shown and what gets plotted."""
    prisons = prison_rows.with_columns(
        (pl.col("area_name").rank("dense") + 1).cast(pl.Int64).alias("area_order"))
    parts = [prisons]
    if london_rows is not None:
        parts.insert(0, london_rows.with_columns(pl.lit(LONDON_LABEL).alias("area_name"),
                                                 pl.lit(0).cast(pl.Int64).alias("area_order")))
    rows = pl.concat(parts, how="diagonal_relaxed").filter(
        pl.col("category").is_in(list(categories)))
    labels = {code: style[0] for code, style in categories.items()}
    phrases = {code: style[2] for code, style in categories.items()}
    order = {code: index for index, code in enumerate(categories)}
    rows = rows.with_columns(
        pl.col("category").alias("category_code"),
        pl.col("category").replace_strict(labels, return_dtype=pl.String)
        .alias("category_label"),
        pl.col("category").replace_strict(order, return_dtype=pl.Int64).alias("category_order"),
        pl.col("category").replace_strict(phrases, return_dtype=pl.String)
        .alias("category_phrase"),
    )
    # From here `category` is the benchmark category, as in every other chart frame.
    rows = with_category(formatting.value_text_column(rows, unit))
    published = pl.col("status") == PUBLISHED
    return rows.with_columns(
        pl.when(published).then(pl.col(c)).alias(c) for c in ("value", "lower_95", "upper_95")
    ).with_columns(
        pl.when(published).then(pl.col("denominator")).alias("plotted_count"),
        pl.when(pl.col("denominator").is_not_null()).then(count_text("denominator"))
        .when(pl.col("status") == IMMATURE).then(pl.lit(NOT_YET_SHORT))
        .otherwise(pl.lit(SUPPRESSED_MARK)).alias("count_text"),
        pl.when(published).then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("status").replace_strict(NOT_PLOTTED_TEXT, default="No data"))
        .alias("marker"),
    ).sort("area_order", "category_order").pipe(words.in_words)


def _category_scale(rows: pl.DataFrame, categories: Categories) -> alt.Scale:
    present = set(rows.get_column("category_code"))
    shown = [code for code in categories if code in present]
    return alt.Scale(domain=[categories[c][0] for c in shown],
                     range=[categories[c][1] for c in shown])


def _split_encodings(rows: pl.DataFrame, categories: Categories, legend_title: str
                     ) -> tuple[list[str], alt.Y, alt.YOffset, alt.Color]:
    """What both split charts share: a row per area (in area order), an offset and a colour per
    category."""
    area_order = rows.sort("area_order").get_column("area_name").unique(
        maintain_order=True).to_list()
    category_order = [style[0] for style in categories.values()]
    y = alt.Y("area_name:N", sort=area_order, title=None, axis=alt.Axis(
        labelLimit=palette.label_limit(220)))
    offset = alt.YOffset("category_label:N", sort=category_order)
    colour = alt.Color("category_label:N", scale=_category_scale(rows, categories),
                       sort=category_order,
                       legend=alt.Legend(title=legend_title, orient="bottom", labelLimit=320))
    return category_order, y, offset, colour


def split_chart(rows: pl.DataFrame, title: str, axis_title: str,
                categories: Categories, legend_title: str,
                show_intervals: bool = True) -> alt.LayerChart:
    """Dots with 95% intervals: a row per area, a dot per category (colour and shape)."""
    category_order, y, offset, colour = _split_encodings(rows, categories, legend_title)
    tooltip = [alt.Tooltip("area_name:N", title="Area"),
               alt.Tooltip("category_label:N", title=legend_title),
               alt.Tooltip("value_text:N", title="Value"),
               *interval_tooltips(),
               alt.Tooltip("compared_to_london:N", title="Compared with London")]
    plotted = rows.filter(pl.col("value").is_not_null())
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(alt.Chart(plotted).mark_rule(strokeWidth=1.5).encode(
            y=y, yOffset=offset, x="lower_95:Q", x2="upper_95:Q", color=colour))
    layers.append(alt.Chart(plotted).mark_point(filled=True, size=70, opacity=1).encode(
        y=y, yOffset=offset, x=alt.X("value:Q", title=axis_title), color=colour,
        shape=alt.Shape("category_label:N", sort=category_order, legend=None),
        tooltip=tooltip))
    missing = rows.filter(pl.col("marker").is_not_null()).with_columns(pl.lit(0).alias("zero"))
    if missing.height:
        layers.append(alt.Chart(missing).mark_text(
            align="left", baseline="middle", fontSize=11, fontWeight="bold", dx=2,
            color=palette.INK).encode(
            y=y, yOffset=offset, x="zero:Q", text="marker:N", tooltip=tooltip))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=MARKER_KEY, subtitleColor=palette.KEY_TEXT),
        height=alt.Step(SPLIT_STEP), width="container",
        autosize=FIT_WIDTH)


def split_counts_chart(rows: pl.DataFrame, title: str, categories: Categories,
                       legend_title: str) -> alt.LayerChart:
    """Grouped bars of the number released (a KPI's published denominators) per area and
    category; '*' where the count is suppressed."""
    category_order, y, offset, colour = _split_encodings(rows, categories, legend_title)
    tooltip = [alt.Tooltip("area_name:N", title="Area"),
               alt.Tooltip("category_label:N", title=legend_title),
               alt.Tooltip("count_text:N", title="Releases")]
    counted = rows.filter(pl.col("denominator").is_not_null())
    bars = alt.Chart(counted).mark_bar().encode(
        y=y, yOffset=offset, x=alt.X("denominator:Q", title="Releases"), color=colour,
        tooltip=tooltip)
    labels = alt.Chart(rows.filter(pl.col("denominator").is_not_null())).mark_text(
        align="left", baseline="middle", dx=3, fontSize=10).encode(
        y=y, yOffset=offset, x="denominator:Q", text="count_text:N")
    hidden = alt.Chart(rows.filter(pl.col("denominator").is_null()).with_columns(
        pl.lit(0).alias("zero"))).mark_text(
        align="left", baseline="middle", dx=3, fontSize=11, fontWeight="bold").encode(
        y=y, yOffset=offset, x="zero:Q", text="count_text:N", tooltip=tooltip)
    return alt.layer(bars, labels, hidden).properties(
        title=alt.TitleParams(title, subtitle=COUNT_KEY, subtitleColor=palette.KEY_TEXT),
        height=alt.Step(SPLIT_STEP), width="container",
        autosize=FIT_WIDTH)


SPLIT_TABLE_COLUMNS: dict[str, str] = {
    "area_name": "Area",
    "category_label": "Category",
    "numerator": "Numerator",
    "count_text": "Releases (denominator)",
    "value_text": "Value",
    "lower_95": formatting.LOWER_95,
    "upper_95": formatting.UPPER_95,
    "compared_to_london": "Compared with London",
    "note": "Note",
}


def split_table(rows: pl.DataFrame) -> pl.DataFrame:
    shown = rows.with_columns(
        formatting.count_text_expr("numerator").alias("numerator"),
        pl.col("lower_95").round(1), pl.col("upper_95").round(1))
    return shown.select(pl.col(k).alias(v) for k, v in SPLIT_TABLE_COLUMNS.items())


def counts_table(rows: pl.DataFrame, category_title: str = "Category") -> pl.DataFrame:
    """Table twin of `split_counts_chart`: releases per area and category, '*' if suppressed."""
    return rows.select(pl.col("area_name").alias("Area"),
                       pl.col("category_label").alias(category_title),
                       pl.col("count_text").alias("Releases"))


def prison_ranked_chart(published: pl.DataFrame, title: str, axis_title: str,
                        london_value: float | None, show_intervals: bool = True
                        ) -> alt.LayerChart:
    """`charts.ranked.ranked_chart` of prisons against London residents, sized to keep one
    row per prison (rows from `charts.ranked.ranked_frame`)."""
    return ranked_chart(published, title, axis_title, london_value,
                        reference_label="London residents",
                        show_intervals=show_intervals).properties(
        height=alt.Step(ROW_STEP), autosize=FIT_WIDTH)
