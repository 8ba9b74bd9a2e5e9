"""Load the synthetic samples (data_samples/peer_research/lev_*_synthetic.csv) into a store
that has no Lived experience records yet, so `make run` shows the whole workflow. Never touches a
store that holds any (real entries are never overwritten; running it twice adds nothing).

The accounts come in through the same import as an ODK/Kobo export (so the planted identifiers
go through de-identification); all but the last three are approved, coded, partly second-coded
and quoted, as the coordinator would.
"""

from __future__ import annotations

import csv
from pathlib import Path

from dashboard.peer_research import importer, service
from dashboard.store import ADMIN, COORDINATOR, Actor, AppStore
from dashboard.store.records import Records

CODEBOOK_FILE = "lev_codebook_synthetic.csv"
ACCOUNTS_FILE = "lev_kobo_export_synthetic.csv"
CODINGS_FILE = "lev_codings_synthetic.csv"
QUOTES_FILE = "lev_quotes_synthetic.csv"
BACKUP_FILE = "peer_records.csv"
SAMPLE_ACTOR = Actor("sample:synthetic-coordinator", frozenset({COORDINATOR, ADMIN}),
                     "Synthetic samples")
LEFT_FOR_REVIEW = 3


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed(store: AppStore, folder: Path, actor: Actor = SAMPLE_ACTOR) -> str:
    """What was done, in a sentence."""
    if Records(store).versions().height:
        return "The app store already holds Lived experience records: samples not loaded."
    for row in _rows(folder / CODEBOOK_FILE):
        service.save_theme(store, {**row, "links": row["links"].split()}, actor)
    content = (folder / ACCOUNTS_FILE).read_bytes()
    summary = importer.import_submissions(store, content, ACCOUNTS_FILE, actor)
    by_reference = {a["reference"]: a["record_id"] for a in service.records(store, "account")}
    for reference in summary.imported[:-LEFT_FOR_REVIEW]:
        service.review(store, by_reference[reference], actor, "approved")
    approved = {a["reference"] for a in service.approved_accounts(store)}
    codings = [r for r in _rows(folder / CODINGS_FILE) if r["reference"] in approved]
    for row in codings:
        account_id = by_reference[row["reference"]]
        if row["pass"] == "second":
            assigned = {a["account_id"] for a in service.records(store, "assignment")}
            if account_id not in assigned:
                service.Records(store).write([service.Change(
                    service.KINDS["assignment"], {"account_id": account_id,
                                                  "second_coder": actor.identity},
                    account_ref=row["reference"])], actor)
        service.code_account(store, account_id, row["pass"], row["themes"].split(), actor)
    quotes = [r for r in _rows(folder / QUOTES_FILE) if r["reference"] in approved]
    for row in quotes:
        service.add_quote(store, by_reference[row["reference"]], row["source_field"],
                          row["text"], row["themes"].split(), actor)
    return (f"Loaded the synthetic samples: {len(summary.imported)} accounts "
            f"({summary.refused_no_consent} refused without consent), {len(codings)} codings, "
            f"{len(quotes)} quotes.")
