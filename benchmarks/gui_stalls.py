"""How long the GUI thread ever stops answering, and how fast the app starts.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.gui_stalls [--scale 20]

A 5 ms timer heartbeat runs on the GUI thread while the app opens the `--scale`
engagement, filters the navigator as someone types, and switches between pages; the
worst gap between beats, less the interval, is the worst stall (goal: about 100 ms).
Cold start: launching the app on the demo until its workspace is usable, against a
bare PySide6 window shown, each in a fresh process in the same run (goal 3x or less).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import report

BEAT_MS = 5

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow(); window.resize(1280, 800); window.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""

FIELDWORK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
app = QApplication(sys.argv)
window = MainWindow(); window.show()
window.opener.open_demo()
def ready():
    if window.workspace is not None and window.workspace.model.rowCount() and not window.runner.pending:
        print("ready", flush=True); app.quit()
    else:
        QTimer.singleShot(5, ready)
QTimer.singleShot(0, ready)
app.exec()
"""


def cold_start(code: str, home: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            env={
                **os.environ,
                "FIELDWORK_HOME": home,
                "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            },
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stalls(path: Path) -> list[tuple[str, str]]:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.services import testing
    from ui.context import Target
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    os.environ["FIELDWORK_USER"] = "Owen Castellano"  # a member of the demo's team: signs without being asked
    window = MainWindow()
    window.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: dict[str, float] = {}
    phase = ["start"]
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps[phase[0]] = max(gaps.get(phase[0], 0.0), now - last[0] - BEAT_MS)
        last[0] = now

    heart = QTimer(interval=BEAT_MS)
    heart.timeout.connect(beat)
    heart.start()

    def settle(seconds: float = 0.3) -> None:
        """Let queued work finish while the heartbeat keeps measuring."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or window.runner.pending:
            app.processEvents()
            time.sleep(0.001)

    phase[0] = "opening the engagement"
    window.opener.open_path(path)
    while window.workspace is None or not window.workspace.model.rowCount():
        settle(0.05)
    settle()
    workspace = window.workspace
    for text in ("a", "ac", "acc", "acce", "acces", "access", "access r", "access re", "", "CC6", "CC6.1", ""):
        phase[0] = f"filter: typed {text!r}"
        workspace.filter.setText(text)
        settle(0.1)
    assert window.db is not None
    tests = testing.list_tests(window.db)
    for target in (
        Target("dashboard"),
        Target("requirement", "CC6.1"),
        Target("control", tests[0].control_id),
        Target("test", tests[1].id),
        Target("soa"),
        Target("settings"),
        Target("requirement", "A.6.2.2"),
        Target("dashboard"),
    ):
        phase[0] = f"page: {target.kind} {target.key or ''}".rstrip()
        workspace.open_target(target)
        settle(0.2)
    review_phases(workspace, phase, settle, tests[0].control_id)
    heart.stop()
    window.close()
    rows = [(name, f"{gap:.0f} ms") for name, gap in gaps.items() if name != "start"]
    worst = max(gap for name, gap in gaps.items() if name != "start")
    return [*rows, ("worst of all", f"{worst:.0f} ms")]


def review_phases(workspace: Any, phase: list[str], settle: Callable[..., None], control_id: object) -> None:
    """Change a control (the baseline: the same save and refresh with no review), sign it from its review strip,
    change it again (stale everywhere), then the review pages."""
    from ui.context import Target

    workspace.open_target(Target("control", control_id))
    settle(0.3)
    view = workspace.views["control"]
    phase[0] = "review: change a control nobody signed (baseline)"
    view.owner.setText("Chief Information Security Officer")
    view.owner.flush()
    settle(0.3)
    phase[0] = "review: sign a control as preparer"
    view.review.sign_preparer.click()
    settle(0.3)
    phase[0] = "review: change the signed control"
    view.owner.setText("Chief Information Security Officer (acting)")
    view.owner.flush()
    settle(0.3)
    for kind in ("changed", "notes", "dashboard"):
        phase[0] = f"page: {kind}"
        workspace.open_target(Target(kind))
        settle(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as home:
        os.environ["FIELDWORK_HOME"] = home
        from app.demo import create_demo

        path = Path(home) / "large.fieldwork"
        create_demo(path, None, args.scale).close()
        report(f"Worst GUI-thread stall, demo --scale {args.scale} (goal about 100 ms)", stalls(path))
        cold_start(FIELDWORK, home, 1)  # creates the demo engagement once, outside the timing
        bare = cold_start(BARE, home, args.repeat)
        ours = cold_start(FIELDWORK, home, args.repeat)
        report(
            "Cold start to a usable window (median of fresh processes)",
            [
                ("bare PySide6 window shown", f"{bare:.3f} s"),
                ("Fieldwork on the demo, workspace loaded", f"{ours:.3f} s"),
                ("ratio", f"{ours / bare:.2f}x (goal 3x or less)"),
            ],
        )


if __name__ == "__main__":
    main()
