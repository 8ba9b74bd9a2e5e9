"""The sample's published `kpi_values` equal the committed golden snapshot, row for row.

When figures change on purpose, regenerate the snapshot: `.venv/bin/python -m tests.golden
update` (see tests/golden/__init__.py).
"""

from pathlib import Path

import polars as pl

from tests.golden import SNAPSHOT, differences, published_kpi_values

REGENERATE = "if the change is intended, run: .venv/bin/python -m tests.golden update"


def test_sample_kpi_values_equal_the_golden_snapshot(sample_warehouse: Path) -> None:
    expected = pl.read_parquet(SNAPSHOT)
    actual = published_kpi_values(sample_warehouse)
    found = differences(expected, actual)
    assert not found, "\n".join([*found, REGENERATE])


def test_differences_finds_a_moved_figure_a_lost_row_and_a_changed_status() -> None:
    expected = pl.read_parquet(SNAPSHOT).filter(
        (pl.col("status") == "published") & (pl.col("value") > 0)).head(20)
    row = pl.int_range(pl.len())
    moved = expected.with_columns(
        pl.when(row == 0).then(pl.col("numerator") + 1).otherwise(pl.col("numerator")),
        pl.when(row == 0).then(pl.col("value") * (1 + 1e-6)).otherwise(pl.col("value")),
        pl.when(row == 1).then(pl.lit("suppressed")).otherwise(pl.col("status")).alias("status"),
    ).slice(0, 19)
    found = differences(expected, moved)
    assert any(line.startswith("1 missing rows") for line in found)
    assert any(line.startswith("numerator: 1 rows differ") for line in found)
    assert any(line.startswith("status: 1 rows differ") for line in found)
    assert any(line.startswith("value: 1 rows differ") for line in found)
    assert differences(expected, expected) == []
