"""The allow-list of equivalent mutants (tools/mutation/equivalent.toml) and how a mutant is named.

A mutant is named by its module, operator and the source line before and after the change, not by
a line number or occurrence, so the allow-list survives edits elsewhere in the module.
"""

from __future__ import annotations

import difflib
import tomllib
from functools import cache
from pathlib import Path
from typing import NamedTuple

import cosmic_ray.plugins
from cosmic_ray.mutating import mutate_code
from cosmic_ray.work_item import MutationSpec

ALLOW_LIST = Path(__file__).resolve().parents[1] / "equivalent.toml"


class Mutant(NamedTuple):
    module: str
    operator: str
    line: str
    mutated: str


def load_equivalents(path: Path = ALLOW_LIST) -> dict[Mutant, str]:
    """Each allow-listed mutant and the reason it cannot change behaviour."""
    entries = tomllib.loads(path.read_text()).get("equivalent", [])
    found = {}
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise ValueError(f"{path}: an equivalent mutant needs a reason: {entry}")
        found[Mutant(entry["module"], entry["operator"], entry["line"], entry["mutated"])] = \
            entry["reason"].strip()
    return found


@cache
def _source(path: Path) -> str:
    return path.read_text()


def mutant_of(tree: Path, spec: MutationSpec, diff: str | None = None) -> Mutant:
    """The mutant `spec` makes in the module under `tree` (from cosmic-ray's `diff` of it when
    it has run)."""
    if diff is None:
        source = _source(tree / spec.module_path)
        operator = cosmic_ray.plugins.get_operator(spec.operator_name)(
            **(spec.operator_args or {}))
        mutated = mutate_code(source, operator, spec.occurrence) or source
        diff = "\n".join(difflib.unified_diff(source.splitlines(), mutated.splitlines(),
                                              lineterm="", n=0))
    before, after = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")) or not line.startswith(("-", "+")):
            continue
        (before if line.startswith("-") else after).append(line[1:].strip())
    return Mutant(str(spec.module_path), spec.operator_name, " | ".join(before),
                  " | ".join(after))
