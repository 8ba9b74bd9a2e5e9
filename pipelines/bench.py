"""The benchmark (`python -m pipelines bench`, `make bench`): how the build scales.

For each scale it generates a synthetic data set (not committed; kept under --workdir so a
second run reuses it), then in one run measures:
- the floor: a bare DuckDB scan of the same CSV files (every column read as text);
- a full build in a fresh process, timed stage by stage (read, validate, journeys, KPIs, audit,
  publish), with that process's peak memory;
- the ratios that matter: build time over the floor, and seconds per million rows, which stays
  roughly flat when time grows linearly with size.
With --pages it also times each dashboard page's script run (cold and warm) against the largest
warehouse, through `python -m dashboard.bench_pages`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

STAGES = ("read", "validate", "journeys", "kpis", "audit", "publish")
# Community episodes per release beyond those of released people: at scale 67 this gives about
# 1 million releases and 10 million community episodes.
BACKGROUND_PER_RELEASE = 9.3
READY_MARKER = ".complete"


def _dataset(workdir: Path, scale: float) -> tuple[Path, float]:
    """The data set for a scale, generated once; (folder, seconds spent generating now)."""
    from pipelines.synth import DEFAULT_SEED, generate

    folder = workdir / f"scale-{scale:g}"
    if (folder / READY_MARKER).exists():
        return folder, 0.0
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(folder, seed=DEFAULT_SEED, scale=scale,
             background_per_release=BACKGROUND_PER_RELEASE)
    (folder / READY_MARKER).write_text("generated\n")
    return folder, time.perf_counter() - started


def _rows(folder: Path, extract: str) -> int:
    with duckdb.connect() as con:
        return con.sql(
            f"select count(*) from read_csv('{folder / (extract + '.csv')}', all_varchar=true)"
        ).fetchall()[0][0]


def floor_seconds(folder: Path) -> float:
    """A bare DuckDB scan of the release and episode files, every column as text."""
    started = time.perf_counter()
    with duckdb.connect() as con:
        for extract in ("prison_releases", "community_episodes"):
            path = folder / f"{extract}.csv"
            con.sql(f"select count(*), max(length(person_id)) from read_csv('{path}', "
                    "all_varchar=true)").fetchall()
    return time.perf_counter() - started


def _measure_build(source: str, warehouse: str) -> dict:
    """Run in a fresh process: one full build, its stage timings and its peak memory."""
    from pipelines.build import Progress, run_build

    started = time.perf_counter()
    result = run_build(Path(source), Path(warehouse), progress=Progress(quiet=True))
    total = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"timings": result.timings, "total": total, "peak_mb": peak_kb / 1024}


def measure(workdir: Path, scale: float) -> dict:
    folder, generated = _dataset(workdir, scale)
    releases = _rows(folder, "prison_releases")
    episodes = _rows(folder, "community_episodes")
    floor = floor_seconds(folder)
    warehouse = workdir / f"warehouse-{scale:g}.duckdb"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        build = pool.submit(_measure_build, str(folder), str(warehouse)).result()
    rows = releases + episodes
    return {
        "scale": scale,
        "releases": releases,
        "episodes": episodes,
        "generate_s": round(generated, 2),
        "floor_s": round(floor, 2),
        **{f"{stage}_s": round(build["timings"].get(stage, 0.0), 2) for stage in STAGES},
        "build_s": round(build["total"], 2),
        "peak_mb": round(build["peak_mb"]),
        "build_over_floor": round(build["total"] / floor, 1) if floor else None,
        "s_per_million_rows": round(build["total"] / rows * 1e6, 2),
        "warehouse": str(warehouse),
    }


def _print_table(results: list[dict]) -> None:
    columns = ["scale", "releases", "episodes", "floor_s", *[f"{s}_s" for s in STAGES],
               "build_s", "peak_mb", "build_over_floor", "s_per_million_rows"]
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    for row in results:
        print(" | ".join(f"{row[c]:,}" if isinstance(row[c], int) else str(row[c])
                         for c in columns))


def _time_pages(warehouse: str) -> list[dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "dashboard.bench_pages", "--warehouse", warehouse],
        check=True, capture_output=True, text=True,
    )
    return json.loads(completed.stdout)


def run_benchmark(args: argparse.Namespace) -> int:
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in scales:
        print(f"scale {scale:g}: generating (once) and building ...", file=sys.stderr,
              flush=True)
        results.append(measure(args.workdir, scale))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    _print_table(results)
    report: dict = {"results": results}
    if len(results) > 1:
        first, last = results[0], results[-1]
        report["growth"] = {
            "rows_ratio": round((last["releases"] + last["episodes"])
                                / (first["releases"] + first["episodes"]), 1),
            "time_ratio": round(last["build_s"] / first["build_s"], 1),
        }
        print(f"\nRows grew {report['growth']['rows_ratio']}x and build time "
              f"{report['growth']['time_ratio']}x from scale {first['scale']:g} to "
              f"{last['scale']:g}.")
    if args.pages:
        report["pages"] = _time_pages(results[-1]["warehouse"])
        print("\npage | cold_s | warm_s")
        for page in report["pages"]:
            print(f"{page['page']} | {page['cold_s']} | {page['warm_s']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0
