"""Staging: cast landed text to typed columns by the contracts, and reject what breaks them.

Every rule of a contract becomes a Polars expression here, so validation of a million rows is a
handful of vectorised passes. A row that breaks a rule is rejected, not dropped: it is reported
with its file, row, column and a plain-English reason (never its values). Exact duplicate rows
(equal in every column once read: 'BAI' and 'HMP Belmarsh', an XLSX date cell and the same date
as text) are kept once and counted; different rows sharing one id are all rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines import reference
from pipelines.contracts import Column, Contract, RowRule
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
_INVALID_RAW = "_invalid_raw_"  # prefix: the raw text of a value that did not parse, else null
_TIME_SUFFIX = r"[ T]00:00(:00(\.0+)?)?$"


@dataclass
class Staged:
    """One extract after staging."""

    contract: Contract
    good: pl.DataFrame  # typed contract columns, plus _file and _row
    rejects: pl.DataFrame  # REJECT_SCHEMA, one row per broken rule
    per_file: pl.DataFrame  # path, rows_read, rows_loaded, rows_rejected, duplicates


def _text(name: str) -> pl.Expr:
    """The raw value, trimmed, with empty text as null."""
    trimmed = pl.col(name).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed).alias(name)


def _lookup(values: pl.Series, normalise: Callable[[str], str | None]) -> dict[str, str | None]:
    return {v: normalise(v) for v in values.drop_nulls().unique().to_list()}


def _mapped(name: str, frame: pl.DataFrame, normalise: Callable[[str], str | None]) -> pl.Expr:
    """Map distinct values through a Python normaliser once each (few distinct, many rows)."""
    mapping = _lookup(frame.get_column(name), normalise)
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


def _typed(column: Column, frame: pl.DataFrame) -> tuple[pl.Expr, str]:
    """Typed value expression (null where invalid) and the reason given when it is invalid."""
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
            number = pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False)
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
    return pl.col(name).is_not_null() | pl.col(f"{_INVALID_RAW}{name}").is_not_null()


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


def stage(contract: Contract, landed: pl.DataFrame, cutoff: date | None = None) -> Staged:
    """Cast, validate and de-duplicate one extract (all its files together)."""
    frame = landed.with_columns(_text(name) for name in contract.column_names)

    typed_exprs: list[pl.Expr] = []
    invalid_raw_exprs: list[pl.Expr] = []
    error_exprs: list[pl.Expr] = []
    for column in contract.columns:
        value, reason = _typed(column, frame)
        raw_present = pl.col(column.name).is_not_null()
        bad_value = raw_present & value.is_null()
        missing = ~raw_present if column.required else pl.lit(False)
        error_exprs.append(
            pl.when(missing).then(pl.lit(f"{column.name}\t{column.name} is empty"))
            .when(bad_value).then(pl.lit(f"{column.name}\t{reason}"))
            .otherwise(None)
        )
        if column.minimum is not None or column.maximum is not None:
            error_exprs.append(
                pl.when(value.is_not_null() & ~_in_range(column, value))
                .then(pl.lit(f"{column.name}\t{reason}"))
                .otherwise(None)
            )
        typed_exprs.append(value.alias(column.name))
        invalid_raw_exprs.append(
            pl.when(value.is_null()).then(pl.col(column.name))
            .alias(f"{_INVALID_RAW}{column.name}")
        )

    typed = frame.select(
        pl.col(FILE_COLUMN),
        pl.col(ROW_COLUMN),
        pl.concat_list(error_exprs).list.drop_nulls().alias(_ERRORS),
        *typed_exprs,
        *invalid_raw_exprs,
    )
    # Exact duplicates, within or across files: the same value in every contract column once
    # read (so an XLSX date cell and the same date typed in a CSV match, as do 'BAI' and
    # 'HMP Belmarsh'); a value that did not parse is compared as the text the file gave.
    invalid_raw = [f"{_INVALID_RAW}{name}" for name in contract.column_names]
    typed = typed.with_columns(
        (~pl.struct(*contract.column_names, *invalid_raw).is_first_distinct()).alias(_DUPLICATE)
    )
    rule_errors = [
        pl.when(_row_rule_broken(rule, cutoff)).then(pl.lit(f"{rule.column}\t{rule.reason}"))
        for rule in contract.row_rules
    ]
    if rule_errors:
        typed = typed.with_columns(
            pl.concat_list(pl.col(_ERRORS), *rule_errors).list.drop_nulls().alias(_ERRORS)
        )
    typed = typed.drop(invalid_raw)
    if contract.key:
        conflict = (
            (pl.len().over(contract.key) > 1) & pl.col(contract.key).is_not_null()
        )
        message = (
            f"{contract.key}\t{contract.key} is on more than one row with different values; "
            "all of them are rejected"
        )
        unique_rows = typed.filter(~pl.col(_DUPLICATE)).with_columns(
            pl.when(conflict)
            .then(pl.col(_ERRORS).list.concat(pl.lit([message])))
            .otherwise(pl.col(_ERRORS))
            .alias(_ERRORS)
        )
        typed = pl.concat([unique_rows, typed.filter(pl.col(_DUPLICATE))])

    is_rejected = (pl.col(_ERRORS).list.len() > 0) & ~pl.col(_DUPLICATE)
    rejects = (
        typed.filter(is_rejected)
        .select(FILE_COLUMN, ROW_COLUMN, pl.col(_ERRORS).alias("error"))
        .explode("error")
        .select(
            pl.lit(contract.name).alias("extract"),
            pl.col(FILE_COLUMN).alias("path"),
            pl.col(ROW_COLUMN).alias("row"),
            pl.col("error").str.split_exact("\t", 1).struct.field("field_0").alias("column"),
            pl.col("error").str.split_exact("\t", 1).struct.field("field_1").alias("reason"),
        )
        .sort("path", "row", "column")
    )
    per_file = (
        typed.group_by(pl.col(FILE_COLUMN).alias("path"))
        .agg(
            pl.len().alias("rows_read"),
            (~pl.col(_DUPLICATE) & (pl.col(_ERRORS).list.len() == 0)).sum().alias("rows_loaded"),
            is_rejected.sum().alias("rows_rejected"),
            pl.col(_DUPLICATE).sum().alias("duplicates"),
        )
        .with_columns(pl.col(c).cast(pl.Int64) for c in ("rows_read", "rows_loaded",
                                                           "rows_rejected", "duplicates"))
        .sort("path")
    )
    good = typed.filter(~pl.col(_DUPLICATE) & (pl.col(_ERRORS).list.len() == 0)).select(
        *contract.column_names, FILE_COLUMN, ROW_COLUMN
    ).sort(FILE_COLUMN, ROW_COLUMN)
    return Staged(contract, good, rejects.cast(REJECT_SCHEMA), per_file)


def latest_date(frames: list[tuple[pl.DataFrame, tuple[str, ...]]]) -> date | None:
    """The latest valid date in the given columns: the data cut-off when none is set (§3)."""
    latest: date | None = None
    for frame, columns in frames:
        for name in columns:
            value = frame.get_column(name).max()
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest
