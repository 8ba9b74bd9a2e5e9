"""Every setting the code reads is documented in the README (a setting added without docs fails
here), the README keeps the newcomer's two commands, and every citation of the design points
into docs/DESIGN.md, which a clone has."""

import os
import re
from pathlib import Path

import pytest

from dashboard import settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DESIGN = ROOT / "docs" / "DESIGN.md"
OUTSIDE_CLONE = "../" + "shared/"  # split so this file does not cite it
SECTION_CITATION = re.compile("\u00a7" + r"\s?(\d+)")
SECTION_HEADING = re.compile("^## \u00a7" + r"(\d+) ", flags=re.MULTILINE)
DESIGN_PATH = re.compile(r"`((?:pipelines|dashboard|tests|docs|tools|data_samples)/[^`\s]*)`")
NOT_SOURCE = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache",
              ".ruff_cache", ".mypy_cache"}


# Reading the environment by a literal name, or through a *_ENV constant holding one.
_READS = (r'_ENV\s*=\s*"([A-Z_]+)"', r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"',
          r'os\.environ\[\s*"([A-Z_]+)"\s*\](?!\s*=[^=])', r'getenv\(\s*"([A-Z_]+)"')
_ANY_READ = r"os\.environ\.get\(|getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])"


def _product_files() -> list[Path]:
    return [*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("pipelines/**/*.py")]


def _environment_settings() -> set[str]:
    found = set()
    for path in _product_files():
        for pattern in _READS:
            found |= set(re.findall(pattern, path.read_text()))
    return found


def _makefile_settings() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Z_]+) \?=", text, flags=re.MULTILINE)) - {"PYTHON", "SAMPLES"}


def _readme_settings_rows() -> dict[str, str]:
    """The README's Settings table, by setting name (the secrets file's row is Streamlit's own,
    documented in .streamlit/secrets.example.toml)."""
    section = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {re.match(r"\| `([^`]+)`", row).group(1): row for row in rows
            if "secrets.toml" not in row}


def test_the_environment_is_read_only_through_settings() -> None:
    """Every environment setting is read through dashboard.settings.read, so none escapes the
    declaration (writing one, as the board pack's --warehouse does, is allowed)."""
    readers = sorted(str(p.relative_to(ROOT)) for p in _product_files()
                     if p.name != "settings.py" and re.search(_ANY_READ, p.read_text()))
    assert readers == []
    assert _environment_settings() <= {s.name for s in settings.ENVIRONMENT_SETTINGS}


def test_make_variables_are_declared() -> None:
    assert _makefile_settings() == {s.name for s in settings.MAKE_VARIABLES}


def test_every_declared_setting_is_documented_in_the_readme() -> None:
    """The README's Settings table holds each declared setting's row word for word, and no row
    for a setting that is not declared."""
    rows = _readme_settings_rows()
    missing = [s.name for s in settings.SETTINGS if rows.get(s.name) != settings.table_row(s)]
    assert not missing, f"settings not documented (or documented differently) in README.md: " \
                        f"{missing}; expected rows: " \
                        f"{[settings.table_row(s) for s in settings.SETTINGS if s.name in missing]}"
    assert set(rows) == {s.name for s in settings.SETTINGS}


def test_the_docs_check_fails_on_an_undocumented_setting(monkeypatch) -> None:
    extra = settings.Setting("COC_NEW", settings.ENVIRONMENT, "unset", "a new setting")
    monkeypatch.setattr(settings, "SETTINGS", (*settings.SETTINGS, extra))
    with pytest.raises(AssertionError, match="COC_NEW"):
        test_every_declared_setting_is_documented_in_the_readme()


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
