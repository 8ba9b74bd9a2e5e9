"""AppTest of the board pack and downloads page: the files its buttons serve, read back."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import openpyxl
import pytest
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager

PERIOD = "2024/25"
# A known cell of the committed synthetic sample (London, 2024/25), written out.
SETTLED_ROW = "Settled accommodation on release 57.0% 55.1% to 58.8% 1,535 2,694 "


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes | Callable]]:
    """file name -> (mime type, the bytes or the deferred callable) of every download the page
    hands to Streamlit, exactly as a browser would be served them."""
    files: dict[str, tuple[str, bytes | Callable]] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = (mimetype, path_or_data)
        return add(self, path_or_data, mimetype, coordinates, file_name, **kwargs)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = (mimetype, data_callable)
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return files


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_making_the_board_pack_serves_the_pdf_and_web_page(app_on_sample, served) -> None:
    at = app_on_sample("downloads.py", period=PERIOD)
    assert at.title[0].value == "Board pack and downloads"
    make = next(b for b in at.button if b.label == "Make the board pack")
    make.click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Board pack ready: London, 2024/25."]

    mime, pdf = served["board-pack-london-2024-25.pdf"]
    assert mime == "application/pdf" and pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert text.startswith("LONDON CONTINUITY OF CARE OUTCOMES Board pack: London, 2024/25 ")
    assert "Period Financial year 2024/25 (1 April 2024 to 31 March 2025)" in text
    assert "SYNTHETIC SAMPLE DATA" in text
    assert SETTLED_ROW in text

    mime, page = served["board-pack-london-2024-25.html"]
    assert mime == "text/html"
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page.decode("utf-8"))]
    at_row = cells.index("Settled accommodation on release")
    assert cells[at_row + 1: at_row + 5] == ["57.0%", "55.1% to 58.8%", "1,535", "2,694"]


def test_the_workbook_button_serves_the_chosen_scope(app_on_sample, served) -> None:
    at = app_on_sample("downloads.py", period=PERIOD)
    at.selectbox(key="pack_scope").select("E09000022").run()
    assert any("Lambeth" in m.value for m in at.markdown)
    mime, make = served["data-workbook-lambeth-2024-25.xlsx"]
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(make()))
    assert {"Notes", "Definitions", "Continuity of care (21 days)"} <= set(book.sheetnames)
    sheet = book["Continuity of care (21 days)"]
    headings = [c.value for c in sheet[4]]
    areas = {dict(zip(headings, r, strict=True))["Area"]
             for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert "Lambeth" in areas
    assert areas <= {"Lambeth", "London", "South London", "England"}, areas
