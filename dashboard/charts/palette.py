"""Every colour the product draws with, named by what it means, with the benchmark wording and
the one chart theme, shared by every chart, table, page style and export.

Colours follow the Okabe-Ito colour-blind-safe palette and are always shown with words
("Better than London"), never on their own. No colour literal lives outside this module
(tests/test_charts_palette.py checks). The one exception is `.streamlit/config.toml`: Streamlit
reads its theme from there before any code runs. It repeats PAGE_TEXT, and the test checks it.

The chart theme (registered and enabled on import, so the app and the board pack's PNGs draw
alike) writes every axis label, legend and title in a grey that reads at 4.5:1 or better on
white.
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

# The Okabe-Ito hues (Okabe and Ito 2008), from which every categorical colour is drawn.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#999999"
WHITE = "#FFFFFF"

# Roles.
INK = BLACK  # text on a light fill, marker outlines, a highlighted area's outline
PAPER = WHITE  # text on a dark fill, cell borders on a heat map, an empty tile
NEUTRAL_FILL = "#E0E0E0"  # a category with no judgement ("Not compared", "Cannot compare")
INTERVAL_COLOUR = "#555555"  # confidence-interval lines and reference steps (7.5:1 on white)
KEY_TEXT = "#555555"  # a subtitle that holds a chart's key, and a second value's words
TILE_BORDER = "#757575"  # 4.6:1 on white: tiles stay apart for low vision
CELL_BORDER = "#BBBBBB"
CONNECTOR = GREY  # a thin line joining two marks of one item
RANGE_COLOUR = "#D9D9D9"  # the spine chart's full range of London's boroughs
MIDDLE_HALF_COLOUR = "#A6A6A6"  # ... and its middle half
TOTAL_FILL = "#E8E8E8"  # totals (margins) on a heat map: grey, not on the colour scale
SUPPRESSED_FILL = WHITE
SUPPRESSED_STROKE = "#9E9E9E"
HIGHLIGHT_COLOUR = INK  # the board pack's own area on a map or a ranked chart
HEAT_SCHEME = "blues"  # a Vega scheme: one hue, light to dark, readable with any colour vision

# Benchmark category -> (fill colour, text colour that reads on it with at least 4.5:1 contrast)
COLOURS: dict[str, tuple[str, str]] = {
    BETTER: (BLUE, WHITE),
    SIMILAR: (YELLOW, BLACK),
    WORSE: (VERMILLION, BLACK),
    HIGHER: (REDDISH_PURPLE, BLACK),
    LOWER: (SKY_BLUE, BLACK),
    NOT_COMPARED: (NEUTRAL_FILL, BLACK),
    SUPPRESSED: ("#F5F5F5", BLACK),
    NOT_YET: (WHITE, BLACK),
}

# Breakdowns and series, by their codes.
SENTIMENT_COLOURS: dict[str, str] = {"worked_well": BLUE, "could_improve": ORANGE}
RELEASE_TYPE_COLOURS: dict[str, str] = {"all": GREY, "sentence_end": BLUE, "licence": SKY_BLUE,
                                        "remand_court": ORANGE}
SEX_COLOURS: dict[str, str] = {"all": GREY, "male": BLUISH_GREEN, "female": REDDISH_PURPLE,
                               "other": VERMILLION, "unknown": BLACK}
MILESTONE_COLOURS: tuple[str, ...] = (BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE,
                                     VERMILLION)  # in order
YEAR_COLOURS: tuple[str, ...] = (ORANGE, SKY_BLUE, BLUISH_GREEN, REDDISH_PURPLE, BLUE, VERMILLION,
                                 BLACK, YELLOW)
# The tracker: implementation status on a light-to-dark blue sequence (ColorBrewer Blues), each
# with the text colour that reads on it; partners' RAG; whether partners and the EbE group agree.
TRACKER_STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "no_update": (WHITE, BLACK),
    "not_started": ("#D9D9D9", BLACK),
    "planning": ("#C6DBEF", BLACK),
    "in_progress": ("#6BAED6", BLACK),
    "implemented": ("#2171B5", WHITE),
    "embedded": ("#08306B", WHITE),
}
RAG_COLOURS: dict[str, str] = {"red": VERMILLION, "amber": ORANGE, "green": BLUISH_GREEN}
AGREEMENT_COLOURS: dict[str, tuple[str, str]] = {
    "agree": (BLUISH_GREEN, BLACK), "partly": (YELLOW, BLACK),
    "disagree": (VERMILLION, BLACK), "cannot": (NEUTRAL_FILL, BLACK)}
COMPLETER_COLOURS: tuple[str, str] = (BLUE, ORANGE)  # completed a programme in prison, did not
CONTRAST_PAIR: tuple[str, str] = (VERMILLION, BLUE)  # two groups set against each other

# Streamlit's own colour names, for a badge or a metric's change (Streamlit takes names only).
GOOD_CHANGE = "green"
BAD_CHANGE = "red"
NO_JUDGEMENT = "gray"

# The page and the exports outside charts.
PAGE_TEXT = "#111111"  # .streamlit/config.toml's textColor: captions keep 4.5:1 (WCAG AA)
FOCUS_OUTLINE = "#0B0C0C"  # keyboard focus: a thick near-black outline (GOV.UK's) ...
FOCUS_HALO = "#FFDD00"  # ... on a yellow halo, readable on white, grey and blue
PACK_TEXT = "#1A1A1A"
PACK_HEADING = "#003057"
PACK_RULE = "#CCCCCC"
PACK_TABLE_BORDER = "#BBBBBB"
PACK_TABLE_HEAD = "#EEEEEE"
SYNTHETIC_FILL = "#FFF3CD"  # the synthetic-data warning in an exported pack
SYNTHETIC_BORDER = "#8A6D00"
WORKBOOK_HEADER_FILL = "#E7E6E6"
PDF_TABLE_HEAD = "#E6E6E6"
PDF_RUNNING_TEXT = "#3C3C3C"  # the PDF's running header
PDF_CONTENTS_RULE = "#C8C8C8"
ORDER = list(COLOURS)
# Fit a chart's width to the page and keep its height for the plot itself: Streamlit's default
# ('fit' both ways) squeezes titles, axes and legends into the height and crushes the rows.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
LONDON_COLOUR = "#333333"
CHART_TEXT = "#333333"  # 12.6:1 on white (Streamlit's default chart grey is 3.7:1)
ZERO_LINE = CHART_TEXT
CHART_FONT_PX = 12
THEME = "coc"
LABEL_SHARE = 0.4
LEGEND_LABEL_PX = 260
TITLE_CHARS = 44  # a chart title wraps here: about 300 px of bold text, so it fits a phone
SUBTITLE_CHARS = 56  # subtitles are smaller and not bold
ENGLAND_COLOUR = "#7F3C8D"
TARGET_COLOUR = BLUISH_GREEN
SERIES_COLOUR = BLUE


def category(comparison: str | None, status: str = PUBLISHED) -> str:
    """Benchmark category of a row from its comparison token and status."""
    return words.category(comparison, status)


def rgb(colour: str) -> tuple[int, int, int]:
    """A '#RRGGBB' colour as red, green and blue from 0 to 255 (for the PDF writer)."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


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



def wrap_title(text: str, width: int = TITLE_CHARS) -> list[str]:
    """A title as lines of at most `width` characters, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
