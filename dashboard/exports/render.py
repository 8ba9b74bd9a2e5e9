"""Rendering a board pack: a PDF (fpdf2, pure Python) and a self-contained HTML file.

Charts are the app's own Altair charts turned into images by vl-convert, which runs Vega in
an embedded engine: no browser and no system libraries. Text goes into the PDF as text (so it
can be searched and read aloud) and into the HTML escaped, never as markup.

The PDF is laid out as a paper, not a data annex: a cover with the contents, sections that
start a page or follow on when they fit, charts scaled to fit the page, and tables kept whole
on one page whenever they fit on one. The contents is filled in once the pages are known.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from datetime import date
from string import Template

import polars as pl
import vl_convert
from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard import formatting
from dashboard.charts import palette
from dashboard.exports.content import ABOUT_TEXT, BoardPack, Figure, Section

PNG_SCALE = 2
PAGE_WIDTH_MM = 180
MARGIN_MM = 15
FOOTER_MM = 14
FIGURE_GAP_MM = 2
SECTION_GAP_MM = 8
FONT = "Helvetica"
SYNTHETIC_LABEL = ("SYNTHETIC SAMPLE DATA: every figure in this pack is computed from made-up "
                   "records, not from real people.")
CONTENTS_TITLE = "Contents"
DARK_BLUE = (0, 48, 87)
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
# Characters the PDF's built-in fonts cannot show, and what stands in for them.
_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                        "\u201c": '"', "\u201d": '"', "\u2265": ">=", "\u2264": "<=",
                        "\u2026": "...", "\u2192": "->", "\u00b7": "-"})
_NUMBER = r"^-?[\d,]+(\.\d+)?(%| per 100 releases)?$"
_WHOLE_NUMBER = re.compile(r"^\d{4,}$")
_MONTHS = {date(2000, m, 1).strftime("%b"): date(2000, m, 1).strftime("%B") for m in range(1, 13)}
_SHORT_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b")
_DATE_WORDS = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")
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


def _plain(text: str) -> str:
    text = dates_in_words(text)
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def dates_in_words(text: str) -> str:
    """'30 Sep 2026' and '2026-09-30' as '30 September 2026', wherever they appear."""
    text = _SHORT_DATE.sub(lambda m: f"{m[1]} {_MONTHS[m[2]]} {m[3]}", text)
    return _ISO_DATE.sub(lambda m: formatting.date_words(date.fromisoformat(m[0])), text)


def _cell_text(value: object) -> str:
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


class _Pdf(FPDF):
    def __init__(self, pack: BoardPack) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack = pack
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=FOOTER_MM + 4)
        self.set_title(_plain(f"{pack.title}, {pack.period}"))
        self.set_author("London Continuity of Care Outcomes")
        self.set_lang("en-GB")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(60, 60, 60)
        label = " - SYNTHETIC SAMPLE DATA" if self.pack.synthetic else ""
        self.cell(0, 5, _plain(f"London Continuity of Care Outcomes - {self.pack.scope_name} - "
                               f"{self.pack.period}{label}"), align="R")
        self.set_text_color(0, 0, 0)
        self.set_y(MARGIN_MM + 6)

    def footer(self) -> None:
        self.set_y(-FOOTER_MM)
        self.set_font(FONT, size=8)
        label = "Synthetic sample data. " if self.pack.synthetic else ""
        self.cell(0, 6, _plain(f"{label}Board pack for {self.pack.scope_name}, {self.pack.period}."
                               f" Page {self.page_no()} of {{nb}}"), align="C")

    @property
    def room(self) -> float:
        """Height left on this page above the footer."""
        return self.page_break_trigger - self.y

    @property
    def full_page(self) -> float:
        return self.page_break_trigger - (MARGIN_MM + 6)


def _column_widths(pdf: FPDF, table: pl.DataFrame) -> list[float]:
    """Each column at least as wide as its longest word, the rest of the width shared out in
    proportion to how much more each column would need to fit its longest cell on one line."""
    padding = 3.4  # cell padding, and room for the bold headings
    least, wanted = [], []
    for name in table.columns:
        cells = [_plain(_cell_text(v)) for v in table.get_column(name).to_list()]
        # A date in words stays on one line: '10 September 2025' is one word here.
        words = [w for c in [name, *cells]
                 for w in ([c] if _DATE_WORDS.match(c) else c.split())]
        least.append(max((pdf.get_string_width(w) for w in words), default=5) + padding)
        wanted.append(min(max((pdf.get_string_width(c) for c in [name, *cells]), default=5)
                          + padding, 60))
    spare = PAGE_WIDTH_MM - sum(least)
    extra = [max(w - m, 0) for w, m in zip(wanted, least, strict=True)]
    if spare <= 0 or not sum(extra):
        return [PAGE_WIDTH_MM * m / sum(least) for m in least]
    share = min(1.0, spare / sum(extra))
    widths = [m + e * share for m, e in zip(least, extra, strict=True)]
    left = PAGE_WIDTH_MM - sum(widths)  # everything fits on one line: spread what is left
    return [w + left * w / sum(widths) for w in widths]


def _pdf_table(pdf: FPDF, table: pl.DataFrame) -> None:
    pdf.set_font(FONT, size=7.5)
    numeric = [table.height > 0 and all(re.match(_NUMBER, _cell_text(v)) or _cell_text(v) in
                                        ("", "*") for v in table.get_column(c).to_list())
               for c in table.columns]
    align = tuple("RIGHT" if n else "LEFT" for n in numeric)
    with pdf.table(text_align=align, line_height=3.8, first_row_as_headings=True,
                   col_widths=_column_widths(pdf, table), width=PAGE_WIDTH_MM,
                   headings_style=HEADINGS_STYLE) as grid:
        grid.row([_plain(c) for c in table.columns])
        for row in table.iter_rows():
            grid.row([_plain(_cell_text(v)) for v in row])


def _figure_size(pdf: _Pdf, figure: Figure, width: float, room: float) -> tuple[float, float]:
    px_w, px_h = png_size(figure_png(figure))
    height = width * px_h / px_w
    if height > room:  # never taller than the page: scale the whole figure down
        width, height = width * room / height, room
    return width, height


def _pdf_figures(pdf: _Pdf, section: Section) -> None:
    if not section.figures:
        return
    if section.side_by_side and len(section.figures) > 1:
        sizes = [_figure_size(pdf, f, f.width_mm, pdf.full_page) for f in section.figures]
        tallest = max(h for _, h in sizes)
        if tallest > pdf.room:
            pdf.add_page()
        top, x = pdf.y, pdf.l_margin
        for figure, (width, height) in zip(section.figures, sizes, strict=True):
            pdf.image(figure_png(figure), x=x, y=top, w=width, h=height,
                      alt_text=_plain(figure.alt_text))
            x += width + FIGURE_GAP_MM
        pdf.set_y(top + tallest + FIGURE_GAP_MM)
        return
    for figure in section.figures:
        width, height = _figure_size(pdf, figure, figure.width_mm, pdf.full_page)
        if height > pdf.room:
            pdf.add_page()
        x = pdf.l_margin + (PAGE_WIDTH_MM - width) / 2
        pdf.image(figure_png(figure), x=x, y=pdf.y, w=width, h=height,
                  alt_text=_plain(figure.alt_text))
        pdf.set_y(pdf.y + height + FIGURE_GAP_MM)


def _pdf_text(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FONT, size=10)
    for paragraph in section.text:
        pdf.multi_cell(0, 4.8, _plain(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    for finding in section.findings:
        pdf.ln(1)
        pdf.set_font(FONT, style="B", size=10.5)
        pdf.set_text_color(*DARK_BLUE)
        pdf.multi_cell(0, 5, _plain(finding.heading), align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, size=9)
        for item in finding.items or ([finding.empty] if finding.empty else []):
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, 4.3, "-")
            pdf.multi_cell(0, 4.3, _plain(item), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)


def _pdf_heading(pdf: FPDF, title: str) -> None:
    pdf.set_font(FONT, style="B", size=14)
    pdf.set_text_color(*DARK_BLUE)
    pdf.multi_cell(0, 7, _plain(title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _pdf_section_body(pdf: _Pdf, section: Section) -> None:
    _pdf_heading(pdf, section.title)
    _pdf_text(pdf, section)
    _pdf_figures(pdf, section)
    if section.table is not None and not section.table.is_empty():
        pdf.ln(1)
        with pdf.offset_rendering() as trial:
            _pdf_table(trial, section.table)
        # Keep the table whole on one page when it fits on one.
        if trial.page_break_triggered and pdf.y > MARGIN_MM + 40:
            pdf.add_page()
        _pdf_table(pdf, section.table)


def _pdf_section(pdf: _Pdf, section: Section) -> int:
    """Lay out one section; returns the page it starts on."""
    if section.new_page:
        if pdf.y > MARGIN_MM + 6 + 0.1:  # not at the top of a page already
            pdf.add_page()
    else:
        with pdf.offset_rendering() as trial:
            trial.ln(SECTION_GAP_MM)
            _pdf_section_body(trial, section)
        if trial.page_break_triggered:
            pdf.add_page()
        else:
            pdf.ln(SECTION_GAP_MM)
    start = pdf.page_no()
    _pdf_section_body(pdf, section)
    return start


def _pdf_cover(pdf: _Pdf, pack: BoardPack) -> None:
    pdf.add_page()
    pdf.set_fill_color(*DARK_BLUE)
    pdf.rect(0, 0, 210, 8, style="F")
    pdf.set_y(22)
    pdf.set_font(FONT, style="B", size=11)
    pdf.set_text_color(*DARK_BLUE)
    pdf.cell(0, 6, "LONDON CONTINUITY OF CARE OUTCOMES", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=24)
    pdf.multi_cell(0, 11, _plain(f"Board pack: {pack.scope_name}, {pack.period}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, _plain(ABOUT_TEXT), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, text in pack.cover_lines():
        pdf.set_font(FONT, style="B", size=11)
        pdf.cell(38, 6.5, _plain(label))
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(0, 6.5, _plain(text), new_x="LMARGIN", new_y="NEXT")
    if pack.synthetic:
        pdf.ln(4)
        pdf.set_draw_color(138, 109, 0)
        pdf.set_fill_color(255, 243, 205)
        pdf.set_line_width(0.6)
        pdf.set_font(FONT, style="B", size=11)
        pdf.multi_cell(0, 6, _plain(SYNTHETIC_LABEL), border=1, fill=True, padding=2.5,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)
    pdf.ln(7)


def _pdf_contents(pdf: FPDF, pack: BoardPack, pages: list[int]) -> None:
    """The contents on the cover, drawn once every section's first page is known."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, style="B", size=14)
    pdf.set_text_color(*DARK_BLUE)
    pdf.cell(0, 8, CONTENTS_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(200, 200, 200)
    listed = [s for s in pack.sections if s.in_contents]
    for section, page in zip(listed, pages, strict=True):
        pdf.set_font(FONT, size=9.5)
        pdf.cell(PAGE_WIDTH_MM - 14, 5.6, _plain(section.title), border="B")
        pdf.cell(14, 5.6, str(page), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)


def _layout(pack: BoardPack) -> tuple[_Pdf, list[int]]:
    """The whole PDF in one pass: the cover's contents are a placeholder that fpdf2 fills in at
    the end, when the page each section starts on is known."""
    pdf = _Pdf(pack)
    _pdf_cover(pdf, pack)
    pages: list[int] = []
    pdf.insert_toc_placeholder(lambda doc, _outline: _pdf_contents(doc, pack, pages),
                               reset_page_indices=False)
    starts = [_pdf_section(pdf, section) for section in pack.sections]
    pages += [p for p, s in zip(starts, pack.sections, strict=True) if s.in_contents]
    return pdf, pages


def section_pages(pack: BoardPack) -> list[int]:
    """The page each listed section starts on (as the contents shows them)."""
    return _layout(pack)[1]


def to_pdf(pack: BoardPack) -> bytes:
    pdf, _ = _layout(pack)
    return bytes(pdf.output())


# --- HTML -------------------------------------------------------------------------------------

def _html_table(table: pl.DataFrame) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell_text(v))}</td>" for v in row)
        + "</tr>" for row in table.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


