"""The published vocabulary has one owner: the status, area-type and comparison tokens are
written out only in pipelines/definitions/published.py, and their display words only in
dashboard/words.py. Everything else in the product uses the constants, so a grep for a token
finds its two owners (and the tests)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("pipelines", "dashboard")
OWNERS = {Path("pipelines/definitions/published.py"), Path("dashboard/words.py")}
# The synthetic generator writes other systems' files (a Fingertips download says "Better"),
# not our warehouse: its words are that format's.
EXEMPT = {Path("pipelines/synth.py")}
EXEMPT_DIRS = (Path("pipelines/synth"),)

STATUS = ("published", "suppressed", "immature")
COMPARISON = ("better", "similar", "worse", "not_compared")
AREA = ("subregion", "london", "england")
AREA_BY_CONTEXT = ("la", "prison")  # also column names: a token only beside area_type
TOKENS = frozenset(STATUS + COMPARISON + AREA)
# Words of the vocabulary written inside other text: SQL literals and display wording.
QUOTED_IN_TEXT = re.compile(r"'(published|suppressed|immature|subregion|england)'")
WORDING = re.compile(r"\b(Better|Worse|Similar|Higher|Lower) (than|to)\b|\bNot compared\b|"
                     r"getting (better|worse)|Special cause|Common cause|Cannot be calculated")


def _product_files() -> list[Path]:
    files = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in OWNERS or relative in EXEMPT or any(
                    relative.is_relative_to(d) for d in EXEMPT_DIRS):
                continue
            files.append(relative)
    return files


def literal_tokens(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal in `source` that is a published token, or that
    writes one inside other text (SQL) or words one (display wording)."""
    lines = source.splitlines()
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING:
            continue
        text = token.string
        prefix = text[:len(text) - len(text.lstrip("rbuRBUfF"))]
        body = text[len(prefix):]
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        value = body[len(quote):-len(quote)]
        line = token.start[0]
        if "f" not in prefix.lower() and quote in ('"', "'"):
            if value in TOKENS or (value in AREA_BY_CONTEXT
                                   and "area_type" in lines[line - 1]):
                found.append((line, text))
                continue
        if QUOTED_IN_TEXT.search(value) or (quote in ('"', "'") and WORDING.search(value)):
            found.append((line, text))
    return found


@pytest.mark.parametrize("path", _product_files(), ids=str)
def test_no_published_token_is_written_out(path: Path) -> None:
    found = literal_tokens((ROOT / path).read_text(encoding="utf-8"))
    assert not found, f"{path}: use pipelines.definitions.published or dashboard.words: {found}"


@pytest.mark.parametrize(("source", "caught"), [
    ('x = pl.col("status") == "published"\n', True),
    ("y = f(a, 'suppressed')\n", True),
    ('q = "select 1 where status = \'immature\'"\n', True),
    ('z = {"better": 1}\n', True),
    ('w = rows.filter(pl.col("area_type") == "la")\n', True),
    ('label = "Better than London"\n', True),
    ('v = pl.col("la")\n', False),
    ('doc = "published figures are shown"\n', False),
    ("s = PUBLISHED\n", False),
])
def test_the_check_catches_a_written_out_token(source: str, caught: bool) -> None:
    assert bool(literal_tokens(source)) is caught
