"""Stage timings for the build, with progress lines through the standard logging module.

The build logs each stage's start and end (rows, seconds) at INFO on the `pipelines` logger;
`python -m pipelines build` shows them on stderr unless --quiet. `wall` and `cpu` hold each
stage's seconds, which the benchmark reports: CPU seconds (all threads) beside wall seconds,
because wall time means little on a shared machine.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

LOG = logging.getLogger("pipelines")


@dataclass
class Timings:
    """Wall and CPU seconds per stage, added up over the stage's steps."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def step(self, stage: str, message: str) -> Callable[[str], None]:
        """Log `message ...` and start timing; call the result (with what was done) at the end."""
        started, started_cpu = time.perf_counter(), time.process_time()
        LOG.info("%s ...", message)

        def done(result: str = "") -> None:
            elapsed = time.perf_counter() - started
            self.wall[stage] = self.wall.get(stage, 0.0) + elapsed
            self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - started_cpu
            LOG.info("%s done in %.1f s%s", message, elapsed, f": {result}" if result else "")

        return done


@contextmanager
def progress_on_stderr(quiet: bool = False) -> Iterator[None]:
    """Show the build's progress lines on stderr while the block runs (none when `quiet`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    level = LOG.level
    LOG.addHandler(handler)
    LOG.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        yield
    finally:
        LOG.removeHandler(handler)
        LOG.setLevel(level)
