"""Ingestion: find the extract files in a source folder and land them exactly as read.

Every value is landed as text (never type-inferred); staging (pipelines.validate) casts it
explicitly. Each landed row keeps the file it came from and its row number as a spreadsheet
shows it (header row 1, first data row 2), so a rejected row can be found and fixed. Wholly
blank lines and sheet rows are skipped (they are not rows), without renumbering the others.

A file that cannot be read, or lacks a required column, raises `ExtractError` with one clear
message naming the file: the build stops before touching the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contracts import CONTRACTS, Contract

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".parquet")
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"
FORMAT_COLUMN = "_format"
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet shows it
SHORT_CELL_BYTES = 4  # a blank row's cells are empty or a few spaces at most


class ExtractError(Exception):
    """An extract file that cannot be loaded at all. The message names the file."""


@dataclass
class LandedFile:
    extract: str
    path: Path
    frame: pl.DataFrame  # contract columns as text, plus _file, _row and _format
    ignored_columns: list[str] = field(default_factory=list)

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


def _read_text_frame(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pl.read_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=False)
    if suffix == ".xlsx":
        # Every cell as text; real date cells arrive as Excel serial numbers, which staging
        # converts for date columns of XLSX files only.
        # Empty rows are kept here (and skipped in `land`), so row numbers stay the sheet's own.
        return pl.read_excel(path, engine="calamine", infer_schema_length=0,
                             drop_empty_rows=False)
    if suffix == ".parquet":
        frame = pl.read_parquet(path)
        return frame.select(pl.all().cast(pl.String))
    raise ExtractError(f"{path}: unsupported file type {suffix!r} (use CSV, XLSX or Parquet)")


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
    text = [pl.col(name).cast(pl.String) for name in raw.columns]
    short = raw.select(pl.all_horizontal(
        cell.is_null() | (cell.str.len_bytes() <= SHORT_CELL_BYTES) for cell in text
    )).to_series()
    blank = pl.Series("_blank", [False] * raw.height, dtype=pl.Boolean)
    if short.any():
        exact = raw.filter(short).select(pl.all_horizontal(
            cell.str.strip_chars().fill_null("") == "" for cell in text)).to_series()
        blank = blank.scatter(short.arg_true(), exact)
    return blank


def land(path: Path, contract: Contract) -> LandedFile:
    """Read one file as text and map its headings onto the contract's columns."""
    try:
        raw = _read_text_frame(path)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported the same way
        raise ExtractError(
            f"{path}: cannot be read as a {path.suffix.lstrip('.').upper()} file "
            f"({_plain_reader_error(exc)})"
        ) from exc

    by_heading = {str(name).strip().lower(): name for name in raw.columns}
    wanted = {column.heading.strip().lower(): column.name for column in contract.columns}
    missing = [heading for heading in wanted if heading not in by_heading]
    if missing:
        names = ", ".join(contract.column(wanted[h]).heading for h in missing)
        raise ExtractError(
            f"{path}: missing required column(s) for {contract.name}: {names}"
        )
    known = set(wanted) | {heading.lower() for heading in contract.other_headings}
    ignored = [str(by_heading[h]).strip() for h in by_heading if h not in known]
    frame = raw.select(
        *(pl.col(by_heading[heading]).cast(pl.String).alias(name)
          for heading, name in wanted.items()),
        pl.lit(str(path)).cast(pl.Categorical).alias(FILE_COLUMN),
        (pl.int_range(pl.len(), dtype=pl.Int64) + FIRST_DATA_ROW).alias(ROW_COLUMN),
        pl.lit(path.suffix.lower().lstrip(".")).cast(pl.Categorical).alias(FORMAT_COLUMN),
    )
    blank = _blank_rows(raw)
    if blank.any():
        frame = frame.filter(~blank)
    return LandedFile(contract.name, path, frame, ignored)
