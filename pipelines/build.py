"""The build: the pipeline's one entrypoint from extracts to a published warehouse.

Stages run in order: land (read every file as text), stage (validate and cast by contract),
outputs (journeys, KPIs, disclosure control: pipelines.outputs) and publish (atomic swap). A
file that cannot be read stops the run before anything is written; rejected rows are reported
and the good rows still load.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

import polars as pl

from pipelines import disclosure_audit, outputs, warehouse
from pipelines.definitions.contracts import CONTRACT_BY_NAME, REQUIRED_EXTRACTS
from pipelines.ingest import ExtractError, LandedFile, discover, land
from pipelines.validate import REJECT_SCHEMA, Staged, latest_date, stage

SYNTHETIC_MARKER = "SYNTHETIC"  # a file of this name in the source folder marks synthetic data
PIPELINE_VERSION = "1"
CUTOFF_DATE_COLUMNS = {
    "prison_releases": ("reception_date", "release_date"),
    "community_episodes": ("start_date", "end_date"),
}
FILE_COUNT_COLUMNS = ("rows_read", "rows_loaded", "rows_rejected", "duplicates")
LIST_COLUMNS = ("ignored_columns", "ignored_sheets")  # lists in the report, text in load_files


@dataclass
class Progress:
    """Stage-by-stage progress on stderr: what is running, how many rows, how long it took.
    `timings` holds each stage's wall seconds, `cpu_timings` its CPU seconds (all threads),
    which the benchmark reports because wall time means little on a shared machine."""

    stream: TextIO = sys.stderr
    quiet: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)

    def step(self, stage_name: str, message: str) -> Callable[[str], None]:
        started = time.perf_counter()
        started_cpu = time.process_time()
        if not self.quiet:
            print(f"  {message} ...", file=self.stream, flush=True)

        def done(result: str = "") -> None:
            elapsed = time.perf_counter() - started
            self.timings[stage_name] = self.timings.get(stage_name, 0.0) + elapsed
            self.cpu_timings[stage_name] = (self.cpu_timings.get(stage_name, 0.0)
                                            + time.process_time() - started_cpu)
            if not self.quiet:
                suffix = f": {result}" if result else ""
                print(f"  {message} done in {elapsed:.1f} s{suffix}", file=self.stream, flush=True)

        return done


@dataclass
class BuildResult:
    run_id: str
    cutoff: date | None
    staged: dict[str, Staged]
    report: dict
    timings: dict[str, float]


def _land_all(source: Path, progress: Progress) -> tuple[dict[str, list[LandedFile]], list[Path]]:
    matched, unmatched = discover(source)
    missing = [name for name in REQUIRED_EXTRACTS if name not in matched]
    if missing:
        raise ExtractError(
            f"{source}: no file for the required extract(s) {', '.join(missing)} "
            f"(files are matched by name prefix, e.g. {missing[0]}.csv)"
        )
    landed: dict[str, list[LandedFile]] = {}
    for name, paths in matched.items():
        for path in paths:
            done = progress.step("read", f"reading {path.name}")
            file = land(path, CONTRACT_BY_NAME[name])
            done(f"{file.rows_read:,} rows")
            landed.setdefault(name, []).append(file)
    return landed, unmatched


def _combined(files: list[LandedFile]) -> pl.DataFrame:
    """All files of one extract as one frame, handed over: the landed files let go of their
    text, so staging can free it as soon as it has been cast."""
    frame = pl.concat([f.frame for f in files], how="vertical", rechunk=False)
    for file in files:
        file.frame = file.frame.clear()
    return frame


def _stage_all(landed: dict[str, list[LandedFile]], cutoff: date | None,
               progress: Progress) -> dict[str, Staged]:
    staged: dict[str, Staged] = {}
    for name, files in landed.items():
        contract = CONTRACT_BY_NAME[name]
        done = progress.step("validate", f"validating {name}")
        staged[name] = stage(contract, [_combined(files)], cutoff)
        rejected = staged[name].per_file.get_column("rows_rejected").sum()
        done(f"{staged[name].good.height:,} loaded, {rejected:,} rejected")
    return staged


def _report(staged: dict[str, Staged], landed: dict[str, list[LandedFile]],
            unmatched: list[Path]) -> dict:
    files = []
    for name, result in staged.items():
        counts = {row["path"]: row for row in result.per_file.iter_rows(named=True)}
        for file in landed[name]:
            # One entry per part: the file, or each sheet of a workbook read from several.
            for part in file.parts or [str(file.path)]:
                # A header-only file has no rows to count but is still reported.
                row = counts.get(part) or {"path": part, **dict.fromkeys(FILE_COUNT_COLUMNS, 0)}
                files.append({"extract": name, **row, "ignored_columns": file.ignored_columns,
                              "ignored_sheets": file.ignored_sheets})
    rejects = [row for result in staged.values() for row in result.rejects.iter_rows(named=True)]
    return {
        "files": files,
        "rejects": rejects,
        "unmatched_files": [str(p) for p in unmatched],
    }


def _load_history(run_id: str, started: datetime, source: Path, cutoff: date | None,
                  synthetic: bool, report: dict) -> dict[str, pl.DataFrame]:
    files = pl.DataFrame(
        [{**f, **{k: ", ".join(f[k]) for k in LIST_COLUMNS}} for f in report["files"]],
        schema={"extract": pl.String, "path": pl.String, "rows_read": pl.Int64,
                "rows_loaded": pl.Int64, "rows_rejected": pl.Int64, "duplicates": pl.Int64,
                "ignored_columns": pl.String, "ignored_sheets": pl.String},
    ).with_columns(pl.lit(run_id).alias("run_id"))
    totals = {c: int(files.get_column(c).sum()) for c in FILE_COUNT_COLUMNS}
    runs = pl.DataFrame([{
        "run_id": run_id,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "source": str(source),
        "data_cutoff": cutoff,
        "synthetic": synthetic,
        "files": files.height,
        **totals,
    }])
    return {"load_runs": runs, "load_files": files}


def run_build(source: Path, warehouse_path: Path, report_path: Path | None = None,
              cutoff: date | None = None, progress: Progress | None = None,
              audit: bool = False) -> BuildResult:
    """Build the warehouse from the extracts in `source`; ExtractError on input that cannot be
    loaded, PublishError on an output that cannot be written or a build of the same warehouse
    already running. Either is raised before the warehouse is touched. With `audit`, the
    disclosure audit attacks the new tables (with the warehouse they replace) before the swap
    and DisclosureError stops a build that would expose a hidden count."""
    warehouse.check_output_path(warehouse_path, "warehouse")
    if report_path is not None:
        warehouse.check_output_path(report_path, "report")
        if report_path.resolve() == warehouse_path.resolve():
            raise warehouse.PublishError(
                f"the report and the warehouse are the same file ({report_path})")
    with warehouse.build_lock(warehouse_path):
        return _build_locked(source, warehouse_path, report_path, cutoff, progress, audit)


def _build_locked(source: Path, warehouse_path: Path, report_path: Path | None,
                  cutoff: date | None, progress: Progress | None, audit: bool) -> BuildResult:
    progress = progress or Progress()
    run_id = uuid.uuid4().hex[:12]
    started = datetime.now(UTC)
    landed, unmatched = _land_all(source, progress)
    staged = _stage_all(landed, cutoff, progress)
    _refuse_empty_required(staged, landed, cutoff)
    data_cutoff = cutoff or latest_date([
        (staged[name].good, columns) for name, columns in CUTOFF_DATE_COLUMNS.items()
    ])
    report = _report(staged, landed, unmatched)
    synthetic = (source / SYNTHETIC_MARKER).exists()

    tables = outputs.published_tables(staged, data_cutoff, progress)
    tables.update(_history_tables(warehouse_path, run_id, started, source, data_cutoff,
                                  synthetic, report))
    tables["build_info"] = pl.DataFrame([{
        "run_id": run_id,
        "built_at": datetime.now(UTC),
        "data_cutoff": data_cutoff,
        "synthetic": synthetic,
        "source": str(source),
        "pipeline_version": PIPELINE_VERSION,
    }])
    if audit:
        _audit(tables, warehouse_path, progress)
    # The report is written before the swap (a report that cannot be written stops the build
    # with the old warehouse in place) and put in place after it (a failed swap keeps the old
    # report, which still describes the warehouse that is there).
    staged_report = _stage_report(report_path, report) if report_path is not None else None
    try:
        done = progress.step("publish", f"publishing {len(tables)} tables to {warehouse_path}")
        warehouse.publish(warehouse_path, tables)
        done()
        if staged_report is not None:
            os.replace(staged_report, report_path)
    finally:
        if staged_report is not None:
            with suppress(FileNotFoundError):
                staged_report.unlink()
    return BuildResult(run_id, data_cutoff, staged, report, dict(progress.timings))


def _stage_report(report_path: Path, report: dict) -> Path:
    """Write the report beside its final name; the caller renames it into place."""
    temp = report_path.with_name(f".{report_path.name}.{os.getpid()}.tmp")
    try:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(report, indent=2, default=str) + "\n")
    except OSError as exc:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise warehouse.PublishError(
            f"cannot write the report {report_path} ({exc.strerror or exc})") from exc
    return temp


def _refuse_empty_required(staged: dict[str, Staged], landed: dict[str, list[LandedFile]],
                           cutoff: date | None) -> None:
    """A required extract with no good row (a header-only file, or every row rejected, e.g. by
    a mistyped --cutoff) would publish a warehouse with nothing in it: refuse instead."""
    for name in REQUIRED_EXTRACTS:
        result = staged[name]
        if result.good.height:
            continue
        files = ", ".join(str(file.path) for file in landed[name])
        read = int(result.per_file.get_column("rows_read").sum())
        if read == 0:
            why = "the file has no rows" if len(landed[name]) == 1 else "the files have no rows"
        else:
            rejected = int(result.per_file.get_column("rows_rejected").sum())
            why = f"{read:,} rows read, {rejected:,} rejected"
            if result.rejects.height:
                common = result.rejects.group_by("reason").agg(pl.col("row").n_unique()) \
                    .sort(["row", "reason"], descending=[True, False]).row(0)
                why += f"; most often: {common[0]}, {common[1]:,} rows"
                if cutoff is not None and common[0].endswith("after the data cut-off"):
                    why += f"; check --cutoff {cutoff.isoformat()}"
        raise ExtractError(f"{files}: no {name} row could be loaded ({why}); "
                           f"a warehouse without {name} is not published")


def _audit(tables: dict[str, pl.DataFrame], warehouse_path: Path, progress: Progress) -> None:
    """The disclosure audit, against this build and the warehouse it replaces, before the
    swap: a build that exposes a hidden count does not publish (DisclosureError)."""
    done = progress.step("audit", "auditing disclosure control")
    report = disclosure_audit.audit_published(tables,
                                              disclosure_audit.previous_tables(warehouse_path))
    done(f"{report.exposed.height:,} exposed")
    if not report.passed:
        raise disclosure_audit.DisclosureError(report.summary())


def _history_tables(warehouse_path: Path, run_id: str, started: datetime, source: Path,
                    cutoff: date | None, synthetic: bool, report: dict) -> dict[str, pl.DataFrame]:
    current = _load_history(run_id, started, source, cutoff, synthetic, report)
    previous = warehouse.previous_history(warehouse_path)
    tables = {
        name: pl.concat([previous[name], frame], how="diagonal_relaxed")
        if name in previous else frame
        for name, frame in current.items()
    }
    rejects = pl.DataFrame(report["rejects"], schema=REJECT_SCHEMA).with_columns(
        pl.lit(run_id).alias("run_id")
    )
    tables["load_rejects"] = rejects
    return tables
