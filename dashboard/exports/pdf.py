"""The board pack as a PDF (fpdf2, pure Python). Text goes in as text, so it can be searched
and read aloud.

The PDF is laid out as a paper, not a data annex: a cover with the contents, sections that
start a page or follow on when they fit, charts scaled to fit the page, and tables kept whole
on one page whenever they fit on one. The contents is filled in once the pages are known.
"""

from __future__ import annotations

import re

import polars as pl
from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard.charts import palette
from dashboard.exports.pack import ABOUT_TEXT, BoardPack, Figure, Section
from dashboard.exports.render import (
    CONTENTS_TITLE,
    DATE_WORDS,
    NUMBER_TEXT,
    SYNTHETIC_LABEL,
    cell_text,
    figure_png,
    plain,
    png_size,
)

PAGE_WIDTH_MM = 180
MARGIN_MM = 15
FOOTER_MM = 14
FIGURE_GAP_MM = 2
SECTION_GAP_MM = 8
FONT = "Helvetica"
HEADING_COLOUR = palette.rgb(palette.PACK_HEADING)
HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=palette.rgb(palette.PDF_TABLE_HEAD))

class _Pdf(FPDF):
    def __init__(self, pack: BoardPack) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack = pack
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=FOOTER_MM + 4)
        self.set_title(plain(f"{pack.title}, {pack.period}"))
        self.set_author("London Continuity of Care Outcomes")
        self.set_lang("en-GB")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*palette.rgb(palette.PDF_RUNNING_TEXT))
        label = " - SYNTHETIC SAMPLE DATA" if self.pack.synthetic else ""
        self.cell(0, 5, plain(f"London Continuity of Care Outcomes - {self.pack.scope_name} - "
                               f"{self.pack.period}{label}"), align="R")
        self.set_text_color(*palette.rgb(palette.INK))
        self.set_y(MARGIN_MM + 6)

    def footer(self) -> None:
        self.set_y(-FOOTER_MM)
        self.set_font(FONT, size=8)
        label = "Synthetic sample data. " if self.pack.synthetic else ""
        self.cell(0, 6, plain(f"{label}Board pack for {self.pack.scope_name}, {self.pack.period}."
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
        cells = [plain(cell_text(v)) for v in table.get_column(name).to_list()]
        # A date in words stays on one line: '10 September 2025' is one word here.
        words = [w for c in [name, *cells]
                 for w in ([c] if DATE_WORDS.match(c) else c.split())]
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
    numeric = [table.height > 0 and all(re.match(NUMBER_TEXT, cell_text(v)) or cell_text(v) in
                                        ("", "*") for v in table.get_column(c).to_list())
               for c in table.columns]
    align = tuple("RIGHT" if n else "LEFT" for n in numeric)
    with pdf.table(text_align=align, line_height=3.8, first_row_as_headings=True,
                   col_widths=_column_widths(pdf, table), width=PAGE_WIDTH_MM,
                   headings_style=HEADINGS_STYLE) as grid:
        grid.row([plain(c) for c in table.columns])
        for row in table.iter_rows():
            grid.row([plain(cell_text(v)) for v in row])


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
                      alt_text=plain(figure.alt_text))
            x += width + FIGURE_GAP_MM
        pdf.set_y(top + tallest + FIGURE_GAP_MM)
        return
    for figure in section.figures:
        width, height = _figure_size(pdf, figure, figure.width_mm, pdf.full_page)
        if height > pdf.room:
            pdf.add_page()
        x = pdf.l_margin + (PAGE_WIDTH_MM - width) / 2
        pdf.image(figure_png(figure), x=x, y=pdf.y, w=width, h=height,
                  alt_text=plain(figure.alt_text))
        pdf.set_y(pdf.y + height + FIGURE_GAP_MM)


def _pdf_text(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FONT, size=10)
    for paragraph in section.text:
        pdf.multi_cell(0, 4.8, plain(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    for finding in section.findings:
        pdf.ln(1)
        pdf.set_font(FONT, style="B", size=10.5)
        pdf.set_text_color(*HEADING_COLOUR)
        pdf.multi_cell(0, 5, plain(finding.heading), align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(*palette.rgb(palette.INK))
        pdf.set_font(FONT, size=9)
        for item in finding.items or ([finding.empty] if finding.empty else []):
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, 4.3, "-")
            pdf.multi_cell(0, 4.3, plain(item), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)


def _pdf_heading(pdf: FPDF, title: str) -> None:
    pdf.set_font(FONT, style="B", size=14)
    pdf.set_text_color(*HEADING_COLOUR)
    pdf.multi_cell(0, 7, plain(title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*palette.rgb(palette.INK))
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
    pdf.set_fill_color(*HEADING_COLOUR)
    pdf.rect(0, 0, 210, 8, style="F")
    pdf.set_y(22)
    pdf.set_font(FONT, style="B", size=11)
    pdf.set_text_color(*HEADING_COLOUR)
    pdf.cell(0, 6, "LONDON CONTINUITY OF CARE OUTCOMES", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=24)
    pdf.multi_cell(0, 11, plain(f"Board pack: {pack.scope_name}, {pack.period}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*palette.rgb(palette.INK))
    pdf.ln(4)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, plain(ABOUT_TEXT), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, text in pack.cover_lines():
        pdf.set_font(FONT, style="B", size=11)
        pdf.cell(38, 6.5, plain(label))
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(0, 6.5, plain(text), new_x="LMARGIN", new_y="NEXT")
    if pack.synthetic:
        pdf.ln(4)
        pdf.set_draw_color(*palette.rgb(palette.SYNTHETIC_BORDER))
        pdf.set_fill_color(*palette.rgb(palette.SYNTHETIC_FILL))
        pdf.set_line_width(0.6)
        pdf.set_font(FONT, style="B", size=11)
        pdf.multi_cell(0, 6, plain(SYNTHETIC_LABEL), border=1, fill=True, padding=2.5,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_line_width(0.2)
        pdf.set_draw_color(*palette.rgb(palette.INK))
        pdf.set_fill_color(*palette.rgb(palette.PAPER))
    pdf.ln(7)


def _pdf_contents(pdf: FPDF, pack: BoardPack, pages: list[int]) -> None:
    """The contents on the cover, drawn once every section's first page is known."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, style="B", size=14)
    pdf.set_text_color(*HEADING_COLOUR)
    pdf.cell(0, 8, CONTENTS_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*palette.rgb(palette.INK))
    pdf.set_draw_color(*palette.rgb(palette.PDF_CONTENTS_RULE))
    listed = [s for s in pack.sections if s.in_contents]
    for section, page in zip(listed, pages, strict=True):
        pdf.set_font(FONT, size=9.5)
        pdf.cell(PAGE_WIDTH_MM - 14, 5.6, plain(section.title), border="B")
        pdf.cell(14, 5.6, str(page), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*palette.rgb(palette.INK))


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
