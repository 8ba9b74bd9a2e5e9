"""One palette: no colour literal outside dashboard/charts/palette.py (dashboard.charts.palette).

Every string in the product's code is read (through its syntax tree, so a comment may still
name a colour): a hex colour (#rgb, #rrggbb, #rrggbbaa), an rgb()/hsl() colour, a CSS colour
name given to a colour argument or variable (color=, fill=, stroke=, ...Color=, colour = ...,
alt.value(...)) or a
Streamlit colour directive (':red[...]') anywhere else fails the test.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from altair.vegalite.v6.schema import core

from dashboard.charts import palette

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("dashboard", "pipelines")
PALETTE = ROOT / "dashboard" / "charts" / "palette.py"
HEX = re.compile(r"#(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?![0-9A-Za-z])")
FUNCTION = re.compile(r"\b(?:rgba?|hsla?)\(", re.IGNORECASE)
STREAMLIT_NAMES = {"red", "orange", "yellow", "green", "blue", "violet", "gray", "grey",
                   "rainbow", "primary"}
NAMES = {n.lower() for n in core.ColorName.resolve_references()["enum"]} | STREAMLIT_NAMES
DIRECTIVE = re.compile(r":(" + "|".join(sorted(STREAMLIT_NAMES)) + r")(?:-background)?\[")
COLOUR_ARGUMENT = re.compile(r"colou?r|fill|stroke|background", re.IGNORECASE)
COLOUR_SETTER = re.compile(r"colou?r$", re.IGNORECASE)


def colour_literals(source: str) -> list[str]:
    """Every colour literal in Python source, as '<line>: <literal>'."""
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for pattern in (HEX, FUNCTION, DIRECTIVE):
                found += [f"{node.lineno}: {m.group(0)}" for m in pattern.finditer(node.value)]
        named: list[ast.expr] = []
        if isinstance(node, ast.keyword) and node.arg and COLOUR_ARGUMENT.search(node.arg):
            named.append(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "value":
            named += node.args
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and COLOUR_ARGUMENT.search(t.id) for t in targets) \
                    and node.value is not None:
                named.append(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and COLOUR_SETTER.search(node.func.attr) and node.args \
                and all(isinstance(a, ast.Constant) and isinstance(a.value, int)
                        for a in node.args):
            found.append(f"{node.lineno}: {node.func.attr}{tuple(a.value for a in node.args)}")
        for value in named:
            if isinstance(value, ast.Tuple) and len(value.elts) in (3, 4) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, int)
                    for e in value.elts):
                found.append(f"{value.lineno}: an RGB tuple")
            for constant in ast.walk(value):
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str) \
                        and constant.value.lower() in NAMES:
                    found.append(f"{constant.lineno}: {constant.value}")
    return found


def product_files() -> list[Path]:
    return sorted(p for folder in PRODUCT for p in (ROOT / folder).rglob("*.py")
                  if p != PALETTE)


def test_no_colour_literal_outside_the_palette() -> None:
    offenders = {str(p.relative_to(ROOT)): found for p in product_files()
                 if (found := colour_literals(p.read_text(encoding="utf-8")))}
    assert not offenders, offenders


@pytest.mark.parametrize("source", [
    'X = "#0072B2"',
    'chart.mark_rule(color="#555")',
    'css = "a{outline:3px solid #0b0c0cff}"',
    'style = "color: rgb(0, 0, 0)"',
    'chart.mark_rect(stroke="grey")',
    'alt.value("white")',
    'alt.Scale(range=["red", "black"]).encode(color=alt.value("Black"))',
    'text = ":green[better] than last year"',
    'colour = "gray" if good is None else "green"',
    'pdf.set_text_color(60, 60, 60)',
    'FontFace(emphasis="BOLD", fill_color=(230, 230, 230))',
    'DARK_BLUE_COLOUR = (0, 48, 87)',
])
def test_the_check_finds_a_planted_colour(source: str) -> None:
    assert colour_literals(source)


@pytest.mark.parametrize("source", [
    'FORMAT = {"num_format": "#,##0"}',
    'RAG = {"red": "Red", "green": "Green"}',  # words, not colours given to a colour argument
    'resolve_scale(color="independent")',
    'note = "see issue #12 and R#1"',
])
def test_the_check_leaves_words_alone(source: str) -> None:
    assert not colour_literals(source)


def test_the_theme_file_repeats_the_palette() -> None:
    """Streamlit reads its theme from .streamlit/config.toml before any code runs, so the theme's
    colours are the one place a colour is written outside the palette: each must be a palette
    colour."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    colours = {k: v for k, v in theme.items() if isinstance(v, str) and HEX.fullmatch(v)}
    assert colours == {"textColor": palette.PAGE_TEXT}


def test_categorical_colours_come_from_okabe_ito() -> None:
    okabe_ito = {palette.ORANGE, palette.SKY_BLUE, palette.BLUISH_GREEN, palette.YELLOW,
                 palette.BLUE, palette.VERMILLION, palette.REDDISH_PURPLE, palette.BLACK,
                 palette.GREY}
    for mapping in (palette.SENTIMENT_COLOURS, palette.RELEASE_TYPE_COLOURS,
                    palette.SEX_COLOURS, palette.RAG_COLOURS):
        assert set(mapping.values()) <= okabe_ito
    assert set(palette.MILESTONE_COLOURS) | set(palette.YEAR_COLOURS) <= okabe_ito
