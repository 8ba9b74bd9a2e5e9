"""Golden snapshot of the sample's published `kpi_values`: every row and column of the table
the committed sample publishes, sorted, kept in `kpi_values_sample.parquet` beside this file.

`tests/test_golden.py` compares a fresh build against it, so a change that was meant to be
invisible (a faster stage, a refactor) cannot move a published figure unnoticed. When figures
change on purpose (a corrected definition, new sample data), regenerate the snapshot with one
command and commit it with the change that explains it:

    .venv/bin/python -m tests.golden update
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl

SNAPSHOT = Path(__file__).resolve().parent / "kpi_values_sample.parquet"
SAMPLES = Path(__file__).resolve().parent.parent.parent / "data_samples"
# One published cell: these columns name it, and no two rows share them.
KEY = ("kpi_id", "period_type", "period", "area_type", "area_code", "breakdown", "category")
FLOAT_RTOL = 1e-9  # figures are recomputed; the last bits of a float may differ by platform


def published_kpi_values(warehouse: Path) -> pl.DataFrame:
    """Every row and column of a warehouse's `kpi_values`, in key order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.sql("select * from kpi_values").pl()
    return frame.sort(KEY, nulls_last=True)


def build_sample(folder: Path) -> Path:
    """Build the committed sample into `folder`; the warehouse's path."""
    from pipelines.build import run_build

    warehouse = folder / "warehouse.duckdb"
    run_build(SAMPLES, warehouse)
    return warehouse


def update() -> Path:
    """Build the sample and write its `kpi_values` as the new snapshot."""
    with tempfile.TemporaryDirectory() as folder:
        frame = published_kpi_values(build_sample(Path(folder)))
    frame.write_parquet(SNAPSHOT, compression="zstd", compression_level=19, statistics=False)
    return SNAPSHOT


def differences(expected: pl.DataFrame, actual: pl.DataFrame, limit: int = 10) -> list[str]:
    """What differs between two `kpi_values` tables, in words: missing or extra cells, and
    cells whose values differ (up to `limit` of each). Empty when they are the same."""
    if expected.schema != actual.schema:
        return [f"columns differ: expected {dict(expected.schema)}, got {dict(actual.schema)}"]
    found = []
    key = list(KEY)
    for what, left, right in (("missing", expected, actual), ("unexpected", actual, expected)):
        only = left.join(right, on=key, how="anti", nulls_equal=True)
        if only.height:
            found.append(f"{only.height:,} {what} rows, e.g. {only.select(key).head(limit).rows()}")
    both = expected.join(actual, on=key, how="inner", nulls_equal=True, suffix="_actual")
    for name, dtype in expected.schema.items():
        if name in KEY:
            continue
        left, right = pl.col(name), pl.col(f"{name}_actual")
        if dtype.is_float():
            same = (left - right).abs() <= FLOAT_RTOL * pl.max_horizontal(left.abs(), right.abs())
            same = same | (left.is_nan() & right.is_nan())
        else:
            same = left == right
        differ = both.filter(~(same.fill_null(False) | (left.is_null() & right.is_null())))
        if differ.height:
            examples = differ.select(*key, name, f"{name}_actual").head(limit).rows()
            found.append(f"{name}: {differ.height:,} rows differ, e.g. {examples}")
    return found
