"""Lived experience voices: consent, de-identification, roles, withdrawal, coding agreement,
findings with disclosure control, the XLSForm and ODK/Kobo imports, the export."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog
from statsmodels.stats.inter_rater import cohens_kappa

from dashboard.peer_research import (
    cli,
    coding,
    deidentify,
    export,
    findings,
    importer,
    service,
    xlsform,
)
from dashboard.store import AppStore, EntryRejected, NotAllowed
from dashboard.store.records import Records
from tests.peer_helpers import (
    CONSENT,
    COORD,
    OTHER_RESEARCHER,
    RESEARCHER,
    account,
    approved,
    codebook,
)
from tests.test_store import ADMIN_ACTOR

# Every identifier kind, in several spellings; none may reach the store, an export or a page.
IDENTIFIERS: dict[str, list[str]] = {
    "[name]": ["Sarah Jenkins", "Mr Hargreaves", "Tyrone Okafor", "dave"],
    "[phone]": ["07700 900123", "+44 7700 900456", "020 7946 0018", "+44 (0)20 7946 0019",
                "(020) 7946 0020", "07700900124", "0044 20 7946 0021"],
    "[postcode]": ["SW1A 1AA", "sw1a1aa", "E1 6AN", "n17 9ab"],
    "[email]": ["dave.smith@example.org", "jo_b+x@mail.co.uk", "JO@EXAMPLE.COM"],
    "[NHS number]": ["943 476 5919", "9434765919", "943-476-5919"],
    "[prison number]": ["A1234BC", "a1234bc", "B 4321 CD"],
    "[date of birth]": ["12/03/1985", "3rd March 1987", "March 3, 1990", "1979-02-01",
                        "DOB 01.02.03"],
    "[address]": ["12 Acacia Avenue", "Flat 3, 45 Station Road", "7b Mare Street"],
}
SENTENCES = {
    "[name]": "My probation officer {} rang me about it.",
    "[phone]": "You can reach me on {} most days.",
    "[postcode]": "I was staying near {} before the hostel.",
    "[email]": "Email me on {} if you want.",
    "[NHS number]": "My NHS number is {} if you need it.",
    "[prison number]": "My prison number was {} that time.",
    "[date of birth]": "I was born on {} and started young.",
    "[address]": "I lived at {} for a while.",
}
ALL_RAW = [raw.replace("DOB ", "") for values in IDENTIFIERS.values() for raw in values]


@pytest.fixture
def store(tmp_path: Path) -> AppStore:
    opened = AppStore(tmp_path / "app.duckdb")
    yield opened
    opened.close()


def raw_found(text: str) -> list[str]:
    lowered = text.lower()
    return [raw for raw in ALL_RAW if raw.lower() in lowered]


# --- Consent ---------------------------------------------------------------------------------

def test_an_account_without_consent_is_refused_and_nothing_is_stored(store) -> None:
    with pytest.raises(EntryRejected, match="consent"):
        service.capture(store, None, account(), RESEARCHER)
    for missing in CONSENT:
        with pytest.raises(EntryRejected, match=missing):
            service.capture(store, {**CONSENT, missing: False}, account(), RESEARCHER)
    with pytest.raises(EntryRejected, match="withdraw_until"):
        service.capture(store, {**CONSENT, "withdraw_until": date.today() - timedelta(days=3)},
                        account(), RESEARCHER)
    assert Records(store).versions().height == 0
    assert store.audit_log().height == 0


def test_consent_gives_a_short_withdrawal_reference_and_takes_no_contact_details(store) -> None:
    reference = service.capture(store, CONSENT, account(), RESEARCHER)
    assert reference.startswith("LV-") and len(reference) == 9
    consent = service.records(store, "consent")[0]
    assert consent["reference"] == reference and consent["consent_given"] is True
    assert consent["withdraw_until"] > consent["consent_on"]
    assert not {"name", "phone", "email", "contact"} & set(consent)


# --- De-identification -----------------------------------------------------------------------

@pytest.mark.parametrize(("placeholder", "raw"), [
    (placeholder, raw) for placeholder, values in IDENTIFIERS.items() for raw in values])
def test_each_identifier_kind_is_replaced_by_its_placeholder(placeholder, raw) -> None:
    text = SENTENCES[placeholder].format(raw)
    redacted = deidentify.redact(text)
    assert placeholder in redacted, redacted
    assert raw.replace("DOB ", "").lower() not in redacted.lower()


def test_an_nhs_number_needs_its_check_digit() -> None:
    assert deidentify.nhs_number_valid("9434765919")
    assert not deidentify.nhs_number_valid("9434765918")
    assert "[NHS number]" not in deidentify.redact("Reference 943 476 5918 on the letter.")


def test_ordinary_words_and_places_are_kept() -> None:
    text = ("We went to Universal Credit in Hackney, then HMP Pentonville sent me to the Job "
            "Centre. The worker met me at the gate in 2019 and I will hope for the best.")
    assert deidentify.redact(text) == text


def test_no_identifier_reaches_the_store_the_audit_log_or_an_export(store, tmp_path) -> None:
    codebook(store)
    everything = " ".join(SENTENCES[p].format(raw) for p, values in IDENTIFIERS.items()
                          for raw in values)
    reference = service.capture(store, CONSENT, account(
        everything, content_note=True, content_note_text="Call Sarah Jenkins on 07700 900123",
        what_helps=None), RESEARCHER)
    account_id = service.records(store, "account")[0]["record_id"]
    service.review(store, account_id, COORD, "approved", note="Ask dave.smith@example.org")
    service.code_account(store, account_id, "first", ["T01"], COORD)
    stored = Records(store).versions()
    bodies = " ".join(stored["body"].drop_nulls().to_list())
    assert reference in bodies and raw_found(bodies) == []
    audit = " ".join(store.audit_log()["details"].drop_nulls().to_list())
    assert raw_found(audit) == []
    files = export.write(store, tmp_path / "export")
    cli.main(["--db", str(store.path), "backup", "--out", str(tmp_path / "backup")])
    for path in [*files, tmp_path / "backup" / "peer_records.csv"]:
        content = path.read_bytes().decode("utf-8", "ignore") if path.suffix != ".xlsx" else \
            " ".join(str(v) for sheet in pl.read_excel(path, sheet_id=0).values()
                     for row in sheet.iter_rows() for v in row)
        assert raw_found(content) == [], path


def test_the_researcher_may_redact_more_before_saving(store) -> None:
    preview = deidentify.redact("The worker at the Blue Door cafe helped.")
    edited = preview.replace("the Blue Door cafe", "[place]")
    service.capture(store, CONSENT, account(edited), RESEARCHER)
    assert "Blue Door" not in Records(store).versions()["body"][1]


# --- Roles -----------------------------------------------------------------------------------

def test_coordinator_only_actions_are_refused_for_a_peer_researcher(store) -> None:
    codebook(store)
    reference = service.capture(store, CONSENT, account(), RESEARCHER)
    account_id = service.records(store, "account")[0]["record_id"]
    before = Records(store).versions().height
    refused = [
        lambda: service.review(store, account_id, RESEARCHER, "approved"),
        lambda: service.withdraw(store, reference, RESEARCHER),
        lambda: service.save_theme(store, {"code": "T09", "name": "x", "definition": "y",
                                           "links": []}, RESEARCHER),
        lambda: service.code_account(store, account_id, "first", ["T01"], RESEARCHER),
        lambda: service.assign_second_coding(store, RESEARCHER.identity, RESEARCHER),
    ]
    for action in refused:
        with pytest.raises(NotAllowed):
            action()
    service.review(store, account_id, COORD, "approved")
    with pytest.raises(NotAllowed):
        service.add_quote(store, account_id, "account_text", "met me", ["T01"], RESEARCHER)
    assert Records(store).versions().height == before + 1  # only the coordinator's approval


def test_a_peer_researcher_sees_only_their_own_accounts(store) -> None:
    service.capture(store, CONSENT, account("Mine."), RESEARCHER)
    service.capture(store, CONSENT, account("Theirs."), OTHER_RESEARCHER)
    assert [a["account_text"] for a in service.accounts(store, RESEARCHER)] == ["Mine."]
    assert len(service.accounts(store, COORD)) == 2


def test_an_account_is_nowhere_else_until_approved(store) -> None:
    codebook(store)
    service.capture(store, CONSENT, account(), RESEARCHER)
    account_id = service.records(store, "account")[0]["record_id"]
    with pytest.raises(EntryRejected, match="approved"):
        service.code_account(store, account_id, "first", ["T01"], COORD)
    assert export.build(store).accounts == 0


# --- Withdrawal ------------------------------------------------------------------------------

def test_withdrawal_removes_the_account_its_codes_and_quotes_everywhere(store, tmp_path) -> None:
    codebook(store)
    secret = "Withdrawn words about the night shelter queue."
    for i in range(6):
        approved(store, f"Kept account {i}: the worker met me at the gate.", "hostel", ["T02"],
                 quote="the worker met me at the gate")
    reference, account_id = approved(store, secret, "hostel", ["T02"],
                                     quote="the night shelter queue")
    service.assign_second_coding(store, COORD.identity, COORD, share=1.0, seed=1)
    before = export.build(store)
    assert before.accounts == 7 and "the night shelter queue" in before.quotes["text"]
    cli.main(["--db", str(store.path), "backup", "--out", str(tmp_path / "before")])
    assert secret in (tmp_path / "before" / "peer_records.csv").read_text()
    removed = service.withdraw(store, reference, COORD)
    assert removed >= 4  # consent, account, coding, quote (and any assignment)
    after = export.build(store)
    assert after.accounts == 6
    assert "the night shelter queue" not in after.quotes["text"].to_list()
    assert account_id not in service.codings(store)["account_id"].to_list()
    versions = Records(store).versions().filter(pl.col("account_ref") == reference)
    assert versions.height >= 5 and versions["body"].null_count() == versions.height
    assert versions["withdrawn"].all()
    files = export.write(store, tmp_path / "export")
    cli.main(["--db", str(store.path), "backup", "--out", str(tmp_path / "after")])
    for path in [*files, tmp_path / "after" / "peer_records.csv"]:
        if path.suffix != ".xlsx":
            assert "night shelter" not in path.read_text(), path
    entries, audit = store.export_csv()
    assert b"night shelter" not in entries + audit
    log = store.audit_log()
    withdrawal = log.filter(pl.col("entry_id").str.starts_with(service.WITHDRAWAL_EVENT_PREFIX))
    assert withdrawal.height == 1
    assert json.loads(withdrawal["details"][0]) == {"kind": "participant withdrawal",
                                                   "records_removed": removed}
    assert "night shelter" not in " ".join(log["details"].drop_nulls().to_list())
    with pytest.raises(NotAllowed):
        service.withdraw(store, reference, RESEARCHER)
    assert service.withdraw(store, "LV-NOSUCH", COORD) == 0


# --- Coding agreement ------------------------------------------------------------------------

def test_kappa_matches_statsmodels_on_a_hand_made_example() -> None:
    # Ten accounts, two coders, theme T01: both 4, first only 1, second only 2, neither 3.
    first = [["T01"]] * 4 + [["T01"]] + [[]] * 2 + [[]] * 3
    second = [["T01"]] * 4 + [[]] + [["T01"]] * 2 + [[]] * 3
    ids = [f"A{i}" for i in range(10)]
    codings = pl.DataFrame({
        "account_id": ids * 2, "pass": ["first"] * 10 + ["second"] * 10,
        "coder": ["c1"] * 10 + ["c2"] * 10, "themes": first + second},
        schema={"account_id": pl.String, "pass": pl.String, "coder": pl.String,
                "themes": pl.List(pl.String)})
    result = coding.agreement(codings, ["T01"]).row(0, named=True)
    expected = cohens_kappa(np.array([[4, 1], [2, 3]]), return_results=False)
    # By hand: observed 0.7; expected 0.5*0.6 + 0.5*0.4 = 0.5; kappa (0.7-0.5)/0.5 = 0.4.
    assert result["kappa"] == pytest.approx(expected) == pytest.approx(0.4)
    assert (result["both"], result["first_only"], result["second_only"], result["neither"]) \
        == (4, 1, 2, 3)
    assert result["agreement"] == pytest.approx(0.7)
    listed = coding.disagreements(codings)
    assert sorted(listed["account_id"]) == ["A4", "A5", "A6"]
    assert listed.filter(pl.col("account_id") == "A4")["applied_by"][0] == "first coder"


def test_second_coding_is_assigned_and_agreement_reported_per_theme(store) -> None:
    codebook(store)
    ids = [approved(store, f"Account {i}.", "hostel", ["T01"])[1] for i in range(5)]
    chosen = service.assign_second_coding(store, RESEARCHER.identity, COORD, share=0.4, seed=3)
    assert len(chosen) == 2 and set(chosen) <= set(ids)
    with pytest.raises(NotAllowed):
        service.code_account(store, chosen[0], "second", ["T01"], OTHER_RESEARCHER)
    service.code_account(store, chosen[0], "second", ["T01"], RESEARCHER)
    service.code_account(store, chosen[1], "second", ["T02"], RESEARCHER)
    table = coding.agreement(service.codings(store), ["T01", "T02"])
    assert table["accounts"].to_list() == [2, 2]
    assert coding.disagreements(service.codings(store)).height == 2


def test_the_codebook_is_versioned(store) -> None:
    codebook(store)
    theme = service.codebook(store).row(0, named=True)
    service.save_theme(store, {"code": "T01", "name": "Housing on release",
                               "definition": "Narrower.", "links": ["F-A", "R5"]}, COORD,
                       record_id=theme["record_id"])
    assert service.codebook(store).row(0, named=True)["version"] == 2
    assert service.codebook_version(store) == 4
    with pytest.raises(EntryRejected, match="links"):
        service.save_theme(store, {"code": "T09", "name": "x", "definition": "y",
                                   "links": ["R12"]}, COORD)


# --- Findings and disclosure -----------------------------------------------------------------

def test_no_quote_from_a_cell_under_five_accounts(store) -> None:
    codebook(store)
    for i in range(4):
        approved(store, f"Hostel account {i}: nobody told me.", "hostel", ["T01"],
                 quote="nobody told me")
    for i in range(5):
        approved(store, f"Prison account {i}: the worker met me.", "prison", ["T01"],
                 quote="the worker met me")
    shown = export.build(store).quotes
    assert set(shown["setting"]) == {"Prison"} and shown.height == 5
    approved(store, "Hostel account 5: nobody told me.", "hostel", ["T01"],
             quote="nobody told me")
    assert set(export.build(store).quotes["setting"]) == {"Hostel", "Prison"}


def _attack(cells: dict, row_totals: dict, column_totals: dict, grand: int, hidden: set
            ) -> list:
    """Every hidden cell whose value the published figures fix exactly (linear programming:
    the smallest and largest value it can take, given every published cell and total, with
    row sums and the column totals' sum as constraints, all values whole and >= 0)."""
    keys = sorted(cells) + [(r, findings.TOTAL) for r in sorted(row_totals)] + \
        [(findings.TOTAL, c) for c in sorted(column_totals)] + [(findings.TOTAL, findings.TOTAL)]
    value = dict(cells) | {(r, findings.TOTAL): n for r, n in row_totals.items()} | \
        {(findings.TOTAL, c): n for c, n in column_totals.items()} | \
        {(findings.TOTAL, findings.TOTAL): grand}
    index = {k: i for i, k in enumerate(keys)}
    a_eq, b_eq = [], []
    for key in keys:
        if key not in hidden:
            row = np.zeros(len(keys))
            row[index[key]] = 1
            a_eq.append(row)
            b_eq.append(value[key])
    for r in row_totals:
        row = np.zeros(len(keys))
        for c in column_totals:
            row[index[(r, c)]] = 1
        row[index[(r, findings.TOTAL)]] = -1
        a_eq.append(row)
        b_eq.append(0)
    row = np.zeros(len(keys))
    for c in column_totals:
        row[index[(findings.TOTAL, c)]] = 1
    row[index[(findings.TOTAL, findings.TOTAL)]] = -1
    a_eq.append(row)
    b_eq.append(0)
    exposed = []
    for key in hidden:
        c = np.zeros(len(keys))
        c[index[key]] = 1
        low = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None)).fun
        top = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
        high = float("inf") if top.status == 3 else -top.fun  # 3: no upper bound
        if high - low < 0.5 or (1 <= value[key] <= 4 and (low >= 1 and high <= 4)):
            exposed.append((key, low, high))
    return exposed


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_count_can_be_recovered_from_published_totals(seed) -> None:
    rng = random.Random(seed)
    rows = [f"T{i}" for i in range(rng.randint(1, 6))]
    columns = [f"S{j}" for j in range(rng.randint(2, 5))]
    per_column = {c: rng.choice([0, 1, 2, 3, 5, 8, 13, 30]) for c in columns}
    cells = {(r, c): rng.randint(0, per_column[c]) for r, c in itertools.product(rows, columns)}
    row_totals = {r: sum(cells[(r, c)] for c in columns) for r in rows}
    grand = sum(per_column.values())
    hidden = findings.protect(cells, row_totals, per_column, grand)
    for key, n in {**cells, **{(r, findings.TOTAL): t for r, t in row_totals.items()}}.items():
        if 1 <= n <= 4:
            assert key in hidden
    assert _attack(cells, row_totals, per_column, grand, hidden) == []


