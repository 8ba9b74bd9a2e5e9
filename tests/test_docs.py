"""Every setting the code reads is documented in the README (a setting added without docs fails
here), and the README keeps the newcomer's two commands."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


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
