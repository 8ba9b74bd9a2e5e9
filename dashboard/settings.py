"""Every setting of the product, declared once with its documentation line.

The README's Settings table repeats these rows word for word (tests/test_docs.py checks both
ways: a setting read in code but not declared here fails, and so does one declared here but not
documented). Environment settings are read only through `read`; make variables are set on the
`make` command line. Sign-in (`[auth]`, `[roles]` in .streamlit/secrets.toml) is Streamlit's
own secrets file and is documented in .streamlit/secrets.example.toml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Setting:
    """One setting as the README's table shows it: name, where it is set, default, and what it
    does."""

    name: str
    where: str
    default: str
    doc: str


# Environment variables the code reads.
WAREHOUSE = Setting(
    "COC_WAREHOUSE", ENVIRONMENT, "`var/warehouse.duckdb`",
    "the warehouse the app and board pack read (`make run` sets it from `WAREHOUSE`)")
APP_DB = Setting(
    "COC_APP_DB", ENVIRONMENT, "`var/app.duckdb`",
    "the app store the app uses, a file or a PostgreSQL URL (`make run` sets it from `APP_DB`)")
LOCAL_WRITES = Setting("COC_LOCAL_WRITES", ENVIRONMENT, "on", "`off` makes local mode read-only")
CI = Setting(
    "CI", ENVIRONMENT, "unset",
    "`true` makes browser and PostgreSQL tests fail rather than skip when Chromium, nginx or the "
    "PostgreSQL binaries (`initdb`, `pg_ctl`, `postgres`: PATH, `/usr/local/bin` or "
    "`/usr/lib/postgresql/*/bin`) are missing; `.ci/run` installs them")

# Variables of the Makefile (`make run PORT=8600`).
MAKE_VARIABLES: tuple[Setting, ...] = (
    Setting("PORT", "`make run PORT=8600`", "8501", "the port the app serves on"),
    Setting("ADDRESS", "`make run ADDRESS=0.0.0.0`", "`127.0.0.1`",
            "the address the app listens on; the default serves this machine only, `0.0.0.0` "
            "lets other machines read it (set up sign-in before they need to write)"),
    Setting("WAREHOUSE", "`make run WAREHOUSE=...`", "`var/warehouse.duckdb`",
            "the published warehouse file"),
    Setting("BENCH_WORKDIR", "`make bench BENCH_WORKDIR=...`", "`var/bench`",
            "where the benchmark's data sets are generated, or found already generated"),
    Setting("BENCH_SCALES", "`make bench BENCH_SCALES=1,10`", "`1,10,67`",
            "the scales the build benchmark runs; the pages are timed against the largest"),
    Setting("APP_DB", "`make run APP_DB=...`", "`var/app.duckdb`",
            "the app store (updates, reviews, audit log): a DuckDB file (give a second copy its "
            "own) or `postgresql://user@host/db` (shared by any number of processes)"),
    Setting("MUTATE", "`make mutation MUTATE=journeys,kpis`", "all five",
            "the modules `make mutation` mutates"),
    Setting("MUTATION_JOBS", "`make mutation MUTATION_JOBS=1`", "2", "mutants tested at once"),
)
ENVIRONMENT_SETTINGS: tuple[Setting, ...] = (WAREHOUSE, APP_DB, LOCAL_WRITES, CI)
SETTINGS: tuple[Setting, ...] = (*MAKE_VARIABLES, *ENVIRONMENT_SETTINGS)


def read(setting: Setting) -> str | None:
    """The environment's value of a setting; None when it is unset or empty."""
    return os.environ.get(setting.name) or None


def table_row(setting: Setting) -> str:
    """The setting's row of the README's Settings table."""
    return f"| `{setting.name}` | {setting.where} | {setting.default} | {setting.doc} |"