def test_the_findings_tables_hide_small_counts(store) -> None:
    codebook(store)
    for i in range(6):
        approved(store, f"Community account {i}.", "community", ["T01", "T02"])
    approved(store, "The only online account.", "online", ["T01"])
    result = export.build(store)
    by_setting = result.by_setting
    t01 = by_setting.filter(pl.col("theme") == "T01").row(0, named=True)
    assert t01["Online"] is None and t01["Community"] is None  # 1, and 6 hidden beside it
    assert t01[findings.TOTAL] == 7
    shown = findings.display(by_setting)
    assert shown.filter(pl.col("theme") == "T01")["Online"][0] == findings.SUPPRESSED_MARK
    recs = result.by_recommendation.filter(pl.col("recommendation") == "F-A")
    assert recs["accounts"][0] == 7


# --- XLSForm and imports ---------------------------------------------------------------------

def test_the_xlsform_converts_with_pyxform_and_asks_for_consent_first(tmp_path) -> None:
    out = tmp_path / "form.xlsx"
    assert cli.main(["form", "--out", str(out)]) == 0
    xform = xlsform.convert(out.read_bytes())
    assert "<h:title>Lived experience voices: an account</h:title>" in xform
    names = [r["name"] for r in xlsform.survey_rows()]
    assert names.index("consent") < names.index("consent_given") < names.index("setting")
    assert any("consent" in n for n in names if n not in ("consent",))
    for field in ("setting", "area", "age_band", "sex", "what_helps", "gets_in_the_way",
                  "would_make_work", "account_text", "content_note", "researcher"):
        assert f"/{field}" in xform
    assert "hostel" in xform and "E09000012" in xform  # allowed values from the contract


