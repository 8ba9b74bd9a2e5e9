"""Ingestion: find the extract files in a source folder and land them exactly as read.

Every value is landed as text (never type-inferred); staging (pipelines.validate) casts it
explicitly. Columns with few distinct values (codes, dates, numbers, places: every kind but ids
and free text) land as categories, which hold the same text but store each distinct value once:
a CSV's are read straight into categories, so ten million rows never sit in memory as strings.
Each landed row keeps the file it came from and its row number as a spreadsheet
shows it (header row 1, first data row 2), so a rejected row can be found and fixed. Wholly
blank lines and sheet rows are skipped (they are not rows), without renumbering the others.

In a workbook every sheet with the extract's columns is read; sheets with none of them (a
cover, notes) are ignored and named. A Parquet time stamp with a time zone lands as its date in
London.

A file that cannot be read, lacks a required column, repeats a contract column's heading (even
in another case or with spaces), or has a sheet with only some of the columns, raises
`ExtractError` with one clear message naming the file: the build stops before touching the
warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.definitions.contracts import CONTRACTS, Column, Contract

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".parquet")
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"
FORMAT_COLUMN = "_format"
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet shows it
SHORT_CELL_BYTES = 4  # a blank row's cells are empty or a few spaces at most
LONDON_TIME_ZONE = "Europe/London"
SHEET_OPEN = " [sheet "  # a workbook part's name: "PATH [sheet NAME]"


class ExtractError(Exception):
    """An extract file that cannot be loaded at all. The message names the file."""


@dataclass
class LandedFile:
    extract: str
    path: Path
    frame: pl.DataFrame  # contract columns as text, plus _file, _row and _format
    ignored_columns: list[str] = field(default_factory=list)
    # The names its rows carry in _file (and in the report): the path, or for a workbook whose
    # rows come from several sheets, one per sheet (see `sheet_label`).
    parts: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # a workbook's sheets that were read
    ignored_sheets: list[str] = field(default_factory=list)  # ... and those without the columns

    @property
    def rows_read(self) -> int:
        return self.frame.height


def match_extract(path: Path) -> Contract | None:
    """The contract a file belongs to, by name prefix (e.g. community_episodes_2024q1.xlsx)."""
    stem = path.name.lower()
    # Longest name first, so a prefix of another extract's name cannot steal its files.
    for contract in sorted(CONTRACTS, key=lambda c: -len(c.name)):
        if stem.startswith(contract.name):
            return contract
    return None


def discover(source: Path) -> tuple[dict[str, list[Path]], list[Path]]:
    """Files in `source` grouped by extract, and the files that match no extract."""
    if not source.is_dir():
        raise ExtractError(f"{source}: the source folder does not exist")
    matched: dict[str, list[Path]] = {}
    unmatched: list[Path] = []
    for path in sorted(source.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        contract = match_extract(path)
        if contract is None or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                unmatched.append(path)
            continue
        matched.setdefault(contract.name, []).append(path)
    return matched, unmatched


@dataclass
class Sheet:
    """One table of a file: a CSV or Parquet file is one; a workbook has one per sheet."""

    name: str | None  # the sheet's name; None for CSV and Parquet
    frame: pl.DataFrame  # the data rows, every value as text, columns in file order
    headings: list[str]  # the header row exactly as the file has it, one per frame column


def _split_header(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """A frame read without a header: its first row as the headings, the rest as data. The
    readers rename repeated headings; reading the header as a row keeps it as the file has it."""
    if frame.height == 0:
        return frame, []
    headings = ["" if v is None else str(v) for v in frame.row(0)]
    return frame.slice(1), headings


def _read_sheets(path: Path, few_values: set[str]) -> list[Sheet]:
    """Every table of the file as text. In a CSV, the columns whose normalised heading is in
    `few_values` are read straight into categories (each distinct text stored once)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header = pl.read_csv(path, has_header=False, infer_schema=False, encoding="utf8",
                             raise_if_empty=False, n_rows=1)
        categories = {column: pl.Categorical for column, heading
                      in zip(header.columns, header.row(0) if header.height else (), strict=False)
                      if heading is not None and _normal(heading) in few_values}
        frame = pl.read_csv(path, has_header=False, infer_schema=False, encoding="utf8",
                            raise_if_empty=False, schema_overrides=categories or None)
        return [Sheet(None, *_split_header(frame))]
    if suffix == ".xlsx":
        # Every cell as text; real date cells arrive as Excel serial numbers, which staging
        # converts for date columns of XLSX files only.
        # Empty rows are kept here (and skipped in `land`), so row numbers stay the sheet's own.
        frames = pl.read_excel(path, sheet_id=0, engine="calamine", has_header=False,
                               infer_schema_length=0, drop_empty_rows=False,
                               raise_if_empty=False)
        return [Sheet(name, *_split_header(frame)) for name, frame in frames.items()]
    if suffix == ".parquet":
        frame = pl.read_parquet(path)
        return [Sheet(None, frame.select(_parquet_text(name, dtype)
                                         for name, dtype in frame.schema.items()),
                      list(frame.columns))]
    raise ExtractError(f"{path}: unsupported file type {suffix!r} (use CSV, XLSX or Parquet)")


