"""The cycle collector's full passes wait for a quiet moment.

A full pass walks every object the app keeps (the open pages' snapshots, the navigator, the widgets) with the GIL
held, so the GUI thread stops for all of it, whichever thread's allocation set it off: 100-400 ms at `--scale 20`
(`benchmarks/gui_stalls.py` names the pass beside each stall), and Python starts one after enough allocation,
which is in the middle of a page being read or shown. Here the automatic passes keep to the young generations
(cheap: they walk only what was made since the last one), and the full pass runs once the worker has had nothing
to do for IDLE_MS. Reference counting still frees everything outside a cycle at once; a cycle waits for the pass.

What survives a full pass is frozen (`gc.freeze`, as start-up and opening an engagement already do), so the next
pass walks only what was made since. The quiet moment is short (IDLE_MS), so little is made between passes: after
every page of the `--scale 20` demo was opened in a row, a pass an idle 1.5 s later walked 50,000 new objects in
45 ms, the length of a stall a user notices; one after a quieter step walked 13,000 in 3 ms. Once REVISIT_EVERY passes
have frozen what they found, a pass that unfreezes and walks everything (190,000 objects there) waits for a long
quiet moment (REVISIT_IDLE_MS), so a cycle among long-lived objects that has become garbage since (a closed
dialog's widgets) is still freed, later.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from fieldwork.ui.operations import Runner

IDLE_MS = 400
#: The quiet moment a pass that walks everything waits for.
REVISIT_IDLE_MS = 20_000
#: The oldest generation's threshold, out of reach: Python never starts a full pass by itself.
NEVER = 2**31 - 1
#: Young passes since the last full pass (Python's own default threshold) before a full pass is due.
DUE_AFTER = 10
#: After this many full passes, the next long quiet moment walks everything again, frozen or not.
REVISIT_EVERY = 10


class IdleCollector(QObject):
    """Runs the full pass Python would have run, once the runner has been idle for IDLE_MS; and, after REVISIT_EVERY
    of those, one over everything once it has been idle for REVISIT_IDLE_MS."""

    def __init__(self, runner: Runner) -> None:
        super().__init__(runner)
        young, middle, _old = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
        self.timer = QTimer(self, singleShot=True, interval=IDLE_MS)
        self.timer.timeout.connect(self.collect_if_due)
        self.revisit = QTimer(self, singleShot=True, interval=REVISIT_IDLE_MS)
        self.revisit.timeout.connect(self.revisit_if_due)
        self.passes = 0
        runner.busy_changed.connect(self._busy)

    def _busy(self, busy: bool) -> None:
        for timer in (self.timer, self.revisit):
            if busy:
                timer.stop()
            else:
                timer.start()

    def collect_if_due(self) -> None:
        if gc.get_count()[2] < DUE_AFTER:
            return
        self.passes += 1
        gc.collect()
        gc.freeze()

    def revisit_if_due(self) -> None:
        if self.passes < REVISIT_EVERY:
            return
        self.passes = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()
