"""Disclosure control (§6): the suppression mechanism on small frames, and the disclosure audit
(pipelines.disclosure_audit, an attack written apart from the suppression) on the whole published
sample warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import disclosure
from pipelines.build import Progress, run_build
from pipelines.definitions import reference
from pipelines.disclosure_audit import audit_warehouse

GROUP = [disclosure.Membership("parts in total", ("g",), pl.col("role") == "total",
                               pl.col("role") == "part")]


def cells(counts: dict[str, int], total: int | None = None) -> pl.DataFrame:
    rows = [{"name": name, "role": "part", "count": n} for name, n in counts.items()]
    rows.append({"name": "total", "role": "total",
                 "count": sum(counts.values()) if total is None else total})
    return pl.DataFrame(rows).with_columns(
        pl.lit("x").alias("g"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias(disclosure.CELL),
        disclosure.is_small(pl.col("count")).alias("hidden"),
    )


def hidden(frame: pl.DataFrame) -> set[str]:
    protected = disclosure.protect(frame, "count", "hidden", GROUP)
    return set(protected.filter(pl.col("hidden")).get_column("name"))


def test_nothing_small_nothing_hidden() -> None:
    assert hidden(cells({"a": 10, "b": 0, "c": 7})) == set()


def test_true_zeros_are_not_suppressed() -> None:
    assert pl.select(disclosure.is_small(pl.lit(0))).item() is False
    assert hidden(cells({"a": 0, "b": 0, "c": 30})) == set()


def test_one_small_part_hides_the_next_smallest_part() -> None:
    assert hidden(cells({"a": 3, "b": 50, "c": 9, "d": 20})) == {"a", "c"}


def test_two_small_parts_that_add_to_a_small_count_hide_a_third() -> None:
    # 1 + 2 = 3 could be read off the total as a small count.
    assert hidden(cells({"a": 1, "b": 2, "c": 40, "d": 30})) == {"a", "b", "d"}


def test_a_hidden_total_with_every_part_shown_hides_a_part() -> None:
    frame = cells({"a": 10, "b": 12}).with_columns(
        (pl.col("role") == "total").alias("hidden"))
    assert hidden(frame) == {"total", "a"}


def test_with_no_part_left_the_total_is_hidden() -> None:
    assert hidden(cells({"a": 2, "b": 2})) == {"a", "b", "total"}


@pytest.mark.xfail(strict=True, reason=(
    "issue 9 is open: today's secondary suppression fails the attack audit on the sample (about "
    "144,000 hidden counts exposed); the build runs the audit only with --audit until it passes. "
    "Strict: when the suppression is fixed this xpasses and fails, so the mark must go."))
def test_sample_warehouse_passes_the_independent_audit(sample_warehouse: Path) -> None:
    report = audit_warehouse(sample_warehouse)
    assert report.passed, report.summary()


def test_sample_warehouse_suppresses_something(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        counts = dict(con.sql("select status, count(*) from kpi_values group by all").fetchall())
    assert counts.get("suppressed", 0) > 0 and counts.get("published", 0) > 0


@pytest.mark.parametrize("where", [
    # a primary-suppressed LA cell put back
    "kpi_id = 'tier4_on_release' and area_type = 'la' and period_type = 'year' "
    "and breakdown = 'all' and status = 'suppressed'",
])
def test_audit_catches_an_unsuppressed_cell(sample_warehouse: Path, tmp_path: Path,
                                            where: str) -> None:
    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(sample_warehouse, tampered)
    with duckdb.connect(str(tampered)) as con:
        found = con.sql(f"select kpi_id, period, area_code from kpi_values where {where} "
                        "limit 1").fetchall()
        assert found
        target = found[0]
        con.execute(
            "update kpi_values set numerator = 3, status = 'published' where kpi_id = ? and "
            "period = ? and area_code = ? and breakdown = 'all'", list(target))
    report = audit_warehouse(tampered)
    assert [r["key"] for r in report.exposed.filter(pl.col("found_by") == "published as it stands")
            .iter_rows(named=True)] == [f"tier4_on_release · {target[1]} · "
                                        f"{reference.area_name(target[2])} · all releases"]


def _windows(*starts: int) -> list[frozenset[int]]:
    return [frozenset(range(s, s + 3)) for s in starts]


def test_no_rolling_window_may_reveal_a_lone_hidden_year() -> None:
    # 2021 is the only hidden year: every window containing it gives it away; 2022-24 is safe.
    assert disclosure.safe_windows({2021}, _windows(2020, 2021, 2022)) == {2}


def test_rolling_windows_that_only_reveal_a_sum_are_kept() -> None:
    # 2021 and 2022 hidden: the first two windows give only their sum; the third gives 2022.
    assert disclosure.safe_windows({2021, 2022}, _windows(2020, 2021, 2022)) == {0, 1}


def test_two_overlapping_windows_can_reveal_a_year_together() -> None:
    # Hidden 2020, 2021 and 2023: windows 2020-22 and 2021-23 differ by 2020 - 2023, and with
    # 2022-24 (2023 alone unknown there) 2023 is solved; the best safe set drops the last.
    kept = disclosure.safe_windows({2020, 2021, 2023}, _windows(2020, 2021, 2022))
    assert 2 not in kept and kept


def test_the_same_input_hides_the_same_cells(sample_warehouse: Path, tmp_path: Path) -> None:
    """Two builds of the sample publish identical kpi_values and release_flows, cell for cell
    (the suppression once numbered cells in a group_by's run-to-run order and broke ties by it:
    about 1,700 cells changed status between two builds)."""
    again = tmp_path / "again.duckdb"
    run_build(Path("data_samples"), again, progress=Progress(quiet=True))
    for table in ("kpi_values", "release_flows"):
        query = f"select * from {table} order by all"
        with duckdb.connect(str(sample_warehouse), read_only=True) as first, \
                duckdb.connect(str(again), read_only=True) as second:
            assert first.sql(query).pl().equals(second.sql(query).pl()), table


def test_the_curve_at_day_21_is_londons_continuity_of_care(sample_warehouse: Path) -> None:
    """The engagement curve counts the same releases as coc_21d, so a reader (or the audit)
    finds the two equal; it once kept deaths and returns to custody in its base."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        pairs = con.sql(
            "select c.period, c.engaged, c.releases, v.numerator, v.denominator "
            "from engagement_curve c join kpi_values v on v.period = c.period "
            "where c.day = 21 and c.status = 'published' and v.status = 'published' "
            "and v.kpi_id = 'coc_21d' and v.area_type = 'london' and v.breakdown = 'all'"
        ).fetchall()
    assert len(pairs) >= 4
    assert all((engaged, releases) == (numerator, denominator)
               for _, engaged, releases, numerator, denominator in pairs), pairs
