"""Every setting the code reads is documented in the README (a setting added without docs fails
here), and the README keeps the newcomer's two commands."""

import re
from pathlib import Path

import pytest

from dashboard import settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


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