def _parquet_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A Parquet column as text. A time stamp with a time zone is an instant: it lands as the
    date it fell on in London (23:30 UTC on a summer evening is already the next day there)."""
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return pl.col(name).dt.convert_time_zone(LONDON_TIME_ZONE).dt.date().cast(pl.String)
    return pl.col(name).cast(pl.String)


def _plain_reader_error(exc: Exception) -> str:
    """A reader's error in plain words (its first line, or a translation of the usual ones)."""
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    lowered = first_line.lower()
    if "invalid utf-8" in lowered or "invalid utf8" in lowered:
        return "it is not UTF-8 text"
    if "more fields than defined" in lowered:
        return "a row has more values than the header has columns"
    return first_line


def _blank_rows(raw: pl.DataFrame) -> pl.Series:
    """Wholly blank lines (a trailing newline in a CSV, an empty row in a sheet): not rows.
    They are skipped after numbering, so every other row keeps the number a spreadsheet shows.

    Only rows whose every cell is short can be blank, so the exact check (trimming each cell)
    runs on those few rows rather than on every cell of a large file.
    """
    short_cell = []
    for name, dtype in raw.schema.items():
        if dtype == pl.Categorical:  # judged once per distinct value
            distinct = raw.get_column(name).drop_nulls().unique()
            short_values = distinct.filter(
                distinct.cast(pl.String).str.len_bytes() <= SHORT_CELL_BYTES)
            short_cell.append(pl.col(name).is_null()
                              | pl.col(name).is_in(short_values.implode()).fill_null(False))
        else:
            cell = pl.col(name).cast(pl.String)
            short_cell.append(cell.is_null() | (cell.str.len_bytes() <= SHORT_CELL_BYTES))
    short = raw.select(pl.all_horizontal(short_cell)).to_series()
    text = [pl.col(name).cast(pl.String) for name in raw.columns]
    blank = pl.repeat(False, raw.height, dtype=pl.Boolean, eager=True).alias("_blank")
    if short.any():
        exact = raw.filter(short).select(pl.all_horizontal(
            cell.str.strip_chars().fill_null("") == "" for cell in text)).to_series()
        blank = blank.scatter(short.arg_true(), exact)
    return blank


def _normal(heading: str) -> str:
    return heading.strip().lower()


def _repeated_headings(path: Path, sheet: Sheet, wanted: dict[str, str]) -> None:
    """Refuse a table in which a contract column's heading appears twice (exactly, or differing
    only in case or spaces): which one holds the data cannot be known."""
    positions: dict[str, list[int]] = {}
    for position, heading in enumerate(sheet.headings):
        if _normal(heading) in wanted:
            positions.setdefault(_normal(heading), []).append(position)
    repeated = [found for found in positions.values() if len(found) > 1]
    if repeated:
        described = "; ".join(
            " and ".join(f"{sheet.headings[i]!r} (column {i + 1})" for i in found)
            for found in repeated)
        raise ExtractError(f"{path}{_in_sheet(sheet)}: the same column heading appears more "
                           f"than once: {described}; remove or rename one of them")


def _in_sheet(sheet: Sheet) -> str:
    return f", sheet {sheet.name!r}" if sheet.name is not None else ""


def _missing(sheet: Sheet, wanted: dict[str, str]) -> list[str]:
    present = {_normal(heading) for heading in sheet.headings}
    return [heading for heading in wanted if heading not in present]


