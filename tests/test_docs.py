"""Every setting the code reads is documented in the README (a setting added without docs fails
here), the README keeps the newcomer's two commands, and every citation of the design points
into docs/DESIGN.md, which a clone has."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DESIGN = ROOT / "docs" / "DESIGN.md"
OUTSIDE_CLONE = "../" + "shared/"  # split so this file does not cite it
SECTION_CITATION = re.compile("\u00a7" + r"\s?(\d+)")
SECTION_HEADING = re.compile("^## \u00a7" + r"(\d+) ", flags=re.MULTILINE)
DESIGN_PATH = re.compile(r"`((?:pipelines|dashboard|tests|docs|tools|data_samples)/[^`\s]*)`")
NOT_SOURCE = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache",
              ".ruff_cache", ".mypy_cache"}


def _environment_settings() -> set[str]:
    found = set()
    for path in [*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("pipelines/**/*.py")]:
        found |= set(re.findall(r'_ENV\s*=\s*"([A-Z_]+)"', path.read_text()))
        found |= set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', path.read_text()))
    return found


def _makefile_settings() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Z_]+) \?=", text, flags=re.MULTILINE)) - {"PYTHON", "SAMPLES"}


def test_environment_settings_are_found_and_documented() -> None:
    settings = _environment_settings()
    assert {"COC_WAREHOUSE", "COC_APP_DB", "COC_LOCAL_WRITES"} <= settings
    missing = sorted(s for s in settings if f"`{s}`" not in README)
    assert not missing, f"settings not documented in README.md: {missing}"


def test_make_variables_are_documented() -> None:
    missing = sorted(s for s in _makefile_settings() if f"`{s}`" not in README)
    assert not missing, f"make variables not documented in README.md: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:2500]
    assert "make run" in head and "make test" in head


def test_the_layout_names_every_module_and_package() -> None:
    """The README's Layout block matches the tree: each pipelines and dashboard module (one
    level inside a package) and each sub-package is named in it."""
    layout = README.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"^\s*([\w.]+/?)\s", layout, flags=re.MULTILINE))
    expected = set()
    for folder in ("pipelines", "pipelines/definitions", "dashboard"):
        for path in (ROOT / folder).iterdir():
            if path.suffix == ".py" and path.stem not in ("__init__", "__main__"):
                expected.add(path.name)
            elif path.is_dir() and (path / "__init__.py").exists():
                expected.add(f"{path.name}/")
    missing = sorted(expected - named)
    assert not missing, f"modules missing from the README's Layout: {missing}"


def _repository_texts() -> dict[Path, str]:
    """Every text file of the repository (not the environment, caches or generated var/)."""
    texts = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE]
        for name in files:
            path = Path(folder) / name
            try:
                texts[path] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images and other binaries cite nothing
    return texts


def test_the_design_is_in_the_repository_and_cited_by_sections_it_has() -> None:
    sections = set(SECTION_HEADING.findall(DESIGN.read_text(encoding="utf-8")))
    assert {str(n) for n in range(1, 13)} <= sections
    outside, missing = [], []
    for path, text in _repository_texts().items():
        where = path.relative_to(ROOT)
        if OUTSIDE_CLONE in text:
            outside.append(str(where))
        missing += [f"{where}: \u00a7{n}" for n in SECTION_CITATION.findall(text)
                    if n not in sections]
    assert not outside, f"these cite a design outside the repository: {outside}"
    assert not missing, f"these cite sections docs/DESIGN.md does not have: {missing}"
    assert "docs/DESIGN.md" in README


def test_every_path_the_design_names_exists() -> None:
    """Files move (issue 12 moved the definitions); the design must follow them."""
    named = set(DESIGN_PATH.findall(DESIGN.read_text(encoding="utf-8")))
    assert "pipelines/synth/" in named
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"docs/DESIGN.md names paths that do not exist: {missing}"
