"""Shared helpers for the load-pipeline tests: small valid rows for every contract, and plain
functions that write them as CSV, XLSX or Parquet extracts, stage them in memory, or run the
command line in a subprocess.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from pipelines.definitions.contracts import CONTRACT_BY_NAME, Contract
from pipelines.ingest import FILE_COLUMN, FORMAT_COLUMN, ROW_COLUMN
from pipelines.validate import Staged, stage

PROJECT = Path(__file__).resolve().parent.parent

VALID_ROWS: dict[str, dict[str, str]] = {
    "prison_releases": {
        "release_id": "R1",
        "person_id": "P1",
        "prison": "BAI",
        "reception_date": "2023-01-10",
        "release_date": "2023-06-01",
        "release_type": "licence",
        "sex": "male",
        "age": "35",
        "substance_group": "opiate",
        "residence_la": "E09000001",
        "accommodation_on_release": "settled",
        "referred_to_community": "yes",
        "pre_release_contact": "no",
        "informed_at_reception": "true",
        "completed_programme": "false",
        "peer_mentor": "n",
        "release_budget_gbp": "",
        "met_at_gate_by_peer": "0",
    },
    "community_episodes": {
        "episode_id": "E1",
        "person_id": "P1",
        "la": "E09000001",
        "referral_source": "prison",
        "setting": "community",
        "start_date": "2023-06-10",
        "end_date": "",
        "exit_reason": "",
    },
    "recommendation_updates": {
        "update_id": "U1",
        "recommendation_id": "R1",
        "scope": "london",
        "reported_on": "2024-01-01",
        "status": "planning",
        "rag": "amber",
        "milestone": "",
        "next_step": "",
        "owner": "GLA",
        "evidence": "",
    },
    "ebe_reviews": {
        "review_id": "V1",
        "recommendation_id": "R4",
        "scope": "london",
        "reviewed_on": "2024-02-01",
        "panel": "Panel A",
        "rating": "3",
        "comment": "",
    },
    "lived_experience_feedback": {
        "feedback_id": "F1",
        "event_id": "EV1",
        "event_date": "2023-11-01",
        "setting": "prison",
        "location": "HMP Belmarsh",
        "question_no": "3",
        "theme": "housing",
        "recommendation_id": "",
        "sentiment": "worked_well",
        "quote": "",
    },
    "services": {
        "service_id": "S1",
        "name": "Camden hub",
        "la": "Camden",
        "kind": "one_stop_shop",
        "drop_in": "yes",
        "women_only": "no",
        "paid_peer_support_fte": "1.5",
        "opened_on": "2020-01-01",
        "closed_on": "",
    },
    "comparators": {  # contract column names; the file's headings are Fingertips'
        "indicator_id": "93588",
        "indicator_name": "Continuity of care",
        "area_code": "E92000001",
        "area_name": "England",
        "time_period": "2023/24",
        "value": "53.0",
        "lower_ci_95": "52.1",
        "upper_ci_95": "53.9",
        "count": "10600",
        "denominator": "20000",
        "value_note": "",
    },
}


def row(extract: str, **values: object) -> dict[str, object]:
    """A valid row of `extract` with some values replaced."""
    unknown = set(values) - set(VALID_ROWS[extract])
    assert not unknown, f"not columns of {extract}: {unknown}"
    return {**VALID_ROWS[extract], **values}


def release(n: int | str = 1, **values: object) -> dict[str, object]:
    """A valid prison_releases row with release_id R<n> and person_id P<n>."""
    return row("prison_releases", **({"release_id": f"R{n}", "person_id": f"P{n}"} | values))


def episode(n: int | str = 1, **values: object) -> dict[str, object]:
    """A valid community_episodes row with episode_id E<n> and person_id P<n>."""
    return row("community_episodes", **({"episode_id": f"E{n}", "person_id": f"P{n}"} | values))


# ---------------------------------------------------------------------------------------------
# Staging in memory (no files): the frame `pipelines.ingest.land` would have produced.


def landed_frame(contract: Contract, rows: list[dict[str, object]], path: str = "x.csv",
                 fmt: str = "csv") -> pl.DataFrame:
    columns = {
        name: [None if r.get(name) is None else str(r[name]) for r in rows]
        for name in contract.column_names
    }
    return pl.DataFrame(columns, schema={n: pl.String for n in contract.column_names}).with_columns(
        pl.lit(path).alias(FILE_COLUMN),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW_COLUMN),
        pl.lit(fmt).alias(FORMAT_COLUMN),
    )


def stage_rows(extract: str, rows: list[dict[str, object]], cutoff: date | None = None) -> Staged:
    contract = CONTRACT_BY_NAME[extract]
    return stage(contract, landed_frame(contract, rows), cutoff)


def rejects_of(staged: Staged) -> list[tuple[int, str, str]]:
    """(row, column, reason) of every reject, in order."""
    return [(r["row"], r["column"], r["reason"]) for r in staged.rejects.iter_rows(named=True)]


def counts_of(staged: Staged) -> dict[str, int]:
    """rows_read, rows_loaded, rows_rejected and duplicates summed over the files."""
    return {c: int(staged.per_file.get_column(c).sum())
            for c in ("rows_read", "rows_loaded", "rows_rejected", "duplicates")}


# ---------------------------------------------------------------------------------------------
# Writing extract files.


def _table(rows: list[dict[str, object]], headings: dict[str, str] | None) -> tuple[list, list]:
    names = list(rows[0]) if rows else []
    headers = [(headings or {}).get(n, n) for n in names]
    return names, headers


def write_csv(path: Path, rows: list[dict[str, object]], *, headings: dict[str, str] | None = None,
              bom: bool = False) -> Path:
    """A CSV of string cells; `headings` renames columns as written (e.g. ' Release_ID '; two
    columns may be given the same heading)."""
    names, headers = _table(rows, headings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([["" if r.get(n) is None else str(r[n]) for n in names] for r in rows])
    return path


def write_xlsx(path: Path, rows: list[dict[str, object]], *,
               headings: dict[str, str] | None = None, blank_rows_after: tuple[int, ...] = ()
               ) -> Path:
    """An XLSX sheet: dates and datetimes become real date cells, ints and floats numbers, bools
    boolean cells, strings text. `blank_rows_after` leaves an empty sheet row after those data
    rows (0-based)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(path)
    _write_sheet(book, "data", rows, headings, blank_rows_after)
    book.close()
    return path


