"""Command line for the board pack and workbook:
`python -m dashboard.board_pack --period 2024/25 --scope london --out DIR [--warehouse PATH]`.

Writes board-pack-<area>-<period>.pdf and .html and data-workbook-<area>-<period>.xlsx into
DIR (e.g. board-pack-lambeth-2024-25.pdf) and prints their paths and the time taken.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dashboard import data
from pipelines.definitions.published import LONDON


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.board_pack",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="financial year, e.g. 2024/25 (default: latest)")
    parser.add_argument("--scope", default=LONDON, help="'london' or a London LA code/name")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files")
    parser.add_argument("--warehouse", type=Path, help="warehouse (default: COC_WAREHOUSE or "
                        "var/warehouse.duckdb)")
    args = parser.parse_args(argv)
    if args.warehouse:
        os.environ[data.WAREHOUSE_ENV] = str(args.warehouse.resolve())

    from dashboard.exports import content, pdf, webpage, workbook

    started = time.perf_counter()
    try:
        if not data.has_published_figures():
            raise ValueError(f"the warehouse {data.warehouse_path()} holds no published figures "
                             "(its latest build loaded no prison releases)")
        period = args.period or data.latest_complete_year()
        pack = content.build_pack(period, args.scope)
    except (ValueError, data.WarehouseMissing) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        f"{pack.file_stem}.pdf": pdf.to_pdf(pack),
        f"{pack.file_stem}.html": webpage.to_html(pack).encode("utf-8"),
        workbook.file_name(pack.scope_code, pack.period):
            workbook.to_xlsx(pack.scope_code, pack.period),
    }
    for name, payload in outputs.items():
        path = args.out / name
        path.write_bytes(payload)
        print(path)
    print(f"Board pack for {pack.scope_name}, {pack.period}, made in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
