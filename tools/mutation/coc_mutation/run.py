"""`make mutation`: cosmic-ray over the modules that make published figures, then the report.

For each module: copy the project into var/mutation/<module>/ (the mutants are written into that
copy, never into the work tree), list every mutant with cosmic-ray's `init`, leave out operators
we do not use and mutants inside type annotations, mark the allow-listed equivalent mutants, and
split the rest into shards. The shards of all modules then run `cosmic-ray exec`, `--jobs` at a
time, each in its own copy, each mutant against the module's fast test subset (pytest -x).

    python -m coc_mutation.run [--modules journeys,kpis] [--jobs 2] [--out var/mutation]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cosmic_ray.plugins
import parso
from cosmic_ray.ast import ast_nodes, get_ast_from_path
from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome, WorkItem, WorkResult

from coc_mutation import report
from coc_mutation.equivalents import Mutant, load_equivalents, mutant_of

PROJECT = Path(__file__).resolve().parents[3]
COPIED = ("pipelines", "tests", "dashboard", "data_samples", "pyproject.toml")
PYTEST = "-m pytest -x -q -p no:cacheprovider --no-header"


@dataclass(frozen=True)
class Target:
    """A module to mutate and the fast tests that pin its behaviour down."""

    name: str
    tests: tuple[str, ...]

    @property
    def module_path(self) -> str:
        return f"pipelines/{self.name}.py"


TARGETS = {
    t.name: t
    for t in (
        # Fast unit tests first: each file runs only if the one before passed.
        Target("journeys", ("tests/test_journeys.py", "tests/test_definitions_backtest.py")),
        Target("kpis", ("tests/test_kpis.py", "tests/test_kpi_backtest.py")),
        Target("validate", ("tests/test_validate.py",)),
        Target("stats", ("tests/test_stats.py",)),
        Target("disclosure", ("tests/test_disclosure.py",)),
    )
}

# The operators used (regular expressions over cosmic-ray operator names). Comparisons move a
# boundary or negate; arithmetic swaps with its inverse; every SQL operator is used. Left out:
# comparisons and arithmetic swapped for unrelated operators (almost always crash, so killed for
# nothing), decorator removal and the random variable operators.
OPERATORS = (
    r"core/NumberReplacer",
    r"core/ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot"
    r"|IsNot_Is)",
    r"core/ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv"
    r"|BitAnd_BitOr|BitOr_BitAnd|Pow_Mul)",
    r"core/ReplaceUnaryOperator_Delete_(Not|USub|Invert)",
    r"core/(ReplaceTrueWithFalse|ReplaceFalseWithTrue|ReplaceAndWithOr|ReplaceOrWithAnd|AddNot)",
    r"core/(ZeroIterationForLoop|ReplaceBreakWithContinue|ReplaceContinueWithBreak"
    r"|ExceptionReplacer)",
    r"sql/.*",
)
USED = re.compile("|".join(f"(?:{o})" for o in OPERATORS))
SHARD_FILE = "session.sqlite"


def copy_project(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)


def test_command(target: Target, tree: Path) -> str:
    """pytest on each test file in turn, stopping at the first failure: a mutant the fast unit
    tests catch never pays for importing and running the slower back-tests."""
    runs = [f"{sys.executable} {PYTEST} {t}" for t in target.tests if (tree / t).exists()]
    return runs[0] if len(runs) == 1 else "sh -c '" + " && ".join(runs) + "'"


def test_env(tree: Path) -> dict[str, str]:
    # The copy, not the work tree, must be what the tests import.
    return dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")


def baseline(target: Target, tree: Path) -> float:
    """Seconds the unmutated tests take; they must pass, importing the copy."""
    where = subprocess.run(
        [sys.executable, "-c", f"import pipelines.{target.name} as m; print(m.__file__)"],
        cwd=tree, env=test_env(tree), capture_output=True, text=True, check=True,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{target.name}: tests would import {where}, not the copy in {tree}")
    started = time.monotonic()
    run = subprocess.run(shlex.split(test_command(target, tree)), cwd=tree,
                         env=test_env(tree), capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(f"{target.name}: the tests fail before any mutation:\n{run.stdout}")
    return time.monotonic() - started


def in_annotation(module: parso.tree.BaseNode, position: tuple[int, int]) -> bool:
    """Whether the code at `position` is a type annotation (never evaluated: every module has
    `from __future__ import annotations`)."""
    leaf = module.get_leaf_for_position(position)
    node = leaf
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type == "tfpdef" and parent.children[-1] is node:  # name: annotation
            return True
        if parent.type == "funcdef" and parent.annotation is node:
            return True
        if parent.type == "annassign" and parent.children[1] is node:
            return True
        node = parent
    return False


def mutants(module_path: str, module: parso.tree.BaseNode) -> list[WorkItem]:
    """Every mutant of the used operators, as cosmic-ray's `init` lists them (an occurrence is
    the n-th place the operator applies in the module)."""
    items = []
    for name in cosmic_ray.plugins.operator_names():
        if not USED.fullmatch(name):
            continue
        operator = cosmic_ray.plugins.get_operator(name)()
        positions = [p for node in ast_nodes(module) for p in operator.mutation_positions(node)]
        for occurrence, (start, end) in enumerate(positions):
            items.append(WorkItem.single(uuid.uuid4().hex, MutationSpec(
                module_path=module_path, operator_name=name, occurrence=occurrence,
                start_pos=start, end_pos=end)))
    return sorted(items, key=lambda w: (w.mutations[0].start_pos, w.mutations[0].operator_name))


def plan(target: Target, tree: Path, shards: int, equivalents: dict[Mutant, str]
         ) -> list[tuple[list[WorkItem], dict[str, WorkResult]]]:
    """The module's mutants split into shards: (work items, results decided before running)."""
    module = get_ast_from_path(tree / target.module_path)
    split: list[tuple[list[WorkItem], dict[str, WorkResult]]] = [([], {}) for _ in range(shards)]
    used = [w for w in mutants(target.module_path, module)
            if not in_annotation(module, w.mutations[0].start_pos)]
    listed = any(m.module == target.module_path for m in equivalents)
    for i, item in enumerate(used):
        work, decided = split[i % shards]
        work.append(item)
        reason = equivalents.get(mutant_of(tree, item.mutations[0])) if listed else None
        if reason is not None:
            decided[item.job_id] = WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                              output=f"{report.EQUIVALENT}{reason}")
    return split