HTML_STYLE = Template("""
body{font-family:Arial,Helvetica,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:$text;line-height:1.45}
h1{font-size:1.9rem;color:$heading}h2{font-size:1.3rem;margin-top:2.5rem;color:$heading;
border-top:1px solid $rule;padding-top:1rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem;
color:$heading}.synthetic{background:$synthetic_fill;border:2px solid $synthetic_border;
padding:.75rem;font-weight:bold}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid $table_border;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:$table_head}img{max-width:100%;height:auto}.figures{display:flex;flex-wrap:wrap;
gap:1rem;align-items:flex-start}.figures img{flex:1 1 20rem;min-width:0}dl{display:grid;
grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}
""").substitute(text=palette.PACK_TEXT, heading=palette.PACK_HEADING, rule=palette.PACK_RULE,
                synthetic_fill=palette.SYNTHETIC_FILL, synthetic_border=palette.SYNTHETIC_BORDER,
                table_border=palette.PACK_TABLE_BORDER, table_head=palette.PACK_TABLE_HEAD)


def _anchor(index: int) -> str:
    return f"section-{index + 1}"


def to_html(pack: BoardPack) -> str:
    parts = [f"<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{html.escape(pack.title)}, {html.escape(pack.period)}</title>"
             f"<style>{HTML_STYLE}</style></head><body><main>",
             f"<h1>Board pack: {html.escape(pack.scope_name)}, {html.escape(pack.period)}</h1>",
             f"<p>{html.escape(ABOUT_TEXT)}</p><dl>"]
    parts += [f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>"
              for label, text in pack.cover_lines()]
    parts.append("</dl>")
    if pack.synthetic:
        parts.append(f"<p class=\"synthetic\">{html.escape(SYNTHETIC_LABEL)}</p>")
    parts.append(f"<nav aria-labelledby=\"contents\"><h2 id=\"contents\">{CONTENTS_TITLE}</h2>"
                 "<ol>")
    parts += [f"<li><a href=\"#{_anchor(i)}\">{html.escape(s.title)}</a></li>"
              for i, s in enumerate(pack.sections) if s.in_contents]
    parts.append("</ol></nav>")
    for index, section in enumerate(pack.sections):
        parts.append(f"<section id=\"{_anchor(index)}\"><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(dates_in_words(p))}</p>" for p in section.text]
        for finding in section.findings:
            parts.append(f"<h3>{html.escape(finding.heading)}</h3><ul>")
            parts += [f"<li>{html.escape(dates_in_words(item))}</li>" for item in
                      finding.items or ([finding.empty] if finding.empty else [])]
            parts.append("</ul>")
        if section.figures:
            parts.append("<div class=\"figures\">")
            for figure in section.figures:
                encoded = base64.b64encode(figure_png(figure)).decode("ascii")
                parts.append(f"<img src=\"data:image/png;base64,{encoded}\" "
                             f"alt=\"{html.escape(figure.alt_text)}\">")
            parts.append("</div>")
        if section.table is not None and not section.table.is_empty():
            parts.append(_html_table(section.table))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
