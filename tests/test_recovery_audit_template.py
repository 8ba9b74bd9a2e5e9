"""The Recovery Audit's offline template: generated, filled in with openpyxl as a service would,
and imported; every answer stored; bad rows rejected with sheet, row, question and reason; the
command line on the sample warehouse; the synthetic sample seeded once."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dashboard import store
from dashboard.recovery_audit import __main__ as cli
from dashboard.recovery_audit import records, sample, template
from dashboard.recovery_audit.framework import SEED
from dashboard.store import ADMIN, EBE_REVIEWER, VIEWER, Actor, NotAllowed
from dashboard.store import audit_contracts as c

ADMIN_ACTOR = Actor("admin@ohid.example", frozenset({VIEWER, ADMIN}))
ASSESSOR = Actor("manager@svc.example", frozenset({VIEWER, store.service_role("SVC-013")}))
EBE_ACTOR = Actor("panel@voices.example", frozenset({VIEWER, EBE_REVIEWER}))
SERVICES = [
    {"service_id": "SVC-013", "service_name": "Hackney Recovery Service", "setting": "community",
     "area_code": "E09000012", "area_name": "Hackney"},
    {"service_id": "BZI", "service_name": "HMP Bronzefield", "setting": "prison",
     "area_code": "BZI", "area_name": "HMP Bronzefield"},
]
SAMPLES = Path(__file__).resolve().parent.parent / "data_samples" / "recovery_audit"


@pytest.fixture
def app(tmp_path: Path):
    opened = store.app_store(tmp_path / "app.duckdb")
    records.open_round(opened, "2025-26", 1, date(2025, 4, 1), "First round", ADMIN_ACTOR)
    yield opened
    opened.close()


def filled(content: bytes, answers: dict[str, tuple[object, str | None]]) -> bytes:
    """The template with ratings and evidence typed in, as a service would."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[template.RATINGS]
    for row in range(2, sheet.max_row + 1):
        question_id = sheet.cell(row, template.QUESTION_ID_COLUMN).value
        if question_id in answers:
            rating, evidence = answers[question_id]
            sheet.cell(row, template.RATING_COLUMN, rating)
            sheet.cell(row, template.EVIDENCE_COLUMN, evidence)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(content: bytes, question_id: str) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[template.RATINGS]
    return next(r for r in range(2, sheet.max_row + 1)
                if sheet.cell(r, template.QUESTION_ID_COLUMN).value == question_id)


def test_the_template_has_every_question_guidance_drop_downs_and_a_locked_structure() -> None:
    content = template.build(SEED, "2025-26", SERVICES[0], c.SELF)
    book = openpyxl.load_workbook(io.BytesIO(content))
    about, sheet = book[template.ABOUT], book[template.RATINGS]
    assert [sheet.cell(1, col).value for col in range(1, 8)] == list(template.HEADINGS)
    ids = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert ids == list(SEED.question_ids)
    first = SEED.questions[0][1]
    assert (sheet["C2"].value, sheet["D2"].value) == (first.text, first.good)
    assert about.protection.sheet and sheet.protection.sheet
    assert sheet["C2"].protection.locked and not sheet["F2"].protection.locked
    assert not sheet["G2"].protection.locked
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and "1 - Not in place" in validation.formula1
    assert {str(cell) for cell in validation.sqref.ranges} == {f"F{r}" for r in
                                                               range(2, len(ids) + 2)}
    assert about["B3"].value == "SVC-013" and about["B7"].value == "Self-assessment"


def test_a_filled_template_round_trips_every_answer(app) -> None:
    content = template.build(SEED, "2025-26", SERVICES[0], c.SELF)
    answers = {qid: ((i % 4) + 1 if i % 2 else template.SCALE_CHOICES[i % 4],
                     f"Evidence {i}" if i % 3 else None)
               for i, qid in enumerate(SEED.question_ids)}
    report = template.import_template(app, filled(content, answers), ASSESSOR, SERVICES)
    assert report.rejects == []
    assert len(report.stored) == report.rows_read == len(SEED.question_ids)
    stored = records.answers(app).sort("question_id")
    assert stored.select("question_id", "rating", "evidence").rows() == [
        (qid, (i % 4) + 1, f"Evidence {i}" if i % 3 else None)
        for i, qid in sorted(enumerate(SEED.question_ids), key=lambda p: p[1])]
    assert set(stored.get_column("audit_view")) == {"self"}
    assert set(stored.get_column("recorded_by")) == {ASSESSOR.identity}
    # The same file again changes nothing; a changed rating is a new version.
    again = template.import_template(app, filled(content, answers), ASSESSOR, SERVICES)
    assert again.stored == [] and again.unchanged == len(SEED.question_ids)


