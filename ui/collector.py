"""The cycle collector's full passes wait for a quiet moment.

A full pass walks every object the app keeps (the open pages' snapshots, the navigator, the widgets) with the GIL
held, so the GUI thread stops for all of it, whichever thread's allocation set it off: 100-400 ms at `--scale 20`
(`benchmarks/gui_stalls.py` names the pass beside each stall), and Python starts one after enough allocation,
which is in the middle of a page being read or shown. Here the automatic passes keep to the young generations
(cheap: they walk only what was made since the last one), and the full pass runs once the worker has had nothing
to do for IDLE_MS. Reference counting still frees everything outside a cycle at once; a cycle waits for the pass.

What survives a full pass is frozen (`gc.freeze`, as start-up and opening an engagement already do), so the next
pass walks only what was made since: 10-50 ms rather than 200-450 ms, even when it falls on a moment the user is
typing. Every REVISIT_EVERY-th pass unfreezes first and walks everything, so a cycle among long-lived objects that
has become garbage since (a closed dialog's widgets) is still freed, later.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from fieldwork.ui.operations import Runner

IDLE_MS = 1500
#: The oldest generation's threshold, out of reach: Python never starts a full pass by itself.
NEVER = 2**31 - 1
#: Young passes since the last full pass (Python's own default threshold) before a full pass is due.
DUE_AFTER = 10
#: One full pass in this many walks everything again, frozen or not.
REVISIT_EVERY = 10


class IdleCollector(QObject):
    """Runs the full pass Python would have run, once the runner has been idle for IDLE_MS."""

    def __init__(self, runner: Runner) -> None:
        super().__init__(runner)
        young, middle, _old = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
        self.timer = QTimer(self, singleShot=True, interval=IDLE_MS)
        self.timer.timeout.connect(self.collect_if_due)
        self.passes = 0
        runner.busy_changed.connect(self._busy)

    def _busy(self, busy: bool) -> None:
        if busy:
            self.timer.stop()
        else:
            self.timer.start()

    def collect_if_due(self) -> None:
        if gc.get_count()[2] < DUE_AFTER:
            return
        self.passes += 1
        if self.passes % REVISIT_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
