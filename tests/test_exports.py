"""Board pack (PDF, HTML) and workbook (XLSX): generated from the sample warehouse, read back,
and checked against kpi_values, for London and two boroughs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from pypdf import PdfReader

from dashboard import board_pack, formatting
from dashboard.charts.recovery import CATEGORY_LABELS
from dashboard.exports.workbook import ABBREVIATIONS, SHEET_NAME_LIMIT
from pipelines.definitions.registry import BREAKDOWN_TITLES

SCOPES = [("london", "E12000007"), ("E09000022", "E09000022"), ("City of London", "E09000001")]
PERIOD = "2024/25"
FILE_AREAS = {"E12000007": "london", "E09000022": "lambeth", "E09000001": "city-of-london"}
CODES = {"all", "published", "suppressed", "immature", "la", "london", "england", "age_band",
         "high_good", "low_good", "percent", "rate_per_100", "non_opiate", "remand_court"}
MIN_PAGE_CHARACTERS = 250
A4_HEIGHT_PT = 842
RUNNING_LINES_PT = 50  # the running header and the footer sit within this of the page's edges
MIN_TEXT_DEPTH = 0.30  # a page without a chart has text reaching at least this far down


@pytest.fixture(scope="module")
def packs(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("packs")
    made = {}
    for scope, code in SCOPES:
        folder = out / code
        assert board_pack.main(["--period", PERIOD, "--scope", scope, "--out", str(folder),
                                "--warehouse", str(sample_warehouse)]) == 0
        made[code] = {p.suffix: p for p in folder.iterdir()}
        made[code]["names"] = sorted(p.name for p in folder.iterdir())
    return made


def _page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def _text_depths(path: Path) -> list[tuple[float, int]]:
    """(how far down the page its lowest line of body text sits, as a share of the page's
    height; the number of images) for every page."""
    depths = []
    for page in PdfReader(path).pages:
        heights: list[float] = []

        def visit(text: str, cm: list, tm: list, *_: object, into: list = heights) -> None:
            if text.strip():
                into.append(tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=visit)
        body = [y for y in heights if RUNNING_LINES_PT < y < A4_HEIGHT_PT - RUNNING_LINES_PT]
        lowest = min(body, default=A4_HEIGHT_PT)
        depths.append(((A4_HEIGHT_PT - lowest) / A4_HEIGHT_PT, len(page.images)))
    return depths


def _values(warehouse: Path, **where: str) -> pl.DataFrame:
    clause = " and ".join(f"{k} = ?" for k in where)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(f"select * from kpi_values where {clause}",
                       params=list(where.values())).pl()


def _pdf_text(path: Path) -> str:
    """The PDF's text with every run of white space made one space (table cells wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _headline_table(text: str) -> str:
    start = text.index("Indicator Value 95% interval Count Releases")
    return text[start:]


def _expected_row(row: dict) -> str:
    """A headline row up to its releases as the board pack must print it: the indicator, then
    its value, interval, count and releases, then a space (written out here, not with
    dashboard.formatting)."""
    if row["status"] == "suppressed":
        # Value, count and releases hidden; no interval.
        return f"{row['title']} * * * "
    if row["status"] == "immature":
        return (f"{row['title']} Not yet available (once data to "
                f"{row['available_from']:%-d %B %Y} is loaded) ")
    unit, interval = ("%", "%") if row["unit"] == "percent" else (" per 100 releases", "")
    return (f"{row['title']} {row['value']:.1f}{unit} {row['lower_95']:.1f}{interval} to "
            f"{row['upper_95']:.1f}{interval} {row['numerator']:,} {row['denominator']:,} ")


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_pdf_headline_rows_equal_kpi_values(packs: dict, sample_warehouse: Path, scope: str,
                                            code: str) -> None:
    text = _pdf_text(packs[code][".pdf"])
    assert "board pack" in text.lower() and PERIOD in text
    assert "SYNTHETIC SAMPLE DATA" in text
    table = _headline_table(text)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        rows = con.sql(
            "select d.title, d.unit, v.* from kpi_values v join kpi_definitions d "
            "on d.id = v.kpi_id where v.area_code = ? and v.period = ? and v.breakdown = 'all'",
            params=[code, PERIOD]).pl()
    assert rows.height == 10
    for row in rows.iter_rows(named=True):
        # Each figure right after its own indicator's name: a figure from another row (or '*'
        # anywhere in the pack) does not pass.
        assert _expected_row(row) in table, (row["kpi_id"], _expected_row(row))


