"""Every entry is checked by the same contract as the extracts: values are turned into text and
staged by pipelines.validate.stage exactly as an extract row would be, plus the app's own rule
(no dates in the future)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import polars as pl

from dashboard.store.model import (
    CONTRACT_BY_KIND,
    DATE_FIELD,
    KIND_TITLES,
    EntryRejected,
    Problem,
)
from pipelines.definitions.contracts import Contract
from pipelines.definitions.reference import LONDON_CODE
from pipelines.ingest import FILE_COLUMN, FORMAT_COLUMN, ROW_COLUMN
from pipelines.validate import stage


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _landed(contract: Contract, rows: list[Mapping[str, object]], rows_numbers: list[int]
            ) -> pl.DataFrame:
    """Rows as pipelines.ingest would land them: every value text, with file and row."""
    columns = {name: [as_text(r.get(name)) for r in rows] for name in contract.column_names}
    frame = pl.DataFrame(columns, schema={name: pl.String for name in contract.column_names})
    return frame.with_columns(
        pl.lit("app").alias(FILE_COLUMN),
        pl.Series(ROW_COLUMN, rows_numbers, dtype=pl.Int64),
        pl.lit("form").alias(FORMAT_COLUMN),
    )


def _extra_problems(kind: str, row: Mapping[str, object], today: date) -> list[Problem]:
    """Rules the app adds for typed-in entries: no dates in the future. (The length of text is
    a contract rule, checked with the rest of the contract.)"""
    problems = []
    on = row.get(DATE_FIELD[kind])
    if isinstance(on, date) and on > today + timedelta(days=1):
        problems.append(Problem(DATE_FIELD[kind], f"{DATE_FIELD[kind]} is in the future"))
    return problems


def validate_rows(kind: str, rows: list[Mapping[str, object]], row_numbers: list[int] | None = None
                  ) -> tuple[list[dict[str, object] | None], list[list[Problem]]]:
    """Each row's typed contract fields (None where rejected) and its problems, by the contract.

    Values may be text or Python values (dates, numbers); they are turned into text and cast by
    pipelines.validate.stage exactly as an extract would be.
    """
    if kind not in CONTRACT_BY_KIND:
        raise ValueError(f"unknown kind {kind!r}: use 'update' or 'review'")
    contract = CONTRACT_BY_KIND[kind]
    numbers = row_numbers or list(range(1, len(rows) + 1))
    # The store keeps scopes as codes; London's code is given to the contract as 'london'.
    keyed = [{**row, contract.key: f"row-{n}",
              "scope": "london" if as_text(row.get("scope")) == LONDON_CODE else row.get("scope")}
             for row, n in zip(rows, numbers, strict=True)]
    staged = stage(contract, _landed(contract, keyed, numbers))
    problems: dict[int, list[Problem]] = {n: [] for n in numbers}
    for reject in staged.rejects.iter_rows(named=True):
        if reject["column"] == contract.key:
            continue  # the id is the store's, not the person's
        problems[reject["row"]].append(Problem(reject["column"], reject["reason"]))
    good = {r[ROW_COLUMN]: {name: r[name] for name in contract.column_names if name != contract.key}
            for r in staged.good.iter_rows(named=True)}
    today = datetime.now(UTC).date()
    typed: list[dict[str, object] | None] = []
    for n in numbers:
        row = good.get(n)
        if row is not None:
            problems[n].extend(_extra_problems(kind, row, today))
        typed.append(row if row is not None and not problems[n] else None)
    return typed, [problems[n] for n in numbers]


def validate(kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """One entry's typed fields, or EntryRejected naming every field that breaks the contract."""
    contract = CONTRACT_BY_KIND.get(kind)
    if contract is None:
        raise ValueError(f"unknown kind {kind!r}: use 'update' or 'review'")
    allowed = set(contract.column_names) - {contract.key}
    unknown = sorted(set(values) - allowed - {contract.key})
    typed, problems = validate_rows(kind, [values])
    found = [Problem(name, f"{name} is not a field of a {KIND_TITLES[kind]}") for name in unknown]
    found += problems[0]
    if found or typed[0] is None:
        raise EntryRejected(kind, found)
    return typed[0]
