"""Times each page's script run against a warehouse (`python -m dashboard.bench_pages`).

Run by `make bench` against the largest benchmark warehouse: for every page it runs the app
once cold (first query of each kind) and then warm (cached), with Streamlit's AppTest, and
prints the timings as JSON. The warm time is what a person waits for after the first visit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import settings, site

APP = Path(__file__).parent / "app.py"
WARM_RUNS = 5


def time_page(spec: site.PageSpec) -> dict:
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    at.switch_page(f"views/{spec.file}")
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    errors = [str(e.value) for e in at.exception]
    return {"page": spec.title, "cold_s": round(cold, 3),
            "warm_s": round(statistics.median(warm), 3), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    os.environ[settings.WAREHOUSE.name] = str(args.warehouse.resolve())
    print(json.dumps([time_page(spec) for spec in site.PAGES]))


if __name__ == "__main__":
    main()