def test_pdf_known_cells_of_the_sample(packs: dict) -> None:
    """Two cells of the committed synthetic sample, written out (London, 2024/25): change them
    only when data_samples/ or a KPI definition changes on purpose."""
    table = _headline_table(_pdf_text(packs["E12000007"][".pdf"]))
    assert "Settled accommodation on release 57.0% 55.1% to 58.8% 1,535 2,694 " in table
    assert "Informed about services at reception 68.1% 66.4% to 69.8% 1,946 2,858 " in table
    lambeth = _headline_table(_pdf_text(packs["E09000022"][".pdf"]))
    assert ("Returned to custody within 12 months Not yet available (once data to 1 April 2026 "
            "is loaded) Not yet available ") in lambeth
    city = _headline_table(_pdf_text(packs["E09000001"][".pdf"]))
    assert "Continuity of care (21 days) * * * 47.8% " in city


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_every_chart_is_present(packs: dict, code: str, scope: str) -> None:
    html = packs[code][".html"].read_text()
    images_html = len(re.findall(r"<img src=\"data:image/png;base64,", html))
    reader = PdfReader(packs[code][".pdf"])
    images_pdf = sum(len(page.images) for page in reader.pages)
    # Tile maps (for KPIs with a mature year), ranked charts, Tier 4 and recovery trends and the
    # recommendations grid.
    assert images_html >= 6
    assert images_pdf == images_html


def test_html_is_self_contained_and_escaped(packs: dict) -> None:
    html = packs["E12000007"][".html"].read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html)


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_workbook_holds_only_published_figures(packs: dict, sample_warehouse: Path,
                                               scope: str, code: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(packs[code][".xlsx"].read_bytes()))
    assert {"Contents", "Notes", "Definitions"} <= set(book.sheetnames)
    assert len(book.sheetnames) == 13  # contents, notes, ten KPIs and definitions
    notes = " ".join(str(c.value) for c in book["Notes"]["A"] if c.value)
    assert "Synthetic" in notes and "suppressed" in notes
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        published = {
            (r[0], r[1], r[2], r[3], r[4]): r[5] for r in con.sql(
                "select period, area_name, breakdown, category, status, round(value, 6) "
                "from kpi_values where kpi_id = 'coc_21d'").fetchall()}
    sheet = book["Continuity of care (21 days)"]
    headings = [c.value for c in sheet[4]]
    breakdowns = {v: k for k, v in BREAKDOWN_TITLES.items()}
    categories = {v: k for k, v in CATEGORY_LABELS.items()} | {"18-24": "18-24", "25-34": "25-34",
                                                              "35-49": "35-49", "50+": "50+"}
    statuses = {v: k for k, v in formatting.STATUS_TEXT.items()}
    assert sheet.freeze_panes == "C5"
    checked = 0
    for row in sheet.iter_rows(min_row=5, values_only=True):
        record = dict(zip(headings, row, strict=True))
        key = (record["Period"], record["Area"], breakdowns[record["Breakdown"]],
               categories[record["Category"]], statuses[record["Status"]])
        assert key in published, key
        if record["Status"] == "Published":
            assert round(record["Value"], 6) == published[key]
        else:
            # Nothing numeric on a suppressed or immature row.
            assert all(not isinstance(record[h], int | float) for h in
                       ("Numerator", "Value", "Lower 95% CI", "Upper 95% CI")
                       if record["Status"] == "Not yet available" or h != "Numerator"), record
            if record["Status"] == "Suppressed":
                assert record["Value"] == "*"
                assert not isinstance(record["Numerator"], int | float)
        checked += 1
    assert checked > 0


def _workbook_row(path: Path, sheet: str, period: str, area: str) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    cells = book[sheet]
    headings = [c.value for c in cells[4]]
    rows = [dict(zip(headings, r, strict=True)) for r in cells.iter_rows(min_row=5,
                                                                          values_only=True)]
    found = [r for r in rows if (r["Period"], r["Area"], r["Breakdown"], r["Category"])
             == (period, area, "All releases", "All releases")]
    assert len(found) == 1, (sheet, period, area, len(found))
    return found[0]


def test_workbook_known_cells_of_the_sample(packs: dict) -> None:
    """Cells of the committed synthetic sample, read from their own row and column, written out
    (change them only when data_samples/ or a KPI definition changes on purpose)."""
    london = _workbook_row(packs["E12000007"][".xlsx"], "Settled housing on release", PERIOD,
                           "London")
    assert (london["Numerator"], london["Denominator"], london["Status"]) == \
        (1535, 2694, "Published")
    assert round(london["Value"], 1) == 57.0
    assert (round(london["Lower 95% CI"], 1), round(london["Upper 95% CI"], 1)) == (55.1, 58.8)
    city = _workbook_row(packs["E09000001"][".xlsx"], "Continuity of care (21 days)", PERIOD,
                         "City of London")
    assert [city[h] for h in ("Numerator", "Denominator", "Value", "Lower 95% CI")] == \
        ["*", "*", "*", "*"]
    assert city["Status"] == "Suppressed"


