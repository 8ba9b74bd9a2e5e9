"""`python -m dashboard.peer_research form|import|export|backup|restore|seed` (see cli.py)."""

import sys

from dashboard.peer_research.cli import main

sys.exit(main())
