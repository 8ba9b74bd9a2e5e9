"""Rendering a board pack: a PDF (fpdf2, pure Python) and a self-contained HTML file.

Charts are the app's own Altair charts turned into images by vl-convert, which runs Vega in
an embedded engine: no browser and no system libraries. Text goes into the PDF as text (so it
can be searched and read aloud) and into the HTML escaped, never as markup.
"""

from __future__ import annotations

import base64
import html
from datetime import date

import altair as alt
import polars as pl
import vl_convert
from fpdf import FPDF

from dashboard.exports.content import BoardPack, Section

PNG_SCALE = 2
PAGE_WIDTH_MM = 180
SYNTHETIC_LABEL = ("SYNTHETIC SAMPLE DATA: every figure in this pack is computed from made-up "
                   "records, not from real people.")
# Characters the PDF's built-in fonts cannot show, and what stands in for them.
_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2265": ">=", "\u2264": "<=",
                        "\u2026": "...", "\u2192": "->"})


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=PNG_SCALE)


def section_png(section: Section) -> bytes:
    """The section's chart as a PNG, rendered once and kept for the other formats."""
    if section.image is None and section.chart is not None:
        section.image = chart_png(section.chart)
    return section.image or b""


def _plain(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _cover_lines(pack: BoardPack) -> list[str]:
    lines = [f"Period: {pack.period} (financial year, April to March)",
             f"Scope: {pack.scope_name}"]
    if pack.cutoff:
        lines.append(f"Data cut-off: {pack.cutoff:%-d %B %Y}")
    lines.append(f"Produced: {date.today():%-d %B %Y}")
    return lines


class _Pdf(FPDF):
    def __init__(self, pack: BoardPack) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack = pack
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_plain(pack.title))
        self.set_author("London Continuity of Care Outcomes")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        label = "Synthetic sample data. " if self.pack.synthetic else ""
        self.cell(0, 6, _plain(f"{label}{self.pack.title}, {self.pack.period}. "
                               f"Page {self.page_no()}"), align="C")


def _pdf_table(pdf: FPDF, table: pl.DataFrame) -> None:
    pdf.set_font("Helvetica", size=7)
    with pdf.table(text_align="LEFT", line_height=3.6, first_row_as_headings=True) as grid:
        grid.row([_plain(c) for c in table.columns])
        for row in table.iter_rows():
            grid.row([_plain("" if v is None else str(v)) for v in row])


def _pdf_section(pdf: FPDF, section: Section) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 7, _plain(section.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    for paragraph in section.text:
        pdf.multi_cell(0, 5, _plain(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if section.chart is not None:
        pdf.ln(2)
        pdf.image(section_png(section), w=PAGE_WIDTH_MM, keep_aspect_ratio=True,
                  alt_text=_plain(section.chart_alt or section.title))
    if section.table is not None and not section.table.is_empty():
        pdf.ln(2)
        _pdf_table(pdf, section.table)


def to_pdf(pack: BoardPack) -> bytes:
    pdf = _Pdf(pack)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=20)
    pdf.ln(30)
    pdf.multi_cell(0, 10, _plain(pack.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=12)
    for line in _cover_lines(pack):
        pdf.multi_cell(0, 7, _plain(line), new_x="LMARGIN", new_y="NEXT")
    if pack.synthetic:
        pdf.ln(8)
        pdf.set_font("Helvetica", style="B", size=12)
        pdf.set_text_color(150, 0, 0)
        pdf.multi_cell(0, 7, _plain(SYNTHETIC_LABEL), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    for section in pack.sections:
        _pdf_section(pdf, section)
    return bytes(pdf.output())


def _html_table(table: pl.DataFrame) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>" for row in table.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


HTML_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.45}
h1{font-size:1.8rem}h2{font-size:1.3rem;margin-top:2.5rem;border-top:1px solid #ccc;
padding-top:1rem}.synthetic{background:#fff3cd;border:2px solid #8a6d00;padding:.75rem;
font-weight:bold}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}th{background:#eee}
img{max-width:100%;height:auto}
"""


def to_html(pack: BoardPack) -> str:
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{html.escape(pack.title)}, {html.escape(pack.period)}</title>"
             f"<style>{HTML_STYLE}</style></head><body><main>",
             f"<h1>{html.escape(pack.title)}</h1>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in _cover_lines(pack)]
    if pack.synthetic:
        parts.append(f"<p class=\"synthetic\">{html.escape(SYNTHETIC_LABEL)}</p>")
    for section in pack.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(paragraph)}</p>" for paragraph in section.text]
        if section.chart is not None:
            encoded = base64.b64encode(section_png(section)).decode("ascii")
            parts.append(f"<img src=\"data:image/png;base64,{encoded}\" "
                         f"alt=\"{html.escape(section.chart_alt or section.title)}\">")
        if section.table is not None and not section.table.is_empty():
            parts.append(_html_table(section.table))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