def test_unknown_scope_or_period_is_a_clear_error(sample_warehouse: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    assert board_pack.main(["--period", PERIOD, "--scope", "Atlantis", "--out", str(tmp_path),
                            "--warehouse", str(sample_warehouse)]) == 2
    assert "not 'london' or a London local authority" in capsys.readouterr().err
    assert board_pack.main(["--period", "1999/00", "--scope", "london", "--out",
                            str(tmp_path), "--warehouse", str(sample_warehouse)]) == 2


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_files_are_named_by_area(packs: dict, scope: str, code: str) -> None:
    area = FILE_AREAS[code]
    assert packs[code]["names"] == [f"board-pack-{area}-2024-25.html",
                                    f"board-pack-{area}-2024-25.pdf",
                                    f"data-workbook-{area}-2024-25.xlsx"]


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_no_near_blank_pages(packs: dict, scope: str, code: str) -> None:
    pages = _page_texts(packs[code][".pdf"])
    thin = [(number, len(text)) for number, text in enumerate(pages, start=1)
            if len(text) < MIN_PAGE_CHARACTERS]
    assert not thin, thin
    # No page is a heading and a line or two, or the tail of a table, with nothing else on it.
    shallow = [(number, round(depth, 2)) for number, (depth, images) in
               enumerate(_text_depths(packs[code][".pdf"]), start=1)
               if not images and depth < MIN_TEXT_DEPTH]
    assert not shallow, shallow


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_contents_lists_every_section_at_its_page(packs: dict, scope: str, code: str) -> None:
    pages = _page_texts(packs[code][".pdf"])
    cover = pages[0]
    assert "Contents" in cover and "SYNTHETIC SAMPLE DATA" in cover
    assert re.search(r"Produced \d{1,2} [A-Z][a-z]+ \d{4}", cover)  # a date in words
    html = packs[code][".html"].read_text()
    titles = re.findall(r'<li><a href="#section-\d+">([^<]+)</a></li>', html)
    assert len(titles) >= 10
    for title in titles:
        plain = " ".join(title.replace("&#x27;", "'").split())
        match = re.search(re.escape(plain) + r" (\d+)", cover)
        assert match, plain
        page = int(match.group(1))
        # The page starts (after the running header) with the section's title, or the section
        # follows another one on that page.
        assert plain in pages[page - 1], (plain, page)


def test_summary_page_draws_conclusions_with_units(packs: dict) -> None:
    summary = _page_texts(packs["E12000007"][".pdf"])[1]
    assert summary.startswith("London Continuity of Care Outcomes") or "Summary" in summary
    assert "Summary: what changed and what needs attention" in summary
    assert re.search(r"rose from \d+\.\d% in 2023/24 to \d+\.\d% in 2024/25", summary)
    assert "Needs attention" in summary and "Statistical process control" in summary
    assert "changed benchmark against London" in summary
    assert "partners and the EbE group disagree" in summary
    assert "England's 2024/25 figure is not published yet" in summary
    assert not re.search(r"\d{4}-\d{2}-\d{2}", " ".join(_page_texts(packs["E12000007"][".pdf"])))


def test_borough_pack_leads_with_the_borough(packs: dict) -> None:
    pages = _page_texts(packs["E09000022"][".pdf"])
    reader = PdfReader(packs["E09000022"][".pdf"])
    own = [i for i, text in enumerate(pages) if "Lambeth at a glance, 2024/25" in text
           and "indicators for Lambeth in 2024/25 are published" in text
           and reader.pages[i].images]
    assert own, "no page of Lambeth's own with its spine chart"
    assert any("Lambeth over time, against London and England" in text for text in pages)
    assert any("outlined on the map, ringed on the chart" in text for text in pages)
    summary = pages[1]
    assert summary.index("Recommendations in Lambeth") < summary.index(
        "London-wide recommendations")
    assert any("London-wide recommendations (not specific to Lambeth)" in t for t in pages)
    assert not any("releases of London residents" in t for t in pages)
    assert any("releases of Lambeth residents" in t for t in pages)


@pytest.mark.parametrize(("scope", "code"), SCOPES)
def test_workbook_sheet_names_words_and_comparators(packs: dict, scope: str, code: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(packs[code][".xlsx"].read_bytes()))
    contents = {row[0]: row[1] for row in book["Contents"].iter_rows(min_row=4, values_only=True)}
    allowed = {w for _, short in ABBREVIATIONS for w in short.split()}
    for name in book.sheetnames[2:-1]:
        assert len(name) <= SHEET_NAME_LIMIT
        title = contents[name].split(":")[0]
        # Every word of the name is a whole word of the title or an agreed abbreviation.
        assert set(name.split()) <= set(title.split()) | allowed, (name, title)
    sheet = book["Continuity of care (21 days)"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    headings = [c.value for c in sheet[4]]
    words = {h: {r[headings.index(h)] for r in rows} for h in
             ("Breakdown", "Category", "Status", "Area type")}
    for heading, values in words.items():
        assert not values & CODES, (heading, values & CODES)
    assert "All releases" in words["Breakdown"] and "Published" in words["Status"]
    definitions = {r[5] for r in book["Definitions"].iter_rows(min_row=2, values_only=True)}
    assert "Higher is better" in definitions and "high_good" not in definitions
    if code != "E12000007":
        areas = [(r[0], r[1], r[3], r[4]) for r in rows]
        own = [a for a in areas if a[1] != "London" and a[1] != "England"]
        assert own
        for period, _, breakdown, category in own:
            assert (period, "London", breakdown, category) in areas
        assert ("2023/24", "England", "All releases", "All releases") in areas
