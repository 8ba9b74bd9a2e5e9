"""`python -m dashboard.store export|import`: back up and move the app store as CSV, on either
backend (`--db` takes a file or a PostgreSQL URL, like COC_APP_DB)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dashboard.store import DEFAULT_APP_DB, app_store, location_from
from dashboard.store.backends import describe
from dashboard.store.model import (
    ADMIN,
    APP_DB_ENV,
    AUDIT_FILE,
    ENTRIES_FILE,
    Actor,
    StoreError,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.store",
        description="Back up and move the app store (recommendation updates and EbE reviews "
                    "recorded in the app) as CSV.")
    parser.add_argument("--db", help=f"the app store: a file or a postgresql:// URL (default: "
                                     f"${APP_DB_ENV} or {DEFAULT_APP_DB})")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help=f"write {ENTRIES_FILE} and {AUDIT_FILE}")
    export.add_argument("--out", type=Path, required=True, help="folder to write to")
    load = commands.add_parser("import", help="add the entries and audit log of an export")
    load.add_argument("--from", dest="source", type=Path, required=True,
                      help=f"folder holding {ENTRIES_FILE} (and {AUDIT_FILE})")
    load.add_argument("--who", default=f"cli:{getpass.getuser()}",
                      help="who the audit log records as importing (default: cli:<user>)")
    args = parser.parse_args(argv)
    store = app_store(location_from(args.db) if args.db else None)
    try:
        if args.command == "export":
            entries, audit = store.export_to(args.out)
            counts = store.versions().height, store.audit_log().height
            print(f"Wrote {counts[0]} entry versions to {entries} and {counts[1]} audit rows "
                  f"to {audit} (from {describe(store.location)}).")
            return 0
        if not (args.source / ENTRIES_FILE).exists():
            print(f"{args.source / ENTRIES_FILE} does not exist.", file=sys.stderr)
            return 2
        result = store.import_from(args.source, Actor(args.who, frozenset({ADMIN})))
        print(result.summary(), file=sys.stderr if result.rejected else sys.stdout)
        for line in result.rejected:
            print(f"  {line}", file=sys.stderr)
        return 2 if result.rejected else 0
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
