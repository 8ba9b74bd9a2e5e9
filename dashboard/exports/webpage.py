"""The board pack as one self-contained HTML file: text escaped, never markup; charts as
embedded PNG images."""

from __future__ import annotations

import base64
import html
from string import Template

import polars as pl

from dashboard.charts import palette
from dashboard.exports.pack import ABOUT_TEXT, BoardPack
from dashboard.exports.render import (
    CONTENTS_TITLE,
    SYNTHETIC_LABEL,
    cell_text,
    dates_in_words,
    figure_png,
)


def _html_table(table: pl.DataFrame) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell_text(v))}</td>" for v in row)
        + "</tr>" for row in table.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


HTML_STYLE = Template("""
body{font-family:Arial,Helvetica,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:$text;line-height:1.45}
h1{font-size:1.9rem;color:$heading}h2{font-size:1.3rem;margin-top:2.5rem;color:$heading;
border-top:1px solid $rule;padding-top:1rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem;
color:$heading}.synthetic{background:$synthetic_fill;border:2px solid $synthetic_border;
padding:.75rem;font-weight:bold}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid $table_border;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:$table_head}img{max-width:100%;height:auto}.figures{display:flex;flex-wrap:wrap;
gap:1rem;align-items:flex-start}.figures img{flex:1 1 20rem;min-width:0}dl{display:grid;
grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}
""").substitute(text=palette.PACK_TEXT, heading=palette.PACK_HEADING, rule=palette.PACK_RULE,
                synthetic_fill=palette.SYNTHETIC_FILL, synthetic_border=palette.SYNTHETIC_BORDER,
                table_border=palette.PACK_TABLE_BORDER, table_head=palette.PACK_TABLE_HEAD)


def _anchor(index: int) -> str:
    return f"section-{index + 1}"


def to_html(pack: BoardPack) -> str:
    parts = [f"<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{html.escape(pack.title)}, {html.escape(pack.period)}</title>"
             f"<style>{HTML_STYLE}</style></head><body><main>",
             f"<h1>Board pack: {html.escape(pack.scope_name)}, {html.escape(pack.period)}</h1>",
             f"<p>{html.escape(ABOUT_TEXT)}</p><dl>"]
    parts += [f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>"
              for label, text in pack.cover_lines()]
    parts.append("</dl>")
    if pack.synthetic:
        parts.append(f"<p class=\"synthetic\">{html.escape(SYNTHETIC_LABEL)}</p>")
    parts.append(f"<nav aria-labelledby=\"contents\"><h2 id=\"contents\">{CONTENTS_TITLE}</h2>"
                 "<ol>")
    parts += [f"<li><a href=\"#{_anchor(i)}\">{html.escape(s.title)}</a></li>"
              for i, s in enumerate(pack.sections) if s.in_contents]
    parts.append("</ol></nav>")
    for index, section in enumerate(pack.sections):
        parts.append(f"<section id=\"{_anchor(index)}\"><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(dates_in_words(p))}</p>" for p in section.text]
        for finding in section.findings:
            parts.append(f"<h3>{html.escape(finding.heading)}</h3><ul>")
            parts += [f"<li>{html.escape(dates_in_words(item))}</li>" for item in
                      finding.items or ([finding.empty] if finding.empty else [])]
            parts.append("</ul>")
        if section.figures:
            parts.append("<div class=\"figures\">")
            for figure in section.figures:
                encoded = base64.b64encode(figure_png(figure)).decode("ascii")
                parts.append(f"<img src=\"data:image/png;base64,{encoded}\" "
                             f"alt=\"{html.escape(figure.alt_text)}\">")
            parts.append("</div>")
        if section.table is not None and not section.table.is_empty():
            parts.append(_html_table(section.table))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
