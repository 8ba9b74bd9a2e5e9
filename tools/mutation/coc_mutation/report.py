"""The mutation report: per module, killed / survived / equivalent / timeout, then every survivor.

Reads the cosmic-ray sessions under var/mutation/<module>/shard-*/ and writes
var/mutation/report.txt. The survival rate counts only mutants that change behaviour:
survived / (killed + timeout + survived); allow-listed equivalent mutants are listed with their
reason and left out. Exits 1 when a module is above THRESHOLD.

    python -m coc_mutation.report [--modules journeys,kpis] [--out var/mutation]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from coc_mutation.equivalents import ALLOW_LIST, Mutant, load_equivalents, mutant_of

THRESHOLD = 5.0  # per cent of behaviour-changing mutants that may survive
EQUIVALENT = "equivalent: "
OUTCOMES = ("killed", "survived", "equivalent", "timeout", "incompetent", "pending")
PROJECT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Row:
    module: str
    line: int
    mutant: Mutant
    outcome: str
    note: str


def outcome_of(result: object | None) -> tuple[str, str]:
    if result is None:
        return "pending", ""
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        output = result.output or ""
        return ("equivalent", output[len(EQUIVALENT):]) if output.startswith(EQUIVALENT) \
            else ("pending", output)
    if result.worker_outcome != WorkerOutcome.NORMAL \
            or result.test_outcome == TestOutcome.INCOMPETENT:
        last = (result.output or "").strip().splitlines()[-1:]
        return "incompetent", last[0] if last else ""
    if result.test_outcome == TestOutcome.SURVIVED:
        return "survived", ""
    return ("timeout", "") if result.output == "timeout" else ("killed", "")


def rows_of(module: str, out: Path) -> list[Row]:
    equivalents = load_equivalents()  # also for survivors of a run made before an entry
    rows = []
    for session in sorted((out / module).glob("shard-*/session.sqlite")):
        tree = session.parent
        with use_db(str(session), WorkDB.Mode.open) as db:
            results = dict(db.results)
            for item in db.work_items:
                spec = item.mutations[0]
                result = results.get(item.job_id)
                outcome, note = outcome_of(result)
                mutant = mutant_of(tree, spec, result.diff if result and result.diff else None)
                if outcome == "survived" and mutant in equivalents:
                    outcome, note = "equivalent", equivalents[mutant]
                rows.append(Row(module, spec.start_pos[0], mutant, outcome, note))
    return sorted(rows, key=lambda r: (r.line, r.mutant.operator, r.mutant.mutated))


def survival_rate(counts: Counter) -> float:
    changing = counts["killed"] + counts["timeout"] + counts["survived"]
    return 100 * counts["survived"] / changing if changing else 0.0


def render(by_module: dict[str, list[Row]], stale: list[Mutant]) -> tuple[str, bool]:
    lines = ["Mutation testing (make mutation): cosmic-ray, one mutant at a time, each against",
             "its module's fast tests. Survival rate = survived / (killed + timeout + survived);",
             f"equivalent mutants ({ALLOW_LIST.relative_to(PROJECT)}) are left out.", "",
             f"{'module':<12}" + "".join(f"{o:>12}" for o in OUTCOMES) + f"{'surviving':>11}"]
    failed = False
    for module, rows in by_module.items():
        counts = Counter(r.outcome for r in rows)
        rate = survival_rate(counts)
        over = rate > THRESHOLD or counts["pending"] > 0
        failed |= over
        lines.append(f"{module:<12}" + "".join(f"{counts[o]:>12}" for o in OUTCOMES)
                     + f"{rate:>10.1f}%" + ("  OVER" if over else ""))
    lines.append("")
    for title, wanted in (("Survivors (each needs a test, or an allow-list entry with a reason)",
                           "survived"),
                          ("Timeouts (counted as killed; check they are real infinite loops)",
                           "timeout"),
                          ("Incompetent (the mutant did not run)", "incompetent"),
                          ("Equivalent (allow-listed)", "equivalent")):
        chosen = [r for rows in by_module.values() for r in rows if r.outcome == wanted]
        if not chosen:
            continue
        lines += [f"## {title}: {len(chosen)}", ""]
        for r in chosen:
            lines.append(f"{r.mutant.module}:{r.line}  {r.mutant.operator}")
            lines.append(f"    - {r.mutant.line}")
            lines.append(f"    + {r.mutant.mutated}")
            if r.note:
                lines.append(f"    ({r.note})")
        lines.append("")
    if stale:
        lines += [f"## Allow-list entries that match no mutant (remove them): {len(stale)}", ""]
        lines += [f"{m.module}  {m.operator}: {m.line}  ->  {m.mutated}" for m in stale]
    return "\n".join(lines) + "\n", failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "var" / "mutation")
    parser.add_argument("--modules", default="")
    args = parser.parse_args(argv)
    modules = [m for m in args.modules.split(",") if m] or \
        sorted(p.name for p in args.out.iterdir() if (p / "shard-0").is_dir())
    by_module = {m: rows_of(m, args.out) for m in modules}
    seen = {r.mutant for rows in by_module.values() for r in rows}
    mutated = {f"pipelines/{m}.py" for m in modules}
    stale = [m for m in load_equivalents() if m.module in mutated and m not in seen]
    text, failed = render(by_module, stale)
    (args.out / "report.txt").write_text(text)
    print(text)
    print(f"written to {args.out / 'report.txt'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
