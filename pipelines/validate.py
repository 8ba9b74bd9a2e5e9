"""Staging: cast landed text to typed columns by the contracts, and reject what breaks them.

Every rule of a contract becomes a Polars expression here, so validation of a million rows is a
handful of vectorised passes. A column with few distinct values (landed as categories) is cast
and checked once per distinct value, and each row looks its result up; duplicates and id
conflicts are looked for only among rows whose id collides with another's.
A row that breaks a rule is rejected, not dropped: it is reported
with its file, row, column and a plain-English reason (never its values). Exact duplicate rows
(equal in every column once read: 'BAI' and 'HMP Belmarsh', an XLSX date cell and the same date
as text) are kept once and counted; different rows sharing one id are all rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.definitions import reference
from pipelines.definitions.contracts import Column, Contract, RowRule
from pipelines.ingest import FILE_COLUMN, FORMAT_COLUMN, ROW_COLUMN

REJECT_SCHEMA = {
    "extract": pl.String,
    "path": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "reason": pl.String,
}
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")
EXCEL_EPOCH = date(1899, 12, 30)
_ERRORS = "_errors"
_DUPLICATE = "_duplicate"
_GIVEN = "_given_"  # prefix: whether the file gave a value (valid or not) in a column
_BAD = "_bad"
_CONFLICT = "_conflict"
MAPPED_KINDS = ("london_la", "english_la", "prison", "scope", "location")
CHUNK_ROWS = 1_000_000
# Kinds with a few distinct values: kept as categories (4 bytes a row instead of a string).
CATEGORY_KINDS = ("code", "recommendation", *MAPPED_KINDS)
_TIME_SUFFIX = r"[ T]00:00(:00(\.0+)?)?$"
# A comma in a number only groups thousands: 1,500 and 12,345,678.5. Anything else (1,5 or
# 2.345,5, a decimal comma) is ambiguous and rejected rather than guessed.
_GROUPED_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"


@dataclass
class Staged:
    """One extract after staging."""

    contract: Contract
    good: pl.DataFrame  # typed contract columns, plus _file and _row
    rejects: pl.DataFrame  # REJECT_SCHEMA, one row per broken rule
    per_file: pl.DataFrame  # path, rows_read, rows_loaded, rows_rejected, duplicates


def _text(name: str) -> pl.Expr:
    """The raw value (text or categories), trimmed, with empty text as null."""
    trimmed = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed).alias(name)


def _lookup(values: pl.Series, normalise: Callable[[str], str | None]) -> dict[str, str | None]:
    return {v: normalise(v) for v in values.drop_nulls().unique().to_list()}


def _mapped(name: str, values: Mapping[str, pl.Series],
            normalise: Callable[[str], str | None]) -> pl.Expr:
    """Map distinct values through a Python normaliser once each (few distinct, many rows)."""
    mapping = _lookup(values[name], normalise)
    return pl.col(name).replace_strict(mapping, default=None, return_dtype=pl.String)


def _scope(value: str) -> str | None:
    if value.strip().lower() == "london":
        return reference.LONDON_CODE
    return reference.normalise_london_la(value) or reference.normalise_prison(value)


def _location(value: str) -> str | None:
    return reference.normalise_prison(value) or reference.normalise_london_la(value)


def _english_la_or(extra: tuple[str, ...]) -> Callable[[str], str | None]:
    extras = {v.lower(): v for v in extra}

    def normalise(value: str) -> str | None:
        return extras.get(value.strip().lower()) or reference.normalise_english_la(value)

    return normalise


def _parse_date(name: str) -> pl.Expr:
    text = pl.col(name).str.replace(_TIME_SUFFIX, "")
    iso = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    british = text.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    serial = (
        pl.when((pl.col(FORMAT_COLUMN) == "xlsx") & text.str.contains(r"^\d{1,6}(\.0+)?$"))
        .then(text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
        .otherwise(None)
    )
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    return pl.coalesce(iso, british, from_serial.cast(pl.Date))


def _typed(column: Column, frame: Mapping[str, pl.Series]) -> tuple[pl.Expr, str]:
    """Typed value expression (null where invalid) and the reason given when it is invalid.
    `frame` gives the column's (trimmed) values, for kinds mapped through a normaliser."""
    name = column.name
    lowered = pl.col(name).str.to_lowercase()
    match column.kind:
        case "id" | "text":
            return pl.col(name), f"{name} is empty"
        case "code":
            mapping = {v: v for v in column.allowed} | column.aliases
            expr = lowered.replace_strict(mapping, default=None, return_dtype=pl.String)
            return expr, f"{name} must be one of: {', '.join(column.allowed)}"
        case "date":
            return _parse_date(name), f"{name} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
        case "bool":
            expr = (
                pl.when(lowered.is_in(TRUE_WORDS)).then(True)
                .when(lowered.is_in(FALSE_WORDS)).then(False)
                .otherwise(None)
            )
            return expr, f"{name} must be true/false, yes/no, y/n or 1/0"
        case "int":
            expr = pl.col(name).str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
            return expr, f"{name} must be a whole number{_range_text(column)}"
        case "decimal":
            text = pl.when(_ambiguous_comma(name)).then(None).otherwise(pl.col(name))
            number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
            # "nan" and "inf" parse as floats but are not amounts: reject them.
            expr = pl.when(number.is_finite()).then(number).otherwise(None)
            return expr, f"{name} must be a number{_range_text(column)}"
        case "london_la":
            expr = _mapped(name, frame, reference.normalise_london_la)
            return expr, f"{name} is not a London local authority code or name"
        case "english_la":
            expr = _mapped(name, frame, _english_la_or(column.extra_values))
            allowed = " or ".join(f"'{v}'" for v in column.extra_values)
            extra = f", or {allowed}" if allowed else ""
            return expr, (
                f"{name} is not a London local authority or an English local authority code{extra}"
            )
        case "prison":
            expr = _mapped(name, frame, reference.normalise_prison)
            return expr, f"{name} is not a known prison code or name"
        case "recommendation":
            ids = {r.lower(): r for r in reference.RECOMMENDATION_IDS}
            expr = lowered.replace_strict(ids, default=None, return_dtype=pl.String)
            return expr, f"{name} must be one of: {', '.join(reference.RECOMMENDATION_IDS)}"
        case "scope":
            expr = _mapped(name, frame, _scope)
            return expr, f"{name} must be 'london', a London local authority or a prison"
        case "location":
            expr = _mapped(name, frame, _location)
            return expr, f"{name} must be a prison or a London local authority"
    raise ValueError(f"unknown column kind {column.kind!r}")


