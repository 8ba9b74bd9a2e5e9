"""`python -m dashboard.store export --out DIR` / `import --from DIR` (see dashboard.store.cli)."""

import sys

from dashboard.store.cli import main

sys.exit(main())