KOBO_HEADINGS = ["start", "end", "consent/purpose_explained", "consent/anonymous_quotes",
                 "consent/withdrawal_explained", "consent/consent_given",
                 "consent/withdraw_until", "reference", "account/collected_on",
                 "account/researcher", "account/setting", "account/area", "account/age_band",
                 "account/sex", "account/mode", "account/what_helps", "account/gets_in_the_way",
                 "account/would_make_work", "account/account_text", "account/content_note",
                 "account/content_note_text", "meta/instanceID", "_id", "_uuid",
                 "_submission_time", "_validation_status", "_notes", "_status",
                 "_submitted_by", "__version__", "_tags", "_index"]


def kobo_row(reference: str, consent: str = "yes", **changes: str) -> list[str]:
    today = date.today()
    row = {"start": f"{today}T09:00:00.000+01:00", "end": f"{today}T09:30:00.000+01:00",
           "consent/purpose_explained": "yes", "consent/anonymous_quotes": "Yes",
           "consent/withdrawal_explained": "yes", "consent/consent_given": consent,
           "consent/withdraw_until": str(today + timedelta(days=60)), "reference": reference,
           "account/collected_on": str(today), "account/researcher": "PR-03",
           "account/setting": "Hostel", "account/area": "NEL", "account/age_band": "25-34",
           "account/sex": "", "account/mode": "questions",
           "account/what_helps": "A worker called Sarah Jenkins on 07700 900123.",
           "account/gets_in_the_way": "Nowhere to live.", "account/would_make_work": "",
           "account/account_text": "", "account/content_note": "no",
           "account/content_note_text": "", "meta/instanceID": "uuid:1b9e6a1c",
           "_id": "48213", "_uuid": "1b9e6a1c-0d5e-4c1a-9d7a-0c2f1e3b4a5d",
           "_submission_time": f"{today}T17:45:02", "_validation_status": "",
           "_notes": "[]", "_status": "submitted_via_web", "_submitted_by": "",
           "__version__": "vQ4a", "_tags": "[]", "_index": "1"} | changes
    return [row[h] for h in KOBO_HEADINGS]


