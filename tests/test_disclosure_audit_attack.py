"""The disclosure audit as an attack (issue 9): each attack that recovered hidden counts from the
published sample, rebuilt as a small hand-made publication, is found; safe patterns pass.

The tables here are made by hand so the audit is tested without the pipeline's suppression.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import build, disclosure_audit, outputs
from pipelines.definitions import reference
from pipelines.disclosure_audit import (
    AuditReport,
    DisclosureError,
    audit_published,
    audit_warehouse,
)
from pipelines.kpis import period_bounds

SMALL = "Value suppressed for disclosure control due to small count"
SECONDARY = "Value suppressed for disclosure control: it could otherwise be worked out"
ONE_NOTE = "Value suppressed for disclosure control"
CUTOFF = date(2025, 9, 30)
BELMARSH, BRIXTON = "BAI", "BXI"
CITY, WESTMINSTER, EALING, LAMBETH, WANDSWORTH = (
    "E09000001", "E09000033", "E09000009", "E09000022", "E09000032")


def row(period: str, area: str, numerator: int | None, denominator: int | None, *,
        kpi: str = "coc_21d", breakdown: str = "all", category: str = "all",
        note: str = ONE_NOTE) -> dict:
    area_type = ("prison" if area in {p.code for p in reference.PRISONS}
                 else "london" if area == reference.LONDON_CODE else "la")
    period_type = "rolling_3y" if " to " in period else "quarter" if " Q" in period else "year"
    return {
        "kpi_id": kpi, "period": period, "period_type": period_type,
        "period_end": period_bounds(period)[1], "area_type": area_type, "area_code": area,
        "area_name": reference.area_name(area), "breakdown": breakdown, "category": category,
        "numerator": numerator, "denominator": denominator,
        "status": "published" if numerator is not None else "suppressed",
        "note": None if numerator is not None else note,
    }


def releases_row(*args, **kwargs) -> dict:
    """A row of a KPI over all releases (the denominator family release_flows adds up to):
    continuity of care's denominator leaves out deaths and returns to custody."""
    return row(*args, kpi="informed_at_reception", **kwargs)


def tables(rows: list[dict], flows: list[tuple] | None = None) -> dict[str, pl.DataFrame]:
    result = outputs.reference_tables()
    result["kpi_values"] = pl.DataFrame(rows, schema_overrides={
        "numerator": pl.Int64, "denominator": pl.Int64, "note": pl.String})
    result["build_info"] = pl.DataFrame({"data_cutoff": [CUTOFF]})
    if flows is not None:
        result["release_flows"] = pl.DataFrame(
            [{"period": p, "prison": pr, "prison_name": pr, "residence": r,
              "residence_name": r, "releases": v,
              "status": "published" if v is not None else "suppressed"}
             for p, pr, r, v in flows],
            schema_overrides={"releases": pl.Int64})
    return result


def exposed(report: AuditReport, build: str = "current") -> dict[str, tuple[int, int]]:
    return {r["key"]: (r["low"], r["high"])
            for r in report.exposed.filter(pl.col("build") == build).iter_rows(named=True)}


def test_belmarsh_notes_and_additivity_give_away_both_hidden_release_types() -> None:
    period = "2022/23 Q2"
    report = audit_published(tables([
        row(period, BELMARSH, 21, 57),
        row(period, BELMARSH, 15, 30, breakdown="release_type", category="licence"),
        row(period, BELMARSH, None, 13, breakdown="release_type", category="remand_court",
            note=SMALL),
        row(period, BELMARSH, None, 14, breakdown="release_type", category="sentence_end",
            note=SECONDARY),
    ]))
    assert exposed(report) == {
        "coc_21d · 2022/23 Q2 · HMP Belmarsh · release_type=remand_court": (1, 1),
        "coc_21d · 2022/23 Q2 · HMP Belmarsh · release_type=sentence_end": (5, 5),
    }
    assert any("notes" in w for w in report.warnings)