def _ambiguous_comma(name: str) -> pl.Expr:
    return pl.col(name).str.contains(",", literal=True) & \
        ~pl.col(name).str.contains(_GROUPED_THOUSANDS)


def _comma_reason(name: str) -> str:
    return (f"{name} has a comma that does not group thousands (write decimals with a point, "
            "e.g. 1.5)")


def _too_long(column: Column, value: pl.Expr) -> pl.Expr:
    return (value.str.len_chars() > column.max_chars).fill_null(False)


def _too_long_reason(column: Column) -> str:
    return f"{column.name} is longer than {column.max_chars:,} characters"


def _range_text(column: Column) -> str:
    if column.minimum is not None and column.maximum is not None:
        return f" from {column.minimum:g} to {column.maximum:g}"
    if column.minimum is not None:
        return f" of at least {column.minimum:g}"
    return ""


def _in_range(column: Column, value: pl.Expr) -> pl.Expr:
    ok = pl.lit(True)
    if column.minimum is not None:
        ok = ok & (value >= column.minimum)
    if column.maximum is not None:
        ok = ok & (value <= column.maximum)
    return ok


def _given(name: str) -> pl.Expr:
    """The file gave a value (valid or not) in this column."""
    return pl.col(f"{_GIVEN}{name}")


def _row_rule_broken(rule: RowRule, cutoff: date | None) -> pl.Expr:
    match rule.kind:
        case "not_before":
            earlier, later = rule.columns
            return pl.col(later).is_not_null() & (pl.col(later) < pl.col(earlier))
        case "empty_together":
            # On what the file gave, not on the parsed values: a mistyped end_date next to an
            # exit_reason is a bad date, not a missing one.
            first, second = rule.columns
            return _given(first) != _given(second)
        case "not_after_cutoff":
            if cutoff is None:
                return pl.lit(False)
            return pl.col(rule.columns[0]) > pl.lit(cutoff)
    raise ValueError(f"unknown row rule kind {rule.kind!r}")


