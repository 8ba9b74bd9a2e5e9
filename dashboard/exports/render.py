"""What the board pack's two renderings share: charts as PNG images and text as a printed page
writes it (dates in words, cells as text). The PDF is dashboard/exports/pdf.py, the HTML
dashboard/exports/webpage.py.

Charts are the app's own Altair charts turned into images by vl-convert, which runs Vega in
an embedded engine: no browser and no system libraries.
"""

from __future__ import annotations

import re
import struct
from datetime import date

import vl_convert

from dashboard import formatting
from dashboard.exports.pack import Figure

PNG_SCALE = 2
SYNTHETIC_LABEL = ("SYNTHETIC SAMPLE DATA: every figure in this pack is computed from made-up "
                   "records, not from real people.")
CONTENTS_TITLE = "Contents"
# Characters the PDF's built-in fonts cannot show, and what stands in for them.
_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2265": ">=", "\u2264": "<=",
                        "\u2026": "...", "\u2192": "->", "\u00b7": "-"})
NUMBER_TEXT = r"^-?[\d,]+(\.\d+)?(%| per 100 releases)?$"
_WHOLE_NUMBER = re.compile(r"^\d{4,}$")
_MONTHS = {date(2000, m, 1).strftime("%b"): date(2000, m, 1).strftime("%B") for m in range(1, 13)}
_SHORT_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b")
DATE_WORDS = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def chart_png(figure: Figure) -> bytes:
    return vl_convert.vegalite_to_png(figure.chart.to_dict(), scale=PNG_SCALE)


def figure_png(figure: Figure) -> bytes:
    """The figure as a PNG, rendered once and kept for the other formats."""
    if figure.image is None:
        figure.image = chart_png(figure)
    return figure.image


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from the PNG header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def plain(text: str) -> str:
    text = dates_in_words(text)
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def dates_in_words(text: str) -> str:
    """'30 Sep 2026' and '2026-09-30' as '30 September 2026', wherever they appear."""
    text = _SHORT_DATE.sub(lambda m: f"{m[1]} {_MONTHS[m[2]]} {m[3]}", text)
    return _ISO_DATE.sub(lambda m: formatting.date_words(date.fromisoformat(m[0])), text)


def cell_text(value: object) -> str:
    """A table cell as the pack shows it: dates in words, thousands separated."""
    if value is None:
        return ""
    if isinstance(value, date):
        return formatting.date_words(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = str(value)
    if _WHOLE_NUMBER.match(text):
        return f"{int(text):,}"
    return dates_in_words(text)