@pytest.mark.parametrize("split", [False, True])
def test_the_same_pattern_with_one_note_for_every_hidden_cell_is_safe(
        split: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if split:  # as if the component were too large for one LP: denominators, then each KPI
        monkeypatch.setattr(disclosure_audit, "LP_MAX_VARS", 0)
    period = "2022/23 Q2"
    report = audit_published(tables([
        row(period, BELMARSH, 21, 57),
        row(period, BELMARSH, 15, 30, breakdown="release_type", category="licence"),
        row(period, BELMARSH, None, 13, breakdown="release_type", category="remand_court"),
        row(period, BELMARSH, None, 14, breakdown="release_type", category="sentence_end"),
    ]))
    assert report.passed, report.summary()
    assert report.counts.get_column("hidden").sum() == 2
    assert report.unsettled == 0 and report.lp_solves > 0


def test_a_rate_shown_for_a_hidden_numerator_is_reported() -> None:
    rows = [row("2023/24", CITY, None, 11),
            *(row("2023/24", CITY, None, None, breakdown="release_type", category=c)
              for c in ("licence", "sentence_end"))]
    assert audit_published(tables(rows)).passed
    rows[1]["value"] = 25.0
    report = audit_published(tables(rows))
    assert not report.passed and "rate or interval" in report.warnings[0]


def test_row_presence_says_each_hidden_denominator_is_at_least_one() -> None:
    # City of London: 6 releases split over three release types, all hidden. Each row exists,
    # so each type had at least one release, and none can have had 5.
    period = "2023/24"
    report = audit_published(tables([
        releases_row(period, CITY, None, 6),
        *(releases_row(period, CITY, None, None, breakdown="release_type", category=c)
          for c in ("licence", "remand_court", "sentence_end")),
    ]))
    hidden_dens = {k: v for k, v in exposed(report).items() if k.startswith("releases")}
    assert set(hidden_dens.values()) == {(1, 4)}
    assert len(hidden_dens) == 3


def test_two_hidden_parts_of_a_total_of_eleven_are_safe() -> None:
    period = "2023/24"
    report = audit_published(tables([
        row(period, CITY, 0, 11),
        *(row(period, CITY, 0, None, breakdown="release_type", category=c)
          for c in ("licence", "sentence_end")),
    ]))
    assert report.passed, report.summary()


def test_a_hidden_3_year_window_whose_single_years_are_published() -> None:
    kpi = "tier4_on_release"
    report = audit_published(tables([
        row("2022/23", LAMBETH, 5, 100, kpi=kpi), row("2023/24", LAMBETH, 14, 100, kpi=kpi),
        row("2024/25", LAMBETH, 11, 100, kpi=kpi),
        row("2022/23 to 2024/25", LAMBETH, None, 300, kpi=kpi),
    ]))
    assert exposed(report) == {"tier4_on_release · 2022/23 to 2024/25 · Lambeth · all releases":
                               (30, 30)}


def test_ealing_single_year_beside_its_3_year_total() -> None:
    kpi = "tier4_on_release"
    report = audit_published(tables([
        row("2021/22", EALING, None, 100, kpi=kpi), row("2022/23", EALING, None, 100, kpi=kpi),
        row("2023/24", EALING, 5, 100, kpi=kpi),
        row("2021/22 to 2023/24", EALING, 8, 300, kpi=kpi),
    ]))
    assert exposed(report) == {
        "tier4_on_release · 2021/22 · Ealing · all releases": (1, 2),
        "tier4_on_release · 2022/23 · Ealing · all releases": (1, 2),
    }


def test_lambeth_overlapping_windows_and_small_notes_pin_a_year() -> None:
    kpi = "tier4_on_release"
    report = audit_published(tables([
        row("2020/21", LAMBETH, 5, 100, kpi=kpi),
        *(row(y, LAMBETH, None, 100, kpi=kpi, note=SMALL)
          for y in ("2021/22", "2022/23", "2023/24")),
        row("2024/25", LAMBETH, 8, 100, kpi=kpi),
        row("2020/21 to 2022/23", LAMBETH, 11, 300, kpi=kpi),
        row("2021/22 to 2023/24", LAMBETH, None, 300, kpi=kpi, note=SECONDARY),
        row("2022/23 to 2024/25", LAMBETH, 16, 300, kpi=kpi),
    ]))
    found = exposed(report)
    assert found["tier4_on_release · 2022/23 · Lambeth · all releases"] == (4, 4)
    assert found["tier4_on_release · 2021/22 to 2023/24 · Lambeth · all releases"] == (10, 10)


def test_overlapping_windows_expose_a_year_that_only_lp_finds() -> None:
    # 2021/22 + 2022/23 = 20 - 5 = 15 from the first window, so 2023/24 = 19 - 15 = 4: interval
    # propagation reads each window alone (2023/24 somewhere in 1..17); the LP sees both.
    kpi = "tier4_on_release"
    report = audit_published(tables([
        row("2020/21", EALING, 5, 100, kpi=kpi),
        *(row(y, EALING, None, 100, kpi=kpi) for y in ("2021/22", "2022/23", "2023/24")),
        row("2020/21 to 2022/23", EALING, 20, 300, kpi=kpi),
        row("2021/22 to 2023/24", EALING, 19, 300, kpi=kpi),
    ]))
    assert [(r["key"], r["low"], r["high"], r["found_by"]) for r in
            report.exposed.iter_rows(named=True)] == [
        ("tier4_on_release · 2023/24 · Ealing · all releases", 4, 4, "linear programming")]


def wandsworth(hidden: set[int]) -> dict[str, pl.DataFrame]:
    counts = {1: 5, 2: 5, 3: 4, 4: 6}
    return tables([
        row("2021/22", WANDSWORTH, 20, 200),
        *(row(f"2021/22 Q{q}", WANDSWORTH, None if q in hidden else n, 50)
          for q, n in counts.items()),
    ])


def test_each_wandsworth_build_alone_is_safe() -> None:
    assert audit_published(wandsworth({1, 3})).passed
    assert audit_published(wandsworth({2, 3})).passed


def test_two_builds_hiding_different_quarters_give_away_the_small_one() -> None:
    report = audit_published(wandsworth({2, 3}), previous=wandsworth({1, 3}))
    assert exposed(report) == {
        "coc_21d · 2021/22 Q2 · Wandsworth · all releases": (5, 5),
        "coc_21d · 2021/22 Q3 · Wandsworth · all releases": (4, 4),
    }
    assert exposed(report, "previous") == {
        "coc_21d · 2021/22 Q1 · Wandsworth · all releases": (5, 5)}


def test_counts_of_periods_the_previous_build_had_not_completed_are_not_linked() -> None:
    # The previous build's data ended inside 2021/22 Q1: none of its counts were final.
    previous = wandsworth({1, 3})
    previous["build_info"] = pl.DataFrame({"data_cutoff": [date(2021, 6, 15)]})
    assert audit_published(wandsworth({2, 3}), previous=previous).passed
    # Once Q2 had ended, its published 5 is this build's hidden Q2, and Q3 follows.
    previous["build_info"] = pl.DataFrame({"data_cutoff": [date(2021, 10, 31)]})
    assert set(exposed(audit_published(wandsworth({2, 3}), previous=previous))) == {
        "coc_21d · 2021/22 Q2 · Wandsworth · all releases",
        "coc_21d · 2021/22 Q3 · Wandsworth · all releases"}


def test_release_flows_margins_tied_to_kpi_values() -> None:
    period = "2020/21"
    report = audit_published(tables(
        [releases_row(period, CITY, None, None), releases_row(period, WESTMINSTER, 20, 26),
         releases_row(period, BELMARSH, 20, 30)],
        flows=[(period, BELMARSH, CITY, None), (period, BELMARSH, WESTMINSTER, 26),
               (period, BELMARSH, "all", 30), (period, "all", CITY, None),
               (period, "all", WESTMINSTER, 26)],
    ))
    found = exposed(report)
    assert found["releases · 2020/21 · City of London · all releases"] == (4, 4)
    assert found["2020/21 · BAI → E09000001"] == (4, 4)
    assert found["2020/21 · all → E09000001"] == (4, 4)


def test_a_margin_hidden_in_release_flows_but_published_in_kpi_values_hides_no_secret() -> None:
    period = "2020/21"
    report = audit_published(tables(
        [releases_row(period, BELMARSH, 20, 30), releases_row(period, CITY, 10, 30)],
        flows=[(period, BELMARSH, CITY, 30), (period, BELMARSH, "all", None),
               (period, "all", CITY, 30)],
    ))
    assert report.passed, report.summary()


def test_a_hidden_block_with_published_margins_is_safe_and_needs_lp() -> None:
    period = "2020/21"
    report = audit_published(tables(
        [row(period, BELMARSH, 0, 12)],
        flows=[(period, BELMARSH, CITY, None), (period, BELMARSH, WESTMINSTER, None),
               (period, BRIXTON, CITY, None), (period, BRIXTON, WESTMINSTER, None),
               (period, BELMARSH, "all", 12), (period, BRIXTON, "all", 14),
               (period, "all", CITY, 11), (period, "all", WESTMINSTER, 15)],
    ))
    assert report.passed, report.summary()
    assert report.lp_solves > 0 and report.unsettled == 0


def test_audit_warehouse_reads_the_same_tables(tmp_path: Path) -> None:
    from pipelines import warehouse

    path = tmp_path / "w.duckdb"
    warehouse.publish(path, wandsworth({3}))
    report = audit_warehouse(path)
    assert exposed(report) == {"coc_21d · 2021/22 Q3 · Wandsworth · all releases": (4, 4)}


def test_the_build_does_not_publish_what_the_audit_rejects(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines import warehouse
    from pipelines.cli import main

    path = tmp_path / "w.duckdb"
    warehouse.publish(path, {"marker": pl.DataFrame({"old": [1]})})
    before = path.read_bytes()

    def published(*_args, **_kwargs) -> dict[str, pl.DataFrame]:
        return wandsworth({3})

    monkeypatch.setattr(build.outputs, "published_tables", published)
    source = Path("data_samples")
    with pytest.raises(DisclosureError, match="Q3 · Wandsworth"):
        build.run_build(source, path, progress=build.Progress(quiet=True), audit=True)
    assert path.read_bytes() == before
    assert main(["build", "--source", str(source), "--warehouse", str(path), "--quiet",
                 "--audit"]) == 2
    assert path.read_bytes() == before

    monkeypatch.setattr(build.outputs, "published_tables",
                        lambda *_a, **_k: wandsworth({2, 3}))
    build.run_build(source, path, progress=build.Progress(quiet=True), audit=True)
    assert path.read_bytes() != before


def test_cli_audit_exits_2_naming_the_exposed_cells(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    from pipelines import warehouse
    from pipelines.cli import main

    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    warehouse.publish(first, wandsworth({1, 3}))
    warehouse.publish(second, wandsworth({2, 3}))
    assert main(["audit", "--warehouse", str(second)]) == 0
    assert "0 exposed" in capsys.readouterr().out
    assert main(["audit", "--warehouse", str(second), "--previous", str(first)]) == 2
    out = capsys.readouterr().out
    assert "coc_21d · 2021/22 Q3 · Wandsworth · all releases: exactly 4" in out
    assert main(["audit", "--warehouse", str(tmp_path / "missing.duckdb")]) == 2
