"""`python -m tests.golden update`: rebuild the sample and rewrite the kpi_values snapshot."""

import sys

from tests.golden import update

if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit("usage: python -m tests.golden update")
    path = update()
    print(f"wrote {path}; commit it with the change that moved the figures")
