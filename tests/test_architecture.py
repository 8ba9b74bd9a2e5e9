"""The one-way import rule (pyproject.toml, [tool.importlinter]): it holds, it is complete, and
it fails when someone imports upwards."""

from __future__ import annotations

import ast
import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import pipelines

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PUBLIC_VALIDATION = "validate_records"
ALLOWED_TO_DASHBOARD = {"definitions", "validate"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH is the tree under test alone, so a copy is checked, not this checkout.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " broken" not in result.stdout.replace("0 broken", "")


def test_the_dashboard_contract_forbids_every_pipeline_module_but_the_definitions() -> None:
    """A new pipelines module is forbidden to the dashboard only once it is listed: so list it."""
    modules = {f"pipelines.{m.name}" for m in pkgutil.iter_modules(pipelines.__path__)
               if m.name not in ALLOWED_TO_DASHBOARD}
    modules.add("pipelines.__main__")
    contracts = _contracts()
    assert set(contracts["dashboard-imports-only-definitions"]["forbidden_modules"]) == modules
    assert (set(contracts["definitions-are-pure"]["forbidden_modules"])
            == modules | {"pipelines.validate"})


def _taken_from_validate(root: Path) -> set[str]:
    """What dashboard/ takes from pipelines.validate: names, or the whole module."""
    taken: set[str] = set()
    for path in (root / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "pipelines.validate":
                taken.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module == "pipelines":
                taken.update("the module" for a in node.names if a.name == "validate")
            elif isinstance(node, ast.Import):
                taken.update("the module" for a in node.names if a.name == "pipelines.validate")
    return taken


def test_the_dashboard_takes_only_validate_records_from_the_validation_module() -> None:
    # import-linter sees modules, not names: this checks the one name.
    assert _taken_from_validate(ROOT) == {PUBLIC_VALIDATION}


@pytest.fixture(scope="module")
def kept_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two packages and the contracts, copied; each test below breaks a copy of this."""
    copy = tmp_path_factory.mktemp("clean")
    for package in ("pipelines", "dashboard"):
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("dashboard/charts/spine.py", "from dashboard import narrative",
     "dashboard/ layers"),
    ("dashboard/formatting.py", "from dashboard.charts import palette",
     "dashboard/ layers"),
    ("dashboard/narrative/borough.py", "from dashboard.exports import content",
     "dashboard/ layers"),
    ("dashboard/data.py", "from pipelines import kpis",
     "dashboard/ imports only pipelines.definitions"),
    ("pipelines/kpis.py", "import dashboard.data",
     "pipelines/ never imports dashboard/"),
    ("pipelines/definitions/registry.py", "from pipelines import stats",
     "pipelines.definitions imports no other pipeline code"),
    ("pipelines/outputs.py", "from pipelines import build",
     "No two modules"),
    ("dashboard/charts/spine.py", "import streamlit",
     "Logic modules"),
])
def test_an_upward_import_breaks_the_contract(tmp_path: Path, kept_copy: Path, module: str,
                                               bad_import: str, contract: str) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(kept_copy, tree)
    assert _lint_imports(tree).returncode == 0
    target = tree / module
    target.write_text(target.read_text() + f"\n{bad_import}  # the deliberate upward import\n")
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken


@pytest.mark.parametrize("bad_import", ["from pipelines.validate import stage",
                                        "from pipelines import validate",
                                        "import pipelines.validate"])
def test_taking_more_than_validate_records_is_caught(tmp_path: Path, kept_copy: Path,
                                                     bad_import: str) -> None:
    shutil.copytree(kept_copy, tmp_path / "tree")
    target = tmp_path / "tree" / "dashboard" / "store" / "validation.py"
    target.write_text(target.read_text() + f"\n{bad_import}\n")
    assert _taken_from_validate(tmp_path / "tree") != {PUBLIC_VALIDATION}
