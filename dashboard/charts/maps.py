"""The London tile map: one square per borough in the London Squared layout (§7), coloured by
its benchmark against London, with the borough's abbreviation and value on each tile."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import words
from dashboard.charts import palette
from dashboard.formatting import display_tile

TILE_SIZE = 64


def tile_map(tiles: pl.DataFrame, title: str, legend_title: str = "Compared with London") \
        -> alt.LayerChart:
    """`tiles` has: code, name, abbreviation, tile_x, tile_y, value_text, category, tooltip."""
    categories = [c for c in palette.ORDER if c in set(tiles.get_column("category"))]
    base = alt.Chart(tiles).encode(
        x=alt.X("tile_x:O", axis=None, scale=alt.Scale(domain=list(range(8)))),
        y=alt.Y("tile_y:O", axis=None, scale=alt.Scale(domain=list(range(7)))),
        tooltip=[alt.Tooltip("name:N", title="Borough"),
                 alt.Tooltip("value_text:N", title="Value"),
                 alt.Tooltip("tooltip:N", title="Compared with London")],
    )
    squares = base.mark_rect(stroke=palette.TILE_BORDER, strokeWidth=1, cornerRadius=4).encode(
        color=alt.Color("category:N", scale=palette.fill_scale(categories),
                        legend=alt.Legend(title=legend_title, orient="bottom", columns=3)),
    )
    text_colour = alt.Color("category:N", scale=palette.text_scale(categories), legend=None)
    labels = base.mark_text(dy=-9, fontWeight="bold", fontSize=12).encode(
        text="abbreviation:N", color=text_colour)
    values = base.mark_text(dy=9, fontSize=11).encode(text="value_text:N", color=text_colour)
    return (squares + labels + values).properties(
        title=title, width=TILE_SIZE * 8, height=TILE_SIZE * 7
    ).resolve_scale(color="independent")


def tile_frame(local_authorities: pl.DataFrame, las: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Tiles for every London LA from the reference table and its kpi_values rows (if any)."""
    refs = local_authorities.select(pl.col("code").alias("area_code"), pl.col("name"),
                                    "abbreviation", "tile_x", "tile_y")
    rows = refs.join(las, on="area_code", how="left").with_columns(
        pl.col("status").fill_null("no_data"))
    return rows.select(
        pl.col("area_code").alias("code"), "name", "abbreviation", "tile_x", "tile_y",
        pl.struct("value", "status").map_elements(
            lambda r: display_tile(r["value"], r["status"], unit), return_dtype=pl.String)
        .alias("value_text"),
        pl.when(pl.col("status") == "no_data").then(pl.lit(palette.NOT_COMPARED))
        .otherwise(palette.category_expr()).alias("category"),
        pl.coalesce(words.comparison_expr("compared_to_london", words.LONDON_WORD), "note",
                    pl.lit("")).alias("tooltip"),
    )