def _column_checks(contract: Contract, values: Mapping[str, pl.Series],
                   columns: Sequence[Column] | None = None) \
        -> list[tuple[Column, pl.Expr, list[tuple[pl.Expr, str]]]]:
    """For each column (all, or those given): its typed value and the (broken-when, reason)
    checks on the raw text."""
    checks = []
    for column in contract.columns if columns is None else columns:
        value, reason = _typed(column, values)
        raw_present = pl.col(column.name).is_not_null()
        if column.kind == "decimal":
            comma = _ambiguous_comma(column.name)
            broken = [(raw_present & value.is_null() & ~comma, reason),
                      (comma, _comma_reason(column.name))]
        else:
            broken = [(raw_present & value.is_null(), reason)]
        if column.max_chars is not None:
            broken.append((_too_long(column, pl.col(column.name)), _too_long_reason(column)))
        if column.required:
            broken.append((~raw_present, f"{column.name} is empty"))
        if column.minimum is not None or column.maximum is not None:
            broken.append((value.is_not_null() & ~_in_range(column, value), reason))
        checks.append((column, value, broken))
    return checks


def _given_columns(contract: Contract) -> list[pl.Expr]:
    return [pl.col(name).is_not_null().alias(f"{_GIVEN}{name}")
            for name in _given_names(contract)]


def stage(contract: Contract, landed: pl.DataFrame | list[pl.DataFrame],
          cutoff: date | None = None) -> Staged:
    """Cast, validate and de-duplicate one extract (all its files together).

    One vectorised pass casts every column and flags each row (broken rule, exact duplicate,
    id conflict); the plain-English reasons are then worked out for the rejected rows only.
    `landed` may be handed over in a one-item list, which is emptied: then nothing else holds
    the landed text and it is freed as soon as it has been cast.
    """
    if isinstance(landed, list):
        landed = landed.pop()
    names = contract.column_names
    has_xlsx = landed.height > 0 and bool((landed.get_column(FORMAT_COLUMN) == "xlsx").any())
    present = {column.name: f"_present_{column.name}" for column in contract.columns}
    per_row: list[Column] = []  # cast value by value (ids and free text: nearly all distinct)
    casts: list[pl.Expr] = [pl.col(FILE_COLUMN), pl.col(ROW_COLUMN)]
    for column in contract.columns:
        # Columns with few distinct values (contracts.DISTINCT_KINDS) are cast once per distinct
        # value; a date column of ten million rows has a few thousand. Ids and text row by row.
        if not column.few_values or (column.kind == "date" and has_xlsx):
            per_row.append(column)
        else:
            casts.extend(_by_distinct_value(column, landed.get_column(column.name),
                                            present[column.name]))
    if per_row:
        values = {c.name: landed.select(_text(c.name)).get_column(c.name).unique()
                  for c in per_row if c.kind in MAPPED_KINDS}
        for column, value, _ in _column_checks(contract, values, per_row):
            casts.extend([_stored(column, value).alias(column.name),
                          pl.col(column.name).is_not_null().alias(present[column.name])])
    # Ids and text with nothing to trim are taken as they are: no copy of ten million values.
    to_trim = [column.name for column in per_row if not _trimmed_already(landed, column.name)]
    # Cast a slice of rows at a time, so the working memory of the cast stays small.
    typed = pl.concat([
        landed.slice(offset, CHUNK_ROWS).lazy()
        .with_columns(_text(name) for name in to_trim).select(casts).collect()
        for offset in range(0, max(landed.height, 1), CHUNK_ROWS)
    ], rechunk=False).select(
        FILE_COLUMN, ROW_COLUMN, *names, *present.values())
    # Checks again, now on the typed columns and the presence flags (cheap boolean work).
    broken = []
    for column in contract.columns:
        given, value = pl.col(present[column.name]), pl.col(column.name)
        broken.append(given & value.is_null())
        if column.required:
            broken.append(~given)
        if column.minimum is not None or column.maximum is not None:
            broken.append(value.is_not_null() & ~_in_range(column, value))
        if column.max_chars is not None:
            broken.append(_too_long(column, value))
    frame = typed.with_columns(
        pl.col(present[name]).alias(f"{_GIVEN}{name}") for name in _given_names(contract)
    ).with_columns(
        pl.any_horizontal(*broken, *[_row_rule_broken(rule, cutoff)
                                     for rule in contract.row_rules]).alias(_BAD),
    )
    bad = frame.get_column(_BAD)
    # Only rejected rows need their text again (for reasons and duplicates among them): keep
    # those and let the rest of the landed text go.
    raw_bad = landed.filter(bad).with_columns(pl.col(names).cast(pl.String))
    del landed
    duplicate, conflict = _duplicates_and_conflicts(contract, frame.select(names), raw_bad, bad)
    frame = frame.with_columns(duplicate.alias(_DUPLICATE), conflict.alias(_CONFLICT))

    rejected = (bad | conflict) & ~duplicate
    loaded = ~bad & ~conflict & ~duplicate
    per_file = (
        frame.select(FILE_COLUMN, _DUPLICATE, rejected.alias("_rejected"),
                     loaded.alias("_loaded"))
        .group_by(pl.col(FILE_COLUMN).cast(pl.String).alias("path"))
        .agg(
            pl.len().cast(pl.Int64).alias("rows_read"),
            pl.col("_loaded").sum().cast(pl.Int64).alias("rows_loaded"),
            pl.col("_rejected").sum().cast(pl.Int64).alias("rows_rejected"),
            pl.col(_DUPLICATE).sum().cast(pl.Int64).alias("duplicates"),
        )
        .sort("path")
    )
    columns = [*names, FILE_COLUMN, ROW_COLUMN]
    good = frame.select(columns) if loaded.all() else frame.filter(loaded).select(columns)
    # Reasons: every broken rule of the rejected rows that broke rules, worked out from their
    # text; rows rejected only for sharing an id with another row need just that reason.
    bad_kept = ~duplicate.filter(bad)
    rejects = pl.concat([
        _reasons(contract, raw_bad.filter(bad_kept),
                 conflict.filter(bad).filter(bad_kept), cutoff),
        _conflict_rejects(contract, frame.filter(conflict & ~bad & ~duplicate)),
    ]).sort("path", "row", "column")
    return Staged(contract, good, rejects, per_file)


