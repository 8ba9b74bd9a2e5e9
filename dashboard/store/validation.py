"""Every entry is checked by the same contract as the extracts, through the pipeline's one public
validation function (pipelines.validate.validate_records), plus the app's own rule (no dates in
the future)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from dashboard.store.model import (
    CONTRACT_BY_KIND,
    DATE_FIELD,
    KIND_TITLES,
    RECOMMENDATION_FOR_KIND,
    EntryRejected,
    Problem,
)
from pipelines.definitions.published import LONDON
from pipelines.definitions.reference import LONDON_CODE
from pipelines.validate import validate_records


def _extra_problems(kind: str, row: Mapping[str, object], today: date) -> list[Problem]:
    """Rules the app adds for typed-in entries: no dates in the future, and a kind tied to one
    recommendation (the Recovery Audit to R7, EbE training to R8) names it. (The length of text
    is a contract rule, checked with the rest of the contract.)"""
    problems = []
    on = row.get(DATE_FIELD[kind])
    if isinstance(on, date) and on > today + timedelta(days=1):
        problems.append(Problem(DATE_FIELD[kind], f"{DATE_FIELD[kind]} is in the future"))
    wanted = RECOMMENDATION_FOR_KIND.get(kind)
    if wanted is not None and row.get("recommendation_id") != wanted:
        problems.append(Problem("recommendation_id", f"a {KIND_TITLES[kind]} belongs to "
                                                     f"{wanted}"))
    return problems


def validate_rows(kind: str, rows: list[Mapping[str, object]], row_numbers: list[int] | None = None
                  ) -> tuple[list[dict[str, object] | None], list[list[Problem]]]:
    """Each row's typed contract fields (None where rejected) and its problems, by the contract.

    Values may be text or Python values (dates, numbers); they are turned into text and cast
    exactly as an extract would be.
    """
    if kind not in CONTRACT_BY_KIND:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(CONTRACT_BY_KIND)}")
    contract = CONTRACT_BY_KIND[kind]
    numbers = row_numbers or list(range(1, len(rows) + 1))
    # The store keeps scopes as codes; London's code is given to the contract as 'london'.
    keyed = [{**row, contract.key: f"row-{n}",
              "scope": LONDON if row.get("scope") == LONDON_CODE else row.get("scope")}
             for row, n in zip(rows, numbers, strict=True)]
    checks = validate_records(contract, keyed, source="app")
    problems = {n: [Problem(column, reason) for column, reason in check.problems
                    if column != contract.key]  # the id is the store's, not the person's
                for n, check in zip(numbers, checks, strict=True)}
    good = {n: {name: value for name, value in check.values.items() if name != contract.key}
            for n, check in zip(numbers, checks, strict=True) if check.values is not None}
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
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(CONTRACT_BY_KIND)}")
    allowed = set(contract.column_names) - {contract.key}
    unknown = sorted(set(values) - allowed - {contract.key})
    typed, problems = validate_rows(kind, [values])
    found = [Problem(name, f"{name} is not a field of a {KIND_TITLES[kind]}") for name in unknown]
    found += problems[0]
    if found or typed[0] is None:
        raise EntryRejected(kind, found)
    return typed[0]