def test_a_kobo_style_export_imports_and_refuses_submissions_without_consent(store, tmp_path
                                                                              ) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(KOBO_HEADINGS)
    writer.writerow(kobo_row("LV-AAAAAA"))
    writer.writerow(kobo_row("LV-CCCCCC", consent="no"))
    writer.writerow(kobo_row("LV-DDDDDD", **{"account/mode": "free_text",
                                            "account/account_text": "Born 12/03/1985."}))
    path = tmp_path / "kobo.csv"
    path.write_text(out.getvalue())
    assert cli.main(["--db", str(store.path), "import", "--from", str(path)]) == 0
    stored = {a["reference"]: a for a in service.records(store, "account")}
    assert set(stored) == {"LV-AAAAAA", "LV-DDDDDD"}
    assert stored["LV-AAAAAA"]["what_helps"] == "A worker called [name] on [phone]."
    assert stored["LV-AAAAAA"]["setting"] == "hostel" and stored["LV-AAAAAA"]["source"] == \
        "xlsform"
    assert stored["LV-DDDDDD"]["account_text"] == "Born [date of birth]."
    bodies = " ".join(Records(store).versions()["body"].to_list())
    assert "1b9e6a1c" not in bodies and "LV-CCCCCC" not in bodies
    again = importer.import_submissions(store, path.read_bytes(), "kobo.csv", COORD)
    assert (len(again.imported), again.refused_no_consent, again.already_present) == (0, 1, 2)
    service.withdraw(store, "LV-AAAAAA", COORD)
    third = importer.import_submissions(store, path.read_bytes(), "kobo.csv", COORD)
    assert third.imported == [] and third.already_present == 2  # a withdrawal stays withdrawn