def _data_sheets(path: Path, contract: Contract, sheets: list[Sheet],
                 wanted: dict[str, str]) -> tuple[list[Sheet], list[str]]:
    """The sheets that hold the extract's rows, and the names of the sheets ignored (a cover
    sheet, notes: none of the contract's columns). A sheet with some of the columns but not
    all is refused: its rows cannot be read and must not be dropped unseen."""
    if len(sheets) == 1:
        sheet = sheets[0]
        missing = _missing(sheet, wanted)
        if missing:
            names = ", ".join(contract.column(wanted[h]).heading for h in missing)
            raise ExtractError(f"{path}: missing required column(s) for {contract.name}: {names}")
        return sheets, []
    data, ignored = [], []
    for sheet in sheets:
        missing = _missing(sheet, wanted)
        if not missing:
            data.append(sheet)
        elif len(missing) == len(wanted):
            ignored.append(str(sheet.name))
        else:
            names = ", ".join(contract.column(wanted[h]).heading for h in missing)
            raise ExtractError(
                f"{path}{_in_sheet(sheet)}: has some of the {contract.name} columns but is "
                f"missing: {names} (every sheet with the extract's columns is read, so the "
                "sheet must have all of them, or none)")
    if not data:
        raise ExtractError(
            f"{path}: no sheet has the columns of {contract.name} "
            f"(sheets: {', '.join(repr(name) for name in ignored)})")
    return data, ignored


def _sheet_frame(path: Path, contract: Contract, sheet: Sheet, wanted: dict[str, str],
                 label: str) -> tuple[pl.DataFrame, list[str]]:
    """One table's contract columns as text with file, row and format; and its ignored
    headings."""
    _repeated_headings(path, sheet, wanted)
    by_heading = {_normal(heading): column
                  for heading, column in zip(sheet.headings, sheet.frame.columns, strict=True)}
    known = set(wanted) | {heading.lower() for heading in contract.other_headings}
    ignored = [heading.strip() for heading in sheet.headings
               if _normal(heading) not in known and heading.strip()]
    frame = sheet.frame.select(
        *(_landed_text(sheet.frame, by_heading[heading], contract.column(name)).alias(name)
          for heading, name in wanted.items()),
        pl.lit(label).cast(pl.Categorical).alias(FILE_COLUMN),
        (pl.int_range(pl.len(), dtype=pl.Int64) + FIRST_DATA_ROW).alias(ROW_COLUMN),
        pl.lit(path.suffix.lower().lstrip(".")).cast(pl.Categorical).alias(FORMAT_COLUMN),
    )
    blank = _blank_rows(sheet.frame)
    if blank.any():
        frame = frame.filter(~blank)
    return frame, ignored


def _landed_text(frame: pl.DataFrame, source: str, column: Column) -> pl.Expr:
    """A column as text: categories for a column with few distinct values, else strings."""
    if not column.few_values:
        return pl.col(source).cast(pl.String)
    if frame.schema[source] == pl.Categorical:
        return pl.col(source)
    return pl.col(source).cast(pl.String).cast(pl.Categorical)


def land(path: Path, contract: Contract) -> LandedFile:
    """Read one file as text and map its headings onto the contract's columns. In a workbook,
    every sheet with the contract's columns is read; sheets with none of them are ignored (and
    named); when rows come from more than one sheet, each row's file is labelled with its sheet,
    so its row number can be found."""
    try:
        sheets = _read_sheets(path, {_normal(column.heading) for column in contract.columns
                                     if column.few_values})
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported the same way
        raise ExtractError(
            f"{path}: cannot be read as a {path.suffix.lstrip('.').upper()} file "
            f"({_plain_reader_error(exc)})"
        ) from exc

    wanted = {_normal(column.heading): column.name for column in contract.columns}
    data, ignored_sheets = _data_sheets(path, contract, sheets, wanted)
    frames, labels, ignored = [], [], []
    for sheet in data:
        label = sheet_label(path, sheet.name) if len(data) > 1 else str(path)
        frame, sheet_ignored = _sheet_frame(path, contract, sheet, wanted, label)
        frames.append(frame)
        labels.append(label)
        ignored.extend(h for h in sheet_ignored if h not in ignored)
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")
    return LandedFile(contract.name, path, frame, ignored, labels,
                      [str(sheet.name) for sheet in data if sheet.name is not None],
                      ignored_sheets)


def sheet_label(path: Path, sheet: str | None) -> str:
    """How a row's file is named when a workbook's rows come from several sheets."""
    return f"{path}{SHEET_OPEN}{sheet}]" if sheet is not None else str(path)


def file_of(label: str) -> str:
    """The file of a part named by `sheet_label` (Excel forbids '[' and ']' in sheet names)."""
    if label.endswith("]") and SHEET_OPEN in label:
        return label.rpartition(SHEET_OPEN)[0]
    return label