def _trimmed_already(landed: pl.DataFrame, name: str) -> bool:
    """No value of the column has spaces around it or is empty: `_text` would change nothing."""
    if landed.schema[name] != pl.String:
        return False
    raw = pl.col(name)
    return not landed.select(
        ((raw.str.strip_chars() != raw) | (raw == "")).any()).item()


def _by_distinct_value(column: Column, raw: pl.Series, present: str) -> list[pl.Expr]:
    """The typed value and presence flag of a column with few distinct values (codes, dates,
    numbers, places): every rule is worked out once per distinct text, then each row looks its
    text up. The same expressions as the row-by-row cast, on far fewer values."""
    name = column.name
    distinct = raw.drop_nulls().unique()
    trimmed = pl.DataFrame({name: distinct.cast(pl.String)}).select(
        _text(name), pl.lit("csv").alias(FORMAT_COLUMN))
    value, _ = _typed(column, {name: trimmed.get_column(name).drop_nulls().unique()})
    looked_up = trimmed.select(_stored(column, value).alias(name)).get_column(name)
    if raw.dtype == pl.Categorical:  # look up by category number rather than by text
        typed = pl.col(name).to_physical().replace_strict(
            distinct.to_physical(), looked_up, default=None, return_dtype=looked_up.dtype)
    else:
        typed = pl.col(name).replace_strict(distinct, looked_up, default=None,
                                            return_dtype=looked_up.dtype)
    blank = distinct.filter(trimmed.get_column(name).is_null())
    given = pl.col(name).is_not_null()
    if blank.len():
        given = given & ~pl.col(name).is_in(blank.implode())
    return [typed.alias(name), given.alias(present)]


def _conflict_rejects(contract: Contract, rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        pl.lit(contract.name).alias("extract"),
        pl.col(FILE_COLUMN).cast(pl.String).alias("path"),
        pl.col(ROW_COLUMN).alias("row"),
        pl.lit(contract.key).alias("column"),
        pl.lit(_conflict_reason(contract)).alias("reason"),
    ).cast(REJECT_SCHEMA)


def _conflict_reason(contract: Contract) -> str:
    return (f"{contract.key} is on more than one row with different values; all of them are "
            "rejected")


def _stored(column: Column, value: pl.Expr) -> pl.Expr:
    return value.cast(pl.Categorical) if column.kind in CATEGORY_KINDS else value


def _given_names(contract: Contract) -> list[str]:
    return sorted({name for rule in contract.row_rules if rule.kind == "empty_together"
                   for name in rule.columns})


def _falses(name: str, height: int) -> pl.Series:
    """A new all-false column (scatter writes into it)."""
    return pl.repeat(False, height, dtype=pl.Boolean, eager=True).alias(name)