def run_shard(target: Target, tree: Path, timeout: float, log: Path) -> int:
    config = tree / "cosmic-ray.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{target.module_path}"\n'
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f'test-command = "{test_command(target, tree)}"\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    with log.open("w") as out:
        return subprocess.run(
            [sys.executable, "-m", "cosmic_ray.cli", "exec", str(config), SHARD_FILE],
            cwd=tree, env=test_env(tree), stdout=out, stderr=subprocess.STDOUT, check=False,
        ).returncode


def retest(target: Target, base: Path, equivalents: dict[Mutant, str]
           ) -> list[tuple[float, Target, Path, float]]:
    """Shards of the last run with the current tests and allow-list, survivors made pending.
    Only for a module unchanged since that run (its mutants are numbered by position)."""
    tasks = []
    for tree in sorted(base.glob("shard-*")):
        # A run that was stopped may have left a mutant in the copy.
        shutil.copy2(PROJECT / target.module_path, tree / target.module_path)
        shutil.rmtree(tree / "tests")
        shutil.copytree(PROJECT / "tests", tree / "tests",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        timeout = float(re.search(r"timeout = (\d+)", (tree / "cosmic-ray.toml").read_text())[1])
        with use_db(str(tree / SHARD_FILE)) as db:
            survived = [job for job, result in db.results
                        if result.test_outcome == TestOutcome.SURVIVED]
        module = get_ast_from_path(tree / target.module_path)
        with use_db(str(tree / SHARD_FILE)) as db:
            annotations = [w.job_id for w in db.work_items
                           if in_annotation(module, w.mutations[0].start_pos)]
        with sqlite3.connect(tree / SHARD_FILE) as con:
            for table in ("work_results", "mutation_specs", "work_items"):
                con.executemany(f"delete from {table} where job_id = ?",
                                [(job,) for job in annotations])
            con.executemany("delete from work_results where job_id = ?",
                            [(job,) for job in survived])
        with use_db(str(tree / SHARD_FILE)) as db:
            pending = db.pending_work_items
            for item in pending:
                reason = equivalents.get(mutant_of(tree, item.mutations[0]))
                if reason is not None:
                    db.set_result(item.job_id, WorkResult(
                        worker_outcome=WorkerOutcome.SKIPPED,
                        output=f"{report.EQUIVALENT}{reason}"))
            left = len(db.pending_work_items)
        print(f"{target.name} {tree.name}: {len(survived)} survivors, {left} to run again",
              flush=True)
        tasks.append((float(left), target, tree, timeout))
    return tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default=",".join(TARGETS),
                        help=f"comma-separated, from {', '.join(TARGETS)}")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=PROJECT / "var" / "mutation")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="keep the last run's results; run its survivors (and anything "
                             "left pending) again against the tests as they are now")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    targets = [TARGETS[name.strip()] for name in args.modules.split(",") if name.strip()]
    equivalents = load_equivalents()
    started = time.monotonic()

    tasks = []
    for target in targets if args.retest_survivors else ():
        tasks += retest(target, args.out / target.name, equivalents)
    for target in () if args.retest_survivors else targets:
        base = args.out / target.name
        if base.exists():
            shutil.rmtree(base)
        first = base / "shard-0"
        copy_project(first)
        seconds = baseline(target, first)
        timeout = max(4 * seconds, seconds + 30)
        shards = plan(target, first, args.jobs, equivalents)
        for index, (work, decided) in enumerate(shards):
            tree = base / f"shard-{index}"
            if index:
                shutil.copytree(first, tree, ignore=shutil.ignore_patterns(SHARD_FILE))
            with use_db(str(tree / SHARD_FILE)) as db:
                db.add_work_items(work)
                for job_id, result in decided.items():
                    db.set_result(job_id, result)
            pending = len(work) - len(decided)
            tasks.append((pending * seconds, target, tree, timeout))
        print(f"{target.name}: {sum(len(w) for w, _ in shards)} mutants, tests take "
              f"{seconds:.1f} s unmutated", flush=True)

    tasks.sort(key=lambda t: -t[0])
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        codes = list(pool.map(lambda t: run_shard(t[1], t[2], t[3], t[2] / "exec.log"), tasks))
    if any(codes):
        print(f"cosmic-ray exec failed in {sum(1 for c in codes if c)} shard(s); see exec.log",
              file=sys.stderr)
    print(f"mutation run took {(time.monotonic() - started) / 60:.1f} min", flush=True)
    return report.main(["--out", str(args.out), "--modules", ",".join(t.name for t in targets)]) \
        or (1 if any(codes) else 0)


if __name__ == "__main__":
    sys.exit(main())