def test_an_xlsx_export_with_plain_column_names_imports(store, tmp_path) -> None:
    plain = [h.rsplit("/", 1)[-1] for h in KOBO_HEADINGS]
    frame = pl.DataFrame([kobo_row("LV-EEEEEE")], schema=plain, orient="row")
    path = tmp_path / "odk.xlsx"
    frame.write_excel(path)
    summary = importer.import_submissions(store, path.read_bytes(), path.name, COORD)
    assert summary.imported == ["LV-EEEEEE"], summary.rejected


def test_the_samples_load_once_and_never_over_real_entries(store) -> None:
    from dashboard.peer_research import samples

    folder = Path(__file__).resolve().parent.parent / "data_samples" / "peer_research"
    service.capture(store, CONSENT, account(), RESEARCHER)
    assert "not loaded" in samples.seed(store, folder)
    assert len(service.records(store, "account")) == 1


def test_the_workflow_runs_on_postgresql(postgres_url, tmp_path) -> None:
    opened = AppStore(postgres_url)
    try:
        codebook(opened)
        for i in range(5):
            approved(opened, f"Account {i}: the worker met me.", "prison", ["T02"],
                     quote="the worker met me")
        reference, _ = approved(opened, "Call me on 07700 900123, the worker met me.",
                                "prison", ["T02"], quote="the worker met me")
        assert "07700" not in " ".join(Records(opened).versions()["body"].to_list())
        assert export.build(opened).quotes.height == 6
        assert service.withdraw(opened, reference, COORD) == 4  # consent, account, coding, quote
        assert export.build(opened).accounts == 5
        gone = Records(opened).versions().filter(pl.col("account_ref") == reference)
        assert gone["body"].null_count() == gone.height > 0
    finally:
        opened.close()


