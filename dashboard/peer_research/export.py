"""The export for OHID and the EbE group: findings only, from approved, de-identified accounts,
disclosure-controlled (dashboard.peer_research.findings) — never an account. CSV files and one
XLSX workbook, each labelled with what it is and the rules applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from dashboard.formatting import spreadsheet_safe
from dashboard.peer_research import coding, findings, service
from dashboard.peer_research.model import QUESTIONS
from dashboard.store import AppStore
from dashboard.store.backends import write_private
from pipelines.definitions.published import SUBREGION

SAMPLE_NOTE = "Synthetic sample data (not real accounts) unless this store holds real entries."
RULES_NOTE = (f"Counts are of accounts (people). Counts from 1 to 4 are shown as "
              f"'{findings.SUPPRESSED_MARK}' and further counts are hidden so none can be "
              "worked out by subtraction. Quotes are shown only from a theme and setting with at "
              f"least {findings.QUOTE_MIN_ACCOUNTS} accounts. Approved, de-identified accounts "
              "only; withdrawn accounts are removed.")


@dataclass(frozen=True)
class Findings:
    """Everything the findings view, the board pack and the export show."""

    accounts: int
    by_setting: pl.DataFrame
    by_subregion: pl.DataFrame
    by_recommendation: pl.DataFrame
    quotes: pl.DataFrame
    codebook: pl.DataFrame
    agreement: pl.DataFrame

    @property
    def would_make_work(self) -> pl.DataFrame:
        question = QUESTIONS["would_make_work"]
        return self.quotes.filter(pl.col("question") == question)


def build(store: AppStore) -> Findings:
    themes = service.codebook(store)
    coded = findings.coded_accounts(service.approved_accounts(store), service.codings(store))
    return Findings(
        accounts=coded.height,
        by_setting=findings.theme_table(coded, themes, "setting"),
        by_subregion=findings.theme_table(coded, themes, SUBREGION),
        by_recommendation=findings.recommendation_table(coded, themes),
        quotes=findings.quotable(coded, service.quotes(store)),
        codebook=themes.select("code", "name", "definition",
                               pl.col("links").list.join(", ")),
        agreement=coding.agreement(service.codings(store), themes["code"].to_list()),
    )


def tables(result: Findings) -> dict[str, pl.DataFrame]:
    """The export's tables by file stem (counts as text, hidden ones marked)."""
    return {stem: spreadsheet_safe(table) for stem, table in {
        "themes_by_setting": findings.display(result.by_setting),
        "themes_by_subregion": findings.display(result.by_subregion),
        "accounts_by_recommendation": findings.display(result.by_recommendation),
        "quotes": result.quotes.drop("quote_id"),
        "codebook": result.codebook,
        "coding_agreement": result.agreement,
    }.items()}


def write(store: AppStore, folder: Path, on: date | None = None) -> list[Path]:
    """Write every table as CSV and all of them as one XLSX, plus a README: the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    result = build(store)
    written = []
    for stem, table in tables(result).items():
        path = folder / f"lived_experience_{stem}.csv"
        write_private(path, table.write_csv().encode())
        written.append(path)
    workbook = folder / "lived_experience_findings.xlsx"
    import xlsxwriter

    with xlsxwriter.Workbook(str(workbook)) as book:
        notes = book.add_worksheet("About")
        for row, line in enumerate((
                "Lived experience voices: findings for OHID and the EbE group",
                f"Made {(on or date.today()).isoformat()} from {result.accounts} approved "
                "accounts.", RULES_NOTE, SAMPLE_NOTE)):
            notes.write_string(row, 0, line)
        for stem, table in tables(result).items():
            table.write_excel(book, worksheet=stem[:31])
    workbook.chmod(0o600)
    written.append(workbook)
    readme = folder / "README.txt"
    write_private(readme, (f"{RULES_NOTE}\n{SAMPLE_NOTE}\n").encode())
    written.append(readme)
    return written