def write_xlsx_sheets(path: Path, sheets: dict[str, list[dict[str, object]] | list[list[str]]]
                      ) -> Path:
    """A workbook of several sheets: each is a list of rows (dicts, written as `write_xlsx`
    does) or a list of plain text lines (a cover or notes sheet; empty for an empty sheet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        if rows and isinstance(rows[0], dict):
            _write_sheet(book, name, rows, None, ())
        else:
            sheet = book.add_worksheet(name)
            for i, line in enumerate(rows):
                sheet.write_row(i, 0, line)
    book.close()
    return path


def _write_sheet(book: xlsxwriter.Workbook, name: str, rows: list[dict[str, object]],
                 headings: dict[str, str] | None, blank_rows_after: tuple[int, ...]) -> None:
    names, headers = _table(rows, headings)
    sheet = book.add_worksheet(name)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, headers)
    sheet_row = 1
    for i, r in enumerate(rows):
        for col, column in enumerate(names):
            value = r.get(column)
            if value is None or value == "":
                continue
            if isinstance(value, datetime | date):
                if not isinstance(value, datetime):
                    value = datetime(value.year, value.month, value.day)
                sheet.write_datetime(sheet_row, col, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(sheet_row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(sheet_row, col, value)
            else:
                sheet.write_string(sheet_row, col, str(value))
        sheet_row += 2 if i in blank_rows_after else 1


def write_parquet(path: Path, frame: pl.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    return path


def make_source(folder: Path, releases: list[dict[str, object]] | None = None,
                episodes: list[dict[str, object]] | None = None) -> Path:
    """A source folder holding prison_releases.csv and community_episodes.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "prison_releases.csv", releases or [release(1), release(2)])
    write_csv(folder / "community_episodes.csv", episodes or [episode(1), episode(2)])
    return folder


# ---------------------------------------------------------------------------------------------
# The warehouse and the command line.


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of a query on a warehouse opened read-only (through Arrow: no pytz needed for
    timestamps with a time zone)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl().rows()


def query_frame(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def table_names(warehouse: Path) -> set[str]:
    return {r[0] for r in query(warehouse, "select table_name from duckdb_tables()")}


# `EXTRA` is Python run before the command line (e.g. to slow a build down).
_CLI = textwrap.dedent("""
    import sys
    {extra}
    from pipelines.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def cli_command(args: list[str], extra: str = "") -> list[str]:
    return [sys.executable, "-c", _CLI.format(extra=extra), *args]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_cli(args: list[str], extra: str = "", timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    """`python -m pipelines ARGS` in a subprocess, from the project folder."""
    return subprocess.run(cli_command(args, extra), cwd=PROJECT, env=cli_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


KPI_ROW_SCHEMA = {
    "kpi_id": pl.String, "period": pl.String, "period_type": pl.String,
    "period_start": pl.Date, "area_type": pl.String, "area_code": pl.String,
    "area_name": pl.String, "breakdown": pl.String, "category": pl.String,
    "numerator": pl.Int64, "denominator": pl.Int64, "value": pl.Float64,
    "lower_95": pl.Float64, "upper_95": pl.Float64, "status": pl.String, "note": pl.String,
    "compared_to_london": pl.String, "compared_to_england": pl.String, "trend": pl.String,
    "available_from": pl.Date,
}


def kpi_rows(defaults: dict, *overrides: dict) -> pl.DataFrame:
    """kpi_values-shaped London rows for summary functions: defaults with each row's changes."""
    base = {"period_type": "year", "area_type": "london", "area_code": "E12000007",
            "area_name": "London", "breakdown": "all", "category": "all",
            "denominator": 1000, "lower_95": None, "upper_95": None, "status": "published",
            "note": None, "compared_to_london": None, "compared_to_england": None,
            "trend": None, "available_from": None}
    return pl.DataFrame([base | defaults | row for row in overrides], schema=KPI_ROW_SCHEMA)


def chart_title(spec: dict) -> str:
    """A Vega-Lite spec's title as one line: pages wrap titles into lists of lines."""
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text