def test_a_backup_restores_into_a_new_store_but_never_brings_a_withdrawal_back(store,
                                                                               tmp_path) -> None:
    codebook(store)
    kept, _ = approved(store, "Kept words.", "prison", ["T01"])
    gone, _ = approved(store, "Words to withdraw.", "prison", ["T01"])
    assert cli.main(["--db", str(store.path), "backup", "--out", str(tmp_path / "b")]) == 0
    entries, audit = store.export_csv()  # the store's own backup holds the records' audit rows
    fresh = AppStore(tmp_path / "fresh.duckdb")
    try:
        assert not fresh.import_csv(entries, ADMIN_ACTOR, audit).rejected
    finally:
        fresh.close()
    service.withdraw(store, gone, COORD)
    store.close()
    assert cli.main(["--db", str(store.path), "restore", "--from", str(tmp_path / "b")]) == 0
    reopened = AppStore(store.path)
    try:
        texts = [a["account_text"] for a in service.records(reopened, "account")]
        assert texts == ["Kept words."]
        bodies = " ".join(Records(reopened).versions()["body"].drop_nulls().to_list())
        assert "Words to withdraw" not in bodies
    finally:
        reopened.close()
    other = tmp_path / "other.duckdb"
    assert cli.main(["--db", str(other), "restore", "--from", str(tmp_path / "b")]) == 0
    restored = AppStore(other)
    try:
        assert len(service.records(restored, "account")) == 2 and kept
    finally:
        restored.close()