def _duplicates_and_conflicts(contract: Contract, typed: pl.DataFrame, raw_bad: pl.DataFrame,
                              bad: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(exact duplicate, id conflict) for every row. Both need an id on more than one row (an
    exact duplicate repeats its id too), so they are worked out only among the rows whose id
    collides with another's (a missing id counts as one value): usually none, or a few."""
    height = typed.height
    if not contract.key:
        duplicate = _duplicates(typed, raw_bad, bad)
        return duplicate, _falses(_CONFLICT, height)
    hashes = typed.get_column(contract.key).hash(7)
    if hashes.n_unique() == height:
        return _falses(_DUPLICATE, height), _falses(_CONFLICT, height)
    collides = hashes.is_duplicated()
    rows = collides.arg_true()
    duplicate = _duplicates(typed.filter(collides), raw_bad.filter(collides.filter(bad)),
                            bad.filter(collides))
    key = pl.col(contract.key)
    # Among rows that are not exact duplicates, an id on more than one row is a conflict.
    conflict = typed.filter(collides).with_columns(duplicate.alias(_DUPLICATE)).select(
        key.is_duplicated().over(_DUPLICATE) & ~pl.col(_DUPLICATE) & key.is_not_null()
    ).to_series()
    return (_falses(_DUPLICATE, height).scatter(rows, duplicate),
            _falses(_CONFLICT, height).scatter(rows, conflict))


def _duplicates(typed: pl.DataFrame, raw_bad: pl.DataFrame, bad: pl.Series) -> pl.Series:
    """Exact duplicates: a later row equal to an earlier one in every column once read (so 'BAI'
    matches 'HMP Belmarsh' and an XLSX date cell matches the same date as text). Rows with an
    invalid value (`raw_bad`, the text of the `bad` rows) are compared on the text the file
    gave, among themselves.

    A 64-bit hash finds candidate rows; candidates are then compared value by value, so a hash
    collision can never make two different rows duplicates.
    """
    hashes = typed.select(pl.struct(pl.all()).hash(7).alias("_hash")).get_column("_hash")
    candidate = hashes.is_duplicated() & ~bad
    duplicate = _falses(_DUPLICATE, typed.height)
    if candidate.any():
        exact = ~typed.filter(candidate).select(pl.struct(pl.all()).is_first_distinct()) \
            .to_series()
        duplicate = duplicate.scatter(candidate.arg_true(), exact)
    if bad.any():
        text = raw_bad.select(_text(name) for name in typed.columns)
        exact = ~text.select(pl.struct(pl.all()).is_first_distinct()).to_series()
        duplicate = duplicate.scatter(bad.arg_true(), exact)
    return duplicate


def _reasons(contract: Contract, rows: pl.DataFrame, conflicts: pl.Series,
             cutoff: date | None) -> pl.DataFrame:
    """One reject per broken rule of each rejected row: file, row, column and reason."""
    if rows.is_empty():
        return pl.DataFrame(schema=REJECT_SCHEMA)
    trimmed = rows.with_columns(_text(name) for name in contract.column_names)
    checks = _column_checks(contract, {name: trimmed.get_column(name)
                                       for name in contract.column_names})
    errors = [pl.when(broken).then(pl.lit(f"{column.name}\t{reason}"))
              for column, _, rules in checks for broken, reason in rules]
    typed = trimmed.select(
        FILE_COLUMN, ROW_COLUMN,
        pl.concat_list(errors).list.drop_nulls().alias(_ERRORS),
        *[value.alias(column.name) for column, value, _ in checks],
        *_given_columns(contract),
    ).with_columns(conflicts.alias(_CONFLICT))
    rule_errors = [
        pl.when(_row_rule_broken(rule, cutoff)).then(pl.lit(f"{rule.column}\t{rule.reason}"))
        for rule in contract.row_rules
    ]
    conflict_error = pl.when(pl.col(_CONFLICT)).then(pl.lit(
        f"{contract.key}\t{_conflict_reason(contract)}"))
    return (
        typed.select(
            FILE_COLUMN, ROW_COLUMN,
            pl.concat_list(pl.col(_ERRORS), *rule_errors, conflict_error).list.drop_nulls()
            .alias("error"),
        )
        .explode("error")
        .select(
            pl.lit(contract.name).alias("extract"),
            pl.col(FILE_COLUMN).cast(pl.String).alias("path"),
            pl.col(ROW_COLUMN).alias("row"),
            pl.col("error").str.split_exact("\t", 1).struct.field("field_0").alias("column"),
            pl.col("error").str.split_exact("\t", 1).struct.field("field_1").alias("reason"),
        )
        .sort("path", "row", "column")
        .cast(REJECT_SCHEMA)
    )


def latest_date(frames: list[tuple[pl.DataFrame, tuple[str, ...]]]) -> date | None:
    """The latest valid date in the given columns: the data cut-off when none is set (§3)."""
    latest: date | None = None
    for frame, columns in frames:
        for name in columns:
            value = frame.get_column(name).max()
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest
