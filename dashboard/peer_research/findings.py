"""Findings from approved, de-identified accounts, with the product's disclosure rules.

Counts of accounts are counts of people, so:

- a count from 1 to 4 is hidden (zeros are shown);
- no hidden count can be recovered by subtraction: in every group where a published total is
  the sum of its parts (a theme's accounts across the settings or places; the accounts of each
  setting or place within all accounts), a group with hidden parts has at least two hidden
  members and its hidden parts do not add up to 1 to 4; otherwise the smallest published part
  (the total when no part is left) is hidden too, until every group is safe (the rule of
  pipelines/disclosure.py, implemented here for these tables);
- a quote is shown only from a cell (theme by setting) with at least 5 accounts, and its theme
  having at least 5 accounts.

The agreed coding is the first pass (the coordinator updates it after discussing
disagreements). Accounts may have several themes, so a theme's counts do not add across themes.
"""

from __future__ import annotations

import polars as pl

from dashboard.formatting import SUPPRESSED_MARK
from dashboard.peer_research.model import AREAS, QUESTIONS, SETTING_TITLES
from pipelines.definitions import reference
from pipelines.definitions.published import SUBREGION

SMALL_MIN, SMALL_MAX = 1, 4
QUOTE_MIN_ACCOUNTS = 5
NOT_GIVEN = "Not given"
TOTAL = "All"
DIMENSIONS = {"setting": "Setting", SUBREGION: "Sub-region", "recommendation":
              "Recommendation"}
SUBREGION_OF = {la.code: la.subregion for la in reference.LONDON_LAS} | {
    s.code: s.code for s in reference.SUBREGIONS}
SUBREGION_NAMES = {s.code: s.name for s in reference.SUBREGIONS}
ACCOUNT_SCHEMA = {"account_id": pl.String, "setting": pl.String, SUBREGION: pl.String,
                  "area": pl.String, "themes": pl.List(pl.String)}


def coded_accounts(accounts: list[dict], codings: pl.DataFrame) -> pl.DataFrame:
    """Approved accounts with their agreed (first-pass) themes, setting and sub-region."""
    first = {row["account_id"]: row["themes"] for row in
             codings.filter(pl.col("pass") == "first").iter_rows(named=True)}
    rows = [{"account_id": a["record_id"],
             "setting": SETTING_TITLES.get(a["setting"], a["setting"]),
             SUBREGION: SUBREGION_NAMES.get(SUBREGION_OF.get(a.get("area") or ""), NOT_GIVEN),
             "area": AREAS.get(a.get("area") or "", NOT_GIVEN),
             "themes": first.get(a["record_id"], [])} for a in accounts
            if a["status"] == "approved"]
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA, orient="row")


def _unsafe(parts: list[tuple[int, bool]], total: tuple[int, bool] | None) -> bool:
    hidden_parts = [count for count, hidden in parts if hidden]
    n_hidden = len(hidden_parts) + (1 if total and total[1] else 0)
    if n_hidden == 1:
        return True
    return bool(total and not total[1] and hidden_parts
                and SMALL_MIN <= sum(hidden_parts) <= SMALL_MAX)


def protect(counts: dict[tuple[str, str], int], row_totals: dict[str, int],
            column_totals: dict[str, int], grand_total: int) -> set[tuple[str, str]]:
    """The keys to hide in a table of cells (row, column), with row totals (the sum of each
    row's cells), column totals (the sum of each column over the rows' own
    categories, not of the cells: rows overlap) and the grand total (the sum of the column
    totals). Keys are (row, column) cells, (row, TOTAL) and (TOTAL, column)."""
    value: dict[tuple[str, str], int] = dict(counts)
    value |= {(row, TOTAL): n for row, n in row_totals.items()}
    value |= {(TOTAL, column): n for column, n in column_totals.items()}
    value[(TOTAL, TOTAL)] = grand_total
    hidden = {key for key, n in value.items() if SMALL_MIN <= n <= SMALL_MAX}
    groups = [([(row, column) for column in column_totals if (row, column) in counts],
               (row, TOTAL)) for row in row_totals]
    groups.append(([(TOTAL, column) for column in column_totals], (TOTAL, TOTAL)))
    while True:
        changed = False
        for parts, total in groups:
            state = [(value[p], p in hidden) for p in parts]
            if not _unsafe(state, (value[total], total in hidden)):
                continue
            shown = sorted((value[p], p) for p in parts if p not in hidden)
            hidden.add(shown[0][1] if shown else total)
            changed = True
        if not changed:
            return hidden


def theme_table(coded: pl.DataFrame, themes: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """Accounts by theme and `dimension` (setting or subregion), disclosure-controlled: one row
    per theme, a column per category and 'All'; hidden counts are null. Columns `theme`,
    `name`, then the categories, then All; a last row 'All' has the accounts per category."""
    categories = sorted(coded[dimension].unique().to_list()) if coded.height else []
    exploded = coded.explode("themes").drop_nulls("themes")
    counts = {(r["themes"], r[dimension]): r["n"] for r in exploded.group_by(
        "themes", dimension).agg(pl.col("account_id").n_unique().alias("n"))
        .iter_rows(named=True)}
    codes = themes["code"].to_list()
    counts |= {(t, c): 0 for t in codes for c in categories if (t, c) not in counts}
    row_totals = {t: sum(counts[(t, c)] for c in categories) for t in codes}
    column_totals = {c: coded.filter(pl.col(dimension) == c).height for c in categories}
    hidden = protect({k: v for k, v in counts.items() if k[0] in codes}, row_totals,
                     column_totals, coded.height)
    names = dict(zip(themes["code"], themes["name"], strict=True))
    rows = []
    for code in codes:
        row: dict[str, object] = {"theme": code, "name": names[code]}
        for c in categories:
            row[c] = None if (code, c) in hidden else counts[(code, c)]
        row[TOTAL] = None if (code, TOTAL) in hidden else row_totals[code]
        rows.append(row)
    last: dict[str, object] = {"theme": TOTAL, "name": "All accounts"}
    for c in categories:
        last[c] = None if (TOTAL, c) in hidden else column_totals[c]
    last[TOTAL] = None if (TOTAL, TOTAL) in hidden else coded.height
    rows.append(last)
    schema = {"theme": pl.String, "name": pl.String} | {c: pl.Int64 for c in
                                                         [*categories, TOTAL]}
    return pl.DataFrame(rows, schema=schema, orient="row")


def recommendation_table(coded: pl.DataFrame, themes: pl.DataFrame) -> pl.DataFrame:
    """Accounts touching each foundation or recommendation (through their themes' links);
    counts 1 to 4 hidden. Recommendations overlap, so there is no total to subtract from."""
    links = dict(zip(themes["code"], themes["links"].to_list(), strict=True))
    rows = []
    for rec in reference.RECOMMENDATIONS:
        n = sum(1 for t in coded["themes"].to_list() if any(rec.id in links.get(code, [])
                                                            for code in t))
        rows.append({"recommendation": rec.id, "title": rec.short_title,
                     "accounts": None if SMALL_MIN <= n <= SMALL_MAX else n})
    return pl.DataFrame(rows, schema={"recommendation": pl.String, "title": pl.String,
                                      "accounts": pl.Int64}, orient="row")


def quotable(coded: pl.DataFrame, quotes: pl.DataFrame) -> pl.DataFrame:
    """Approved quotes that may be shown: each from a cell (theme x setting) of at least
    QUOTE_MIN_ACCOUNTS accounts, under a theme of at least that many. One row per quote and
    theme it is shown under: theme, setting, question, text."""
    exploded = coded.explode("themes").drop_nulls("themes")
    cell = exploded.group_by("themes", "setting").agg(pl.len().alias("cell_accounts"))
    theme = exploded.group_by("themes").agg(pl.len().alias("theme_accounts"))
    settings = coded.select("account_id", "setting")
    return (quotes.filter(pl.col("approved"))
            .join(settings, on="account_id", how="inner")
            .explode("themes").drop_nulls("themes")
            .join(cell, on=["themes", "setting"], how="inner")
            .join(theme, on="themes", how="inner")
            .filter((pl.col("cell_accounts") >= QUOTE_MIN_ACCOUNTS)
                    & (pl.col("theme_accounts") >= QUOTE_MIN_ACCOUNTS))
            .select(pl.col("record_id").alias("quote_id"), pl.col("themes").alias("theme"),
                    "setting", pl.col("source_field").replace_strict(
                        {**QUESTIONS, "account_text": "In their own words"},
                        return_dtype=pl.String).alias("question"), "text")
            .sort("theme", "setting", "quote_id"))


def display(table: pl.DataFrame) -> pl.DataFrame:
    """A table for people: hidden counts shown as the product's suppression mark."""
    return table.with_columns(
        pl.col(c).cast(pl.String).fill_null(SUPPRESSED_MARK)
        for c, dtype in table.schema.items() if dtype == pl.Int64)