def test_an_invalid_rating_and_a_missing_required_answer_are_rejected_by_row(app) -> None:
    content = template.build(SEED, "2025-26", SERVICES[0], c.SELF)
    answers = {qid: (3, None) for qid in SEED.question_ids}
    answers["D02-Q1"] = (5, "Too high")
    answers["D03-Q1"] = ("great", None)
    answers["D01-Q2"] = (None, "Evidence but no rating")
    answers["D05-Q2"] = (None, None)  # optional: may be left empty
    report = template.import_template(app, filled(content, answers), ASSESSOR, SERVICES)
    assert [(r.sheet, r.row, r.question, r.reason) for r in report.rejects] == [
        ("Ratings", row_of(content, "D01-Q2"), "D01-Q2",
         "a rating is required for this question"),
        ("Ratings", row_of(content, "D02-Q1"), "D02-Q1",
         "rating must be a whole number from 1 to 4"),
        ("Ratings", row_of(content, "D03-Q1"), "D03-Q1",
         "rating must be a whole number from 1 to 4"),
    ]
    assert str(report.rejects[0]).startswith(f"Ratings row {row_of(content, 'D01-Q2')}, "
                                             "question D01-Q2: ")
    stored = set(records.answers(app).get_column("question_id"))
    assert stored == set(SEED.question_ids) - {"D01-Q2", "D02-Q1", "D03-Q1", "D05-Q2"}


def test_a_template_for_another_service_or_view_is_refused_and_stores_nothing(app) -> None:
    answers = {qid: (3, None) for qid in SEED.question_ids}
    other = filled(template.build(SEED, "2025-26", SERVICES[1], c.SELF), answers)
    with pytest.raises(NotAllowed):
        template.import_template(app, other, ASSESSOR, SERVICES)
    ebe = filled(template.build(SEED, "2025-26", SERVICES[0], c.EBE), answers)
    with pytest.raises(NotAllowed):
        template.import_template(app, ebe, ASSESSOR, SERVICES)
    report = template.import_template(app, ebe, EBE_ACTOR, SERVICES)
    assert set(records.answers(app).get_column("audit_view")) == {"ebe"}
    assert len(report.stored) == len(SEED.question_ids)
    with pytest.raises(template.TemplateError, match="not a readable Excel"):
        template.import_template(app, b"not a workbook", ASSESSOR, SERVICES)


def test_the_command_line_writes_a_template_and_imports_it(
        sample_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "cli.duckdb"
    common = ["--db", str(db), "--warehouse", str(sample_warehouse)]
    assert cli.main([*common, "template", "--service", "SVC-013", "--out",
                     str(tmp_path / "t.xlsx")]) == 2  # no round yet
    assert "no audit round" in capsys.readouterr().err
    assert cli.main([*common, "seed", "--from", str(SAMPLES)]) == 0
    assert "Seeded the synthetic sample" in capsys.readouterr().out
    assert cli.main([*common, "seed", "--from", str(SAMPLES)]) == 0
    assert "nothing seeded" in capsys.readouterr().out
    out = tmp_path / "hackney.xlsx"
    assert cli.main([*common, "template", "--service", "svc-013", "--out", str(out)]) == 0
    about = openpyxl.load_workbook(out)[template.ABOUT]
    assert about["B5"].value == "2025-26"  # the current round by default
    answers = {qid: (4, None) for qid in SEED.question_ids}
    answers["D01-Q1"] = (0, None)
    (tmp_path / "done.xlsx").write_bytes(filled(out.read_bytes(), answers))
    assert cli.main([*common, "import", "--from", str(tmp_path / "done.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "Ratings row 2, question D01-Q1: rating must be a whole number from 1 to 4" in err
    assert f"{len(SEED.question_ids) - 1} ratings stored" in err


def test_the_committed_sample_is_what_the_generator_makes(tmp_path: Path) -> None:
    sample.generate(tmp_path)
    for name in (sample.ROUNDS_FILE, sample.RATINGS_FILE, sample.TRAINING_FILE):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    ratings = pl.read_csv(SAMPLES / sample.RATINGS_FILE)
    assert ratings.get_column("round_id").n_unique() == 2
    assert set(ratings.get_column("audit_view")) == {"self", "ebe"}
