"""The command line of Lived experience voices:

- `form --out FILE.xlsx`: write the XLSForm (checked with pyxform) for ODK Collect / Kobo;
- `import --from FILE`: import a CSV/XLSX export of that form (no consent: refused, counted);
- `export --out DIR`: the findings for OHID (CSV and XLSX; approved, de-identified,
  disclosure-controlled);
- `backup --out DIR`: every version of every record (peer_records.csv; withdrawn accounts are
  empty) for restoring the store;
- `restore --from DIR`: add the versions of such a backup that the store lacks (never an
  account withdrawn since);
- `seed --from DIR`: load the synthetic samples into an empty store (`make run` does this).

`--db` takes the app store (a file or a postgresql:// URL), as COC_APP_DB does.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import uuid
from pathlib import Path

from dashboard.peer_research import export, importer, samples, xlsform
from dashboard.store import ADMIN, APP_DB_ENV, COORDINATOR, Actor, StoreError, app_store, records
from dashboard.store.backends import write_private
from dashboard.store.records import Records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.peer_research",
                                     description="Lived experience voices: form, import, "
                                                 "export, backup and samples.")
    parser.add_argument("--db", help=f"the app store (default: ${APP_DB_ENV} or "
                                     "var/app.duckdb)")
    parser.add_argument("--who", default=f"cli:{getpass.getuser()}",
                        help="who the audit log records (default: cli:<user>)")
    commands = parser.add_subparsers(dest="command", required=True)
    form = commands.add_parser("form", help="write the XLSForm")
    form.add_argument("--out", type=Path, required=True)
    load = commands.add_parser("import", help="import an ODK/Kobo CSV or XLSX export")
    load.add_argument("--from", dest="source", type=Path, required=True)
    out = commands.add_parser("export", help="write the findings for OHID")
    out.add_argument("--out", type=Path, required=True)
    backup = commands.add_parser("backup", help="write every record version as CSV")
    backup.add_argument("--out", type=Path, required=True)
    restore = commands.add_parser("restore", help="add the record versions of a backup")
    restore.add_argument("--from", dest="source", type=Path, required=True,
                         help=f"folder holding {samples.BACKUP_FILE}")
    seed = commands.add_parser("seed", help="load the synthetic samples into an empty store")
    seed.add_argument("--from", dest="source", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "form":
        content = xlsform.workbook_bytes()
        xlsform.convert(content)  # raises if pyxform cannot make a form of it
        args.out.write_bytes(content)
        print(f"Wrote the XLSForm to {args.out} (converted by pyxform without errors).")
        return 0
    store = app_store(args.db)
    actor = Actor(args.who, frozenset({COORDINATOR, ADMIN}), args.who)
    try:
        if args.command == "import":
            if not args.source.exists():
                print(f"{args.source} does not exist.", file=sys.stderr)
                return 2
            summary = importer.import_submissions(store, args.source.read_bytes(),
                                                  args.source.name, actor)
            print(summary.text())
            for line in summary.rejected:
                print(f"  {line}", file=sys.stderr)
            return 2 if summary.rejected else 0
        if args.command == "export":
            for path in export.write(store, args.out):
                print(f"Wrote {path}")
            return 0
        if args.command == "backup":
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / samples.BACKUP_FILE
            write_private(path, Records(store).versions().write_csv().encode())
            print(f"Wrote {path}")
            return 0
        if args.command == "restore":
            content = (args.source / samples.BACKUP_FILE).read_bytes()
            event = f"LEV-RST-{uuid.uuid4().hex[:12].upper()}"
            added = records.restore(store, records.read_backup(content), actor, event)
            print(f"Restored {added} record version(s) (withdrawn accounts are never restored).")
            return 0
        print(samples.seed(store, args.source))
        return 0
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
