"""The benchmark (`python -m pipelines bench`, `make bench`): how the build scales.

For each scale it generates a synthetic data set (not committed; kept under --workdir so a
second run reuses it), then in one run measures, back to back, each in a fresh process:
- the floor: Polars reading every column of the release and episode files as text, which no
  build can beat (it must at least read them), with its peak memory;
- a full build, timed stage by stage (read, validate, journeys, KPIs, publish), with its peak
  memory;
- the ratios that matter: the build and each stage over the floor, and seconds per million
  rows, which stays roughly flat when time grows linearly with size.
Wall seconds are reported with CPU seconds (all threads) beside them: on a shared machine the
wall time of both the floor and the build stretches with the load, the CPU time much less. The
load average is recorded with the results. With --repeat N each figure is the median of N runs.
The pages are timed by the dashboard's own benchmarks (`python -m dashboard.bench_pages`, and in
Chromium `python -m tests.browser.bench`); `make bench` runs all three.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

STAGES = ("read", "validate", "journeys", "kpis", "publish")
FLOOR_EXTRACTS = ("prison_releases", "community_episodes")
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure_floor(source: str) -> dict:
    """Run in a fresh process: Polars reads the release and episode files, every column as
    text, and holds both (as the build does); its time and peak memory."""
    import polars as pl

    started, started_cpu = time.perf_counter(), time.process_time()
    frames = [pl.read_csv(Path(source) / f"{extract}.csv", infer_schema=False)
              for extract in FLOOR_EXTRACTS]
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return {"wall": wall, "cpu": cpu, "peak_mb": _peak_mb(),
            "rows": {extract: frame.height for extract, frame in zip(FLOOR_EXTRACTS, frames,
                                                                      strict=True)}}


def _measure_build(source: str, warehouse: str) -> dict:
    """Run in a fresh process: one full build, its stage timings and its peak memory."""
    from pipelines.build import run_build

    started, started_cpu = time.perf_counter(), time.process_time()
    result = run_build(Path(source), Path(warehouse))
    return {"timings": result.timings, "cpu_timings": result.cpu_timings,
            "wall": time.perf_counter() - started, "cpu": time.process_time() - started_cpu,
            "peak_mb": _peak_mb()}


def _in_fresh_process(function: Callable[..., dict], *args: str) -> dict:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def _median(runs: list[dict], get: Callable[[dict], float]) -> float:
    return statistics.median(get(run) for run in runs)


def measure(workdir: Path, warehouse_dir: Path, scale: float, repeat: int = 1) -> dict:
    """Floor and build for one scale, measured back to back (median of `repeat` runs each)."""
    folder, generated = _dataset(workdir, scale)
    warehouse = warehouse_dir / f"warehouse-{scale:g}.duckdb"
    load_before = os.getloadavg()[0]
    floors, builds = [], []
    for _ in range(repeat):
        floors.append(_in_fresh_process(_measure_floor, str(folder)))
        builds.append(_in_fresh_process(_measure_build, str(folder), str(warehouse)))
    floor = _median(floors, lambda run: run["wall"])
    floor_cpu = _median(floors, lambda run: run["cpu"])
    build = _median(builds, lambda run: run["wall"])
    build_cpu = _median(builds, lambda run: run["cpu"])
    releases, episodes = (floors[0]["rows"][extract] for extract in FLOOR_EXTRACTS)
    result: dict = {
        "scale": scale,
        "releases": releases,
        "episodes": episodes,
        "generate_s": round(generated, 2),
        "floor_s": round(floor, 2),
        "floor_cpu_s": round(floor_cpu, 2),
        "floor_peak_mb": round(max(run["peak_mb"] for run in floors)),
    }
    for stage in STAGES:
        wall = _median(builds, lambda run, stage=stage: run["timings"].get(stage, 0.0))
        cpu = _median(builds, lambda run, stage=stage: run["cpu_timings"].get(stage, 0.0))
        result[f"{stage}_s"] = round(wall, 2)
        result[f"{stage}_cpu_s"] = round(cpu, 2)
        result[f"{stage}_over_floor"] = round(wall / floor, 2) if floor else None
    result.update({
        "build_s": round(build, 2),
        "build_cpu_s": round(build_cpu, 2),
        "peak_mb": round(max(run["peak_mb"] for run in builds)),
        "build_over_floor": round(build / floor, 1) if floor else None,
        "cpu_over_floor": round(build_cpu / floor_cpu, 1) if floor_cpu else None,
        "s_per_million_rows": round(build / (releases + episodes) * 1e6, 2),
        "runs": repeat,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "warehouse": str(warehouse),
    })
    return result


def _print_table(results: list[dict]) -> None:
    columns = ["scale", "releases", "episodes", "floor_s", "floor_peak_mb",
               *[f"{s}_s" for s in STAGES], "build_s", "build_over_floor", "floor_cpu_s",
               "build_cpu_s", "cpu_over_floor", "peak_mb", "s_per_million_rows", "load_average"]
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    for row in results:
        print(" | ".join(f"{row[c]:,}" if isinstance(row[c], int) else str(row[c])
                         for c in columns))
    ratios = ["scale", *[f"{s}_over_floor" for s in STAGES], "build_over_floor",
              "cpu_over_floor"]
    print("\n" + " | ".join(ratios))
    print(" | ".join("---" for _ in ratios))
    for row in results:
        print(" | ".join(str(row[c]) for c in ratios))


def run_benchmark(args: argparse.Namespace) -> int:
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.warehouse_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in scales:
        print(f"scale {scale:g}: generating (once) and building ...", file=sys.stderr,
              flush=True)
        results.append(measure(args.workdir, args.warehouse_dir, scale, args.repeat))
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
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0
