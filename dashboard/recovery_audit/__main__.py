"""Command line of the Recovery Audit:

    python -m dashboard.recovery_audit template --service ID [--round R] --out FILE [--view ebe]
    python -m dashboard.recovery_audit import --from FILE [--who NAME]
    python -m dashboard.recovery_audit seed --from data_samples/recovery_audit
      (only onto a synthetic warehouse, and only into a store without audit entries)
    python -m dashboard.recovery_audit sample --out data_samples/recovery_audit

`--db` names the app store (default COC_APP_DB, else var/app.duckdb) and `--warehouse` the
warehouse holding the services directory and prisons (default COC_WAREHOUSE). An import stores
the good rows and lists each rejected row with its sheet, row, question and reason (exit
status 2 when any row is rejected). The command line acts as an administrator, recorded as
`cli:<user>` (`--who` to name someone else).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from dashboard import data, store
from dashboard.recovery_audit import records, sample, scoring, template
from dashboard.store import ADMIN, Actor, StoreError
from dashboard.store import audit_contracts as c


def directory():
    return scoring.directory(data.services(), data.prisons(), data.local_authorities())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.recovery_audit",
                                     description="The Recovery Audit (R7): templates, import "
                                                 "and the synthetic sample.")
    parser.add_argument("--db", help="the app store: a file or a postgresql:// URL")
    parser.add_argument("--warehouse", type=Path, help="the warehouse (services directory)")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("template", help="write a service's Excel template")
    make.add_argument("--service", required=True, help="service id or prison code")
    make.add_argument("--round", help="round id (default: the current round)")
    make.add_argument("--view", choices=c.VIEWS, default=c.SELF,
                      help="self-assessment (default) or the EbE panel's ratings")
    make.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    load = commands.add_parser("import", help="import a completed template")
    load.add_argument("--from", dest="source", type=Path, required=True)
    load.add_argument("--who", default=f"cli:{getpass.getuser()}")
    seed = commands.add_parser("seed", help="seed the synthetic sample into an empty store")
    seed.add_argument("--from", dest="source", type=Path, required=True)
    generate = commands.add_parser("sample", help="regenerate the synthetic sample files")
    generate.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "sample":
        sample.generate(args.out)
        print(f"Wrote the synthetic sample to {args.out}")
        return 0
    if args.warehouse:
        os.environ[data.WAREHOUSE_ENV] = str(args.warehouse.resolve())
    app = store.app_store(args.db) if args.db else store.app_store()
    try:
        services = directory()
        if args.command == "seed":
            if not data.build_info().get("synthetic"):
                print("The warehouse is not the synthetic sample: nothing seeded.")
            elif not (args.source / sample.RATINGS_FILE).exists():
                print(f"{args.source} holds no Recovery Audit sample: nothing seeded.")
            else:
                print(sample.seed(app, args.source, services))
            return 0
        if args.command == "template":
            round_id = args.round or records.current_round(records.rounds(app))
            if round_id is None:
                print("There is no audit round yet: an administrator opens one on the Recovery "
                      "audit page.", file=sys.stderr)
                return 2
            found = services.filter(services["service_id"] == args.service.strip().upper())
            if found.is_empty():
                print(f"{args.service} is not a service id of the services directory or a "
                      "prison code.", file=sys.stderr)
                return 2
            content = template.build(records.round_framework(app, round_id), round_id,
                                     found.row(0, named=True), args.view,
                                     bool(data.build_info().get("synthetic")))
            args.out.write_bytes(content)
            print(args.out)
            return 0
        report = template.import_template(app, args.source.read_bytes(),
                                          Actor(args.who, frozenset({ADMIN})),
                                          services.to_dicts())
        print(report.summary(), file=sys.stderr if report.rejects else sys.stdout)
        for reject in report.rejects:
            print(f"  {reject}", file=sys.stderr)
        return 2 if report.rejects else 0
    except (StoreError, template.TemplateError, data.WarehouseMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
