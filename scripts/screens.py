"""Show one page of the demo engagement at a given window size, for screenshots of the layout.

    python scripts/screens.py WIDTHxHEIGHT PAGE

PAGE is `start`, `control`, `test`, `test-findings`, `design` (a test of design), `requirement`, `ai-matrix` (the AI
systems' coverage matrix), or any other
page's name in `Page` (`dashboard`, `soa`, `evidence`, `matrix`, `opinion`, `settings`...).
The window is placed at the top-left corner of the screen, without decorations (Xvfb runs no window
manager), so a capture of the screen shows the window exactly at that size. Run it under
`../shared/tools/screenshot.sh`. It works in a private Fieldwork home, so no saved window state leaks in.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["FIELDWORK_HOME"] = tempfile.mkdtemp(prefix="fieldwork-screens-")

from PySide6.QtWidgets import QApplication

from fieldwork.app.demo import create_demo
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import testing as test_service
from fieldwork.ui.context import Page, Target
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.settings import add_recent

#: The pages shown: the control and the test are those with the most on them in the demo.
CONTROL, TEST, DESIGN, REQUIREMENT = "C-014", "C-014.T2", "C-014.T1", "CC6.1"


def main(size: str, page: str) -> int:
    width, height = (int(n) for n in size.split("x"))
    application = QApplication(sys.argv[:1])
    window = MainWindow(synchronous=True)
    path = Path(tempfile.mkdtemp(prefix="fieldwork-screens-demo-")) / "Demo engagement.fieldwork"
    create_demo(path).close()
    if page == "start":
        add_recent(path)
        window.start.refresh()
    else:
        window.opener.open_path(path)
    window.setGeometry(0, 0, width, height)
    window.show()
    workspace = window.workspace
    if workspace is not None:
        with workspace.db.reading() as conn:
            control = next(c for c in control_service.read_controls(conn) if c.ref == CONTROL)
            tests = {t.ref: t for t in test_service.read_tests(conn, control_id=control.id)}
        targets = {
            "control": Target(Page.CONTROL, control.id),
            "test": Target(Page.TEST, tests[TEST].id),
            "test-findings": Target(Page.TEST, tests[TEST].id),
            "design": Target(Page.TEST, tests[DESIGN].id),
            "requirement": Target(Page.REQUIREMENT, REQUIREMENT),
            "ai-matrix": Target(Page.AI_SYSTEMS),
        }
        workspace.open_target(targets[page] if page in targets else Target(Page(page)))
        if page in ("test-findings", "ai-matrix"):
            workspace.views[targets[page].kind].tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    print(f"window {window.width()}x{window.height()}, minimum {window.minimumSizeHint().toTuple()}", flush=True)
    return int(application.exec())


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
