"""The board pack's summary page: each statement is computed from the figures it is given
(fixture frames, no warehouse), and page CSV downloads put the header first with numbers as
numbers."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
from pypdf import PdfReader

from dashboard import formatting
from dashboard.exports import pdf, summary
from dashboard.exports.pack import BoardPack, Section

DEFINITIONS = pl.DataFrame({
    "id": ["coc_21d", "returned_custody_12m", "tier4_on_release"],
    "title": ["Continuity of care (21 days)", "Returned to custody within 12 months",
              "Tier 4 rehab entries on release"],
    "unit": ["percent", "percent", "rate_per_100"],
    "polarity": ["high_good", "low_good", "high_good"],
    "target": [75.0, None, None],
})


def _row(kpi_id: str, period: str, value: float, lower: float, upper: float, **extra) -> dict:
    return {"kpi_id": kpi_id, "period": period, "period_start": date(int(period[:4]), 4, 1),
            "area_name": extra.pop("area_name", "London"), "value": value, "lower_95": lower,
            "upper_95": upper, "status": extra.pop("status", "published"),
            "compared_to_london": extra.pop("compared_to_london", None),
            "compared_to_england": extra.pop("compared_to_england", None),
            "spc_signal": extra.pop("spc_signal", None),
            "available_from": extra.pop("available_from", None)}


def test_a_significant_change_is_listed_with_units_and_judgement() -> None:
    rows = pl.DataFrame([
        _row("coc_21d", "2023/24", 39.9, 38.1, 41.7), _row("coc_21d", "2024/25", 47.9, 46.0, 49.7),
        # Overlapping intervals: not significant, so not listed.
        _row("tier4_on_release", "2023/24", 2.1, 1.6, 2.7),
        _row("tier4_on_release", "2024/25", 2.7, 2.2, 3.4),
        # A significant rise in a lower-is-better KPI is a deterioration.
        _row("returned_custody_12m", "2023/24", 30.0, 28.0, 32.0),
        _row("returned_custody_12m", "2024/25", 36.0, 34.0, 38.0),
    ])
    found = summary.significant_changes(rows, "2024/25", "2023/24", DEFINITIONS)
    sentences = [s for s, _ in found]
    assert ("Continuity of care (21 days) rose from 39.9% in 2023/24 to 47.9% in 2024/25 "
            "(up 8.0 percentage points, an improvement).") in sentences
    assert not any("Tier 4" in s for s in sentences)
    assert ("Returned to custody within 12 months rose from 30.0% in 2023/24 to 36.0% in "
            "2024/25 (up 6.0 percentage points, a deterioration).") in sentences
    assert dict(found)[sentences[-1]] == "a deterioration"


def test_no_change_is_listed_when_intervals_overlap_or_a_year_is_suppressed() -> None:
    rows = pl.DataFrame([
        _row("coc_21d", "2023/24", 45.0, 40.0, 50.0), _row("coc_21d", "2024/25", 47.0, 42.0, 52.0),
        _row("tier4_on_release", "2023/24", 1.0, 0.5, 1.5),
        _row("tier4_on_release", "2024/25", 5.0, 4.0, 6.0, status="suppressed"),
    ])
    assert summary.significant_changes(rows, "2024/25", "2023/24", DEFINITIONS) == []
    assert summary.significant_changes(rows, "2024/25", None, DEFINITIONS) == []


def test_spc_signals_name_the_quarters_and_flag_concerns() -> None:
    quarters = pl.DataFrame([
        *[_row("coc_21d", f"2024/25 Q{q}", 40, 39, 41, spc_signal="special_improvement")
          for q in range(1, 5)],
        _row("returned_custody_12m", "2024/25 Q2", 40, 39, 41,
             spc_signal="special_concern"),
        _row("returned_custody_12m", "2024/25 Q3", 40, 39, 41, spc_signal="common_cause"),
        _row("tier4_on_release", "2023/24 Q4", 2, 1, 3, spc_signal="special_concern"),
    ])
    lines = summary.spc_signals(quarters, "2024/25", DEFINITIONS)
    assert lines == [
        ("Continuity of care (21 days): special-cause improvement in all four quarters of "
         "2024/25.", False),
        ("Returned to custody within 12 months: special-cause concern in Q2 of 2024/25.", True),
    ]


def test_benchmark_changes_list_only_boroughs_whose_category_moved() -> None:
    rows = pl.DataFrame([
        _row("coc_21d", "2023/24", 40, 35, 45, area_name="Camden",
             compared_to_london="similar"),
        _row("coc_21d", "2024/25", 60, 55, 65, area_name="Camden",
             compared_to_london="better"),
        _row("coc_21d", "2023/24", 40, 35, 45, area_name="Barnet",
             compared_to_london="similar"),
        _row("coc_21d", "2024/25", 41, 36, 46, area_name="Barnet",
             compared_to_london="similar"),
    ])
    assert summary.benchmark_changes(rows, "2024/25", "2023/24") == [
        "Camden: from similar to London in 2023/24 to better than London in 2024/25."]


def test_disagreements_come_from_the_agreement_of_rag_and_rating() -> None:
    tracker = pl.DataFrame({
        "item": ["F-B Through the Gate", "R1 Rehab"], "rag_title": ["Green", "Green"],
        "rating": [2, 4], "reviewed_on": [date(2024, 6, 12), date(2025, 6, 11)],
        "agreement": ["Disagree", "Agree"]})
    assert summary.disagreements(tracker) == [
        "F-B Through the Gate: partners rate it green; the EbE group rates it 2 of 5, reviewed "
        "June 2024."]


def test_england_missing_for_the_year_is_explained() -> None:
    england = pl.DataFrame([_row("coc_21d", "2023/24", 53.0, 52.0, 54.0, area_name="England")])
    note = summary.england_note(england, "2024/25", DEFINITIONS)
    assert note is not None
    assert "England's 2024/25 figure is not published yet" in note and "53.0%" in note
    assert summary.england_note(england, "2023/24", DEFINITIONS) is None


def test_page_csv_has_the_header_first_and_numbers_as_numbers() -> None:
    table = pl.DataFrame({
        "Period": ["2023/24", "2024/25", "2024/25"],
        "Area": ["London", "Camden", "City of London"],
        "Numerator": ["1368", "1,234", "*"],
        "Value": ["47.9%", "45.0%", "*"],
        "Rate": ["2.7 per 100 releases", "12.0 per 100 releases", "Not yet available"],
        "Code": ["007", "012", "100"],
    })
    raw = formatting.csv_bytes(table, "A chart", "Num / Den", date(2025, 9, 30), True)
    text = raw.decode("utf-8-sig")
    first = text.splitlines()[0]
    assert first.startswith("Period,Area,Numerator,Numerator note,Value (%),Value note,")
    assert "A chart" in text and "Synthetic sample data" in text  # notes after the data
    parsed = pl.read_csv(io.BytesIO(raw), n_rows=table.height)
    assert parsed.schema["Numerator"] == pl.Int64
    assert parsed.get_column("Numerator").to_list() == [1368, 1234, None]
    assert parsed.schema["Value (%)"] == pl.Float64
    assert parsed.get_column("Value note").to_list()[2] == "*"
    assert parsed.get_column("Rate (per 100 releases)").to_list()[:2] == [2.7, 12.0]
    assert "\n2023/24,London,1368,,47.9,,2.7,,007\n" in text  # leading zeros: an identifier
    assert not any("%" in str(v) or "," in str(v) for v in parsed.get_column("Value (%)"))


def _pack(sections: list[Section]) -> BoardPack:
    return BoardPack(title="Board pack for Testham", scope_code="E09000022",
                     scope_name="Testham", period="2024/25", previous_period="2023/24",
                     cutoff=date(2025, 9, 30), produced=date(2026, 12, 4), synthetic=True,
                     sections=sections)


def test_a_short_table_is_never_split_across_pages() -> None:
    table = pl.DataFrame({"Row": [f"Row-{i}-marker" for i in range(6)],
                          "Value": [f"{i}.0%" for i in range(6)]})
    # Text of growing length, so that in some of these packs the table starts near the foot
    # of a page.
    for sentences in range(60, 110, 3):
        filler = " ".join(["Text that fills most of the page before the table."] * sentences)
        pack = _pack([Section("Long text then a short table", text=[filler], table=table)])
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.to_pdf(pack))).pages]
        holding = {i for i, text in enumerate(pages) for n in range(6)
                   if f"Row-{n}-marker" in text}
        assert len(holding) == 1, (sentences, holding)  # the whole table on one page


def test_contents_on_the_cover_gives_each_section_its_page() -> None:
    filler = " ".join(["A sentence of the section."] * 40)
    sections = [Section(f"Section number {n}", text=[filler], new_page=n % 2 == 0)
                for n in range(1, 7)]
    pack = _pack(sections)
    pages = [" ".join(p.extract_text().split())
             for p in PdfReader(io.BytesIO(pdf.to_pdf(pack))).pages]
    assert "Contents" in pages[0] and "SYNTHETIC SAMPLE DATA" in pages[0]
    assert "4 December 2026" in pages[0]
    for n, page in zip(range(1, 7), pdf.section_pages(pack), strict=True):
        assert f"Section number {n} {page}" in pages[0]
        assert f"Section number {n}" in pages[page - 1]
