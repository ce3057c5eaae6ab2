"""Pausing Python's cycle collector while an export builds and writes its rows.

An export makes hundreds of thousands of short-lived objects (rows, cells, XML elements) while the gathered
engagement, just as many objects, stays alive. Each of the collector's passes over the older generations walks
all of them, and finds next to nothing: the rows are freed by reference counting. Pausing it saved 0.1-0.2 s of
a 3.3 s workbook export of the `--scale 20` engagement (benchmarks/workbook_export.py). Memory stays bounded:
reference counting still frees everything that is not in a cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block. Only the caller that paused it resumes it, so nested or
    overlapping exports (the GUI runs them on a worker thread) always leave it running at the end."""
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()
