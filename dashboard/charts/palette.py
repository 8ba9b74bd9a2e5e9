"""Benchmark colours and wording, and the one chart theme, shared by every chart, table and
export.

Colours follow the Okabe-Ito colour-blind-safe palette and are always shown with words
("Better than London"), never on their own. The theme (registered and enabled on import, so the
app and the board pack's PNGs draw alike) writes every axis label, legend and title in a grey
that reads at 4.5:1 or better on white.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import words
from pipelines.definitions.published import PUBLISHED

# Benchmark categories, worded in dashboard.words.
BETTER, SIMILAR, WORSE, HIGHER, LOWER = (words.BETTER, words.SIMILAR, words.WORSE, words.HIGHER,
                                         words.LOWER)
NOT_COMPARED, SUPPRESSED, NOT_YET = words.NOT_COMPARED, words.SUPPRESSED, words.NOT_YET

# Benchmark category -> (fill colour, text colour that reads on it with at least 4.5:1 contrast)
COLOURS: dict[str, tuple[str, str]] = {
    BETTER: ("#0072B2", "#FFFFFF"),
    SIMILAR: ("#F0E442", "#000000"),
    WORSE: ("#D55E00", "#000000"),
    HIGHER: ("#CC79A7", "#000000"),
    LOWER: ("#56B4E9", "#000000"),
    NOT_COMPARED: ("#E0E0E0", "#000000"),
    SUPPRESSED: ("#F5F5F5", "#000000"),
    NOT_YET: ("#FFFFFF", "#000000"),
}
ORDER = list(COLOURS)
# Fit a chart's width to the page and keep its height for the plot itself: Streamlit's default
# ('fit' both ways) squeezes titles, axes and legends into the height and crushes the rows.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
LONDON_COLOUR = "#333333"
CHART_TEXT = "#333333"  # 12.6:1 on white (Streamlit's default chart grey #808495 is 3.7:1)
CHART_FONT_PX = 12
THEME = "coc"
LABEL_SHARE = 0.4
LEGEND_LABEL_PX = 260
TITLE_CHARS = 44  # a chart title wraps here: about 300 px of bold text, so it fits a phone
SUBTITLE_CHARS = 56  # subtitles are smaller and not bold
ENGLAND_COLOUR = "#7F3C8D"
TARGET_COLOUR = "#009E73"
SERIES_COLOUR = "#0072B2"


def category(comparison: str | None, status: str = PUBLISHED) -> str:
    """Benchmark category of a row from its comparison token and status."""
    return words.category(comparison, status)


def fill_scale(categories: list[str] | None = None) -> alt.Scale:
    names = categories or ORDER
    return alt.Scale(domain=names, range=[COLOURS[n][0] for n in names])


def text_scale(categories: list[str] | None = None) -> alt.Scale:
    names = categories or ORDER
    return alt.Scale(domain=names, range=[COLOURS[n][1] for n in names])


def category_expr(comparison: str = "compared_to_london") -> pl.Expr:
    """`category` for every row at once (the vectorised form of `category`)."""
    return words.category_expr(comparison)


@alt.theme.register(THEME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    text = {"labelColor": CHART_TEXT, "titleColor": CHART_TEXT,
            "labelFontSize": CHART_FONT_PX, "titleFontSize": CHART_FONT_PX}
    return {"config": {
        "axis": text,
        # A legend lists its entries down the page: a row of them runs off a phone's screen.
        "legend": {**text, "direction": "vertical", "labelLimit": LEGEND_LABEL_PX},
        "header": text,
        "title": {"color": CHART_TEXT, "subtitleColor": CHART_TEXT},
        "text": {"color": CHART_TEXT},
    }}


def label_limit(most: int, share: float = LABEL_SHARE) -> alt.ExprRef:
    """An axis label limit that gives the labels at most `share` of the chart's container, so
    a phone keeps room for the plot (labels cut there keep their full text in the tooltip and
    the table twin); `most` px where there is no container (the board pack's PNGs)."""
    return alt.ExprRef(f"containerSize()[0] > 0 ? min({most}, containerSize()[0] * {share}) "
                       f": {most}")


def chart_words(text: pl.Expr) -> pl.Expr:
    """Words written inside a chart, short enough for a phone: 'Not yet available' without its
    date, and rates 'per 100' (the summary, tooltip and table twin keep the full wording)."""
    return (text.str.replace(r" \(once data to .*\)$", "")
            .str.replace(" per 100 releases", " per 100", literal=True))


def wrap_title(text: str, width: int = TITLE_CHARS) -> list[str]:
    """A title as lines of at most `width` characters, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
