"""Command line of the pipeline: `python -m pipelines {build,synth,bench,audit}`.

Exit status: 0 on success, 2 when an extract cannot be loaded (the message names the file and
what is wrong), when a required extract has no row to load, when the warehouse or the report
cannot be written, when another build of the same warehouse is running, or when `build --audit`
finds an exposed count (the build then does not publish). On exit status 2 the existing
warehouse (and report) are left untouched.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

EXIT_BAD_INPUT = 2


def _build(args: argparse.Namespace) -> int:
    from pipelines.build import run_build
    from pipelines.disclosure_audit import DisclosureError
    from pipelines.ingest import SHEET_OPEN, ExtractError, file_of
    from pipelines.timings import progress_on_stderr
    from pipelines.warehouse import PublishError

    print(f"Building {args.warehouse} from {args.source}", file=sys.stderr)
    try:
        with progress_on_stderr(args.quiet):
            result = run_build(args.source, args.warehouse, args.report, args.cutoff,
                               audit=args.audit)
    except (ExtractError, PublishError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("The existing warehouse was left unchanged.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DisclosureError as exc:
        print(f"error: the disclosure audit failed, nothing was published.\n{exc}",
              file=sys.stderr)
        print("The existing warehouse was left unchanged.", file=sys.stderr)
        return EXIT_BAD_INPUT
    files = result.report["files"]
    read = sum(f["rows_read"] for f in files)
    loaded = sum(f["rows_loaded"] for f in files)
    rejected = sum(f["rows_rejected"] for f in files)
    duplicates = sum(f["duplicates"] for f in files)
    print(
        f"Done: {len(files)} files, {read:,} rows read, {loaded:,} loaded, {rejected:,} rejected, "
        f"{duplicates:,} exact duplicates; data cut-off {result.cutoff}; "
        f"{sum(result.timings.values()):.1f} s.",
        file=sys.stderr,
    )
    for path in result.report["unmatched_files"]:
        print(f"note: {path} matches no extract and was ignored", file=sys.stderr)
    parts: dict[str, list[str]] = {}
    for f in files:
        parts.setdefault(file_of(f["path"]), []).append(f["path"])
    for f in files:
        file = file_of(f["path"])
        if f["path"] == parts[file][0]:  # notes about a workbook's sheets: once per file
            if len(parts[file]) > 1:
                sheets = ", ".join(repr(p[len(file) + len(SHEET_OPEN):-1]) for p in parts[file])
                print(f"note: {file}: rows read from the sheets {sheets}", file=sys.stderr)
            if f["ignored_sheets"]:
                sheets = ", ".join(repr(s) for s in f["ignored_sheets"])
                print(f"note: {file}: sheets without the {f['extract']} columns ignored: "
                      f"{sheets}", file=sys.stderr)
        if f["ignored_columns"]:
            print(f"note: {f['path']}: unknown columns ignored: {', '.join(f['ignored_columns'])}",
                  file=sys.stderr)
    if rejected:
        where = f"; see {args.report}" if args.report else ""
        print(f"{rejected:,} rows were rejected{where}", file=sys.stderr)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from pipelines.build import SYNTHETIC_MARKER
    from pipelines.synth import DEFAULT_SEED, generate

    seed = DEFAULT_SEED if args.seed is None else args.seed
    options = {"background_per_release": args.background_per_release} \
        if args.background_per_release is not None else {}
    counts = generate(args.out, seed=seed, scale=args.scale, bad_row_rate=args.bad_rows,
                      **options)
    (args.out / SYNTHETIC_MARKER).write_text(
        "Every file in this folder is synthetic, made by `python -m pipelines synth` "
        f"(seed {seed}, scale {args.scale}). No row describes a real person.\n"
    )
    for name, rows in counts.items():
        print(f"{name}: {rows:,} rows", file=sys.stderr)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from pipelines.bench import run_benchmark

    return run_benchmark(args)


def _fingertips(args: argparse.Namespace) -> int:
    from pipelines.fingertips import write_comparators

    rows, found = write_comparators(args.out)
    for iid, name in found.items():
        print(f"  indicator {iid}: {name}", file=sys.stderr)
    if not found:
        print("No Fingertips indicator matched the registry's comparator names.", file=sys.stderr)
        return 1
    print(f"Wrote {rows:,} rows (London's boroughs, London and England, every year) to "
          f"{args.out}", file=sys.stderr)
    return 0


def _audit(args: argparse.Namespace) -> int:
    from pipelines.disclosure_audit import audit_warehouse

    for path in (args.warehouse, args.previous):
        if path is not None and not path.is_file():
            print(f"error: {path}: no such warehouse", file=sys.stderr)
            return EXIT_BAD_INPUT
    report = audit_warehouse(args.warehouse, args.previous)
    print(report.summary(args.show))
    return 0 if report.passed else EXIT_BAD_INPUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the warehouse from a folder of extracts")
    build.add_argument("--source", type=Path, required=True, help="folder of extract files")
    build.add_argument("--warehouse", type=Path, required=True, help="warehouse .duckdb path")
    build.add_argument("--report", type=Path, help="write the JSON load report here")
    build.add_argument("--audit", action="store_true",
                       help="attack the new tables with the disclosure audit before publishing; "
                            "a build that would expose a hidden count does not publish")
    build.add_argument("--cutoff", type=date.fromisoformat,
                       help="data cut-off (YYYY-MM-DD); default: the latest date in the extracts")
    build.add_argument("--quiet", action="store_true", help="no progress display")
    build.set_defaults(handler=_build)

    synth = commands.add_parser("synth", help="generate a synthetic data set")
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--seed", type=int, default=None,
                       help="random seed (default: the seed of the committed sample)")
    synth.add_argument("--scale", type=float, default=1.0,
                       help="1.0 is London-sized; 67 is about a million releases")
    synth.add_argument("--background-per-release", type=float, default=None,
                       help="community episodes of people never released, per release")
    synth.add_argument("--bad-rows", type=float, default=0.0,
                       help="share of release and episode rows made to break a rule")
    synth.set_defaults(handler=_synth)

    bench = commands.add_parser("bench", help="time the pipeline at several scales")
    bench.add_argument("--scales", default="1,10,67",
                       help="comma-separated scales (67 is about a million releases)")
    bench.add_argument("--workdir", type=Path, default=Path("var/bench"),
                       help="where the data sets are generated, or found ready (scale-N/)")
    bench.add_argument("--warehouse-dir", type=Path, default=Path("var/bench"),
                       help="where the benchmark's warehouses are built")
    bench.add_argument("--repeat", type=int, default=1,
                       help="runs of the floor and the build per scale; figures are medians")
    bench.add_argument("--out", type=Path, help="write the results as JSON here")
    bench.set_defaults(handler=_bench)

    fingertips = commands.add_parser(
        "fingertips", help="download published comparators from OHID Fingertips")
    fingertips.add_argument("--out", type=Path, required=True,
                            help="comparators CSV to write, e.g. DIR/comparators.csv")
    fingertips.set_defaults(handler=_fingertips)


    audit = commands.add_parser(
        "audit", help="attack a published warehouse's disclosure control (DESIGN §6)")
    audit.add_argument("--warehouse", type=Path, required=True, help="warehouse .duckdb path")
    audit.add_argument("--previous", type=Path,
                       help="the publication it replaces: attack the two together")
    audit.add_argument("--show", type=int, default=20, help="how many exposed counts to list")
    audit.set_defaults(handler=_audit)

    args = parser.parse_args(argv)
    return args.handler(args)

