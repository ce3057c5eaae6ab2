"""How fast the desktop app starts: to a usable demo workspace, against a bare PySide6 window, in the same run.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.cold_start [--repeat 5]

Each side is a fresh process, timed from its launch to the moment it is usable; the median of `--repeat` is quoted.
- The baseline (issue 20's goal: 3x or less): Python starting, PySide6 imported, a bare main window shown.
- The floor the design card sets: the same bare window with the card's data layer imported (SQLAlchemy and the
  SQLCipher driver), which any start that reads the engagement through that layer pays before its first read.
- Fieldwork: the `fieldwork --demo` entry point (the console script's own module, so its import order is the real
  one) until the workspace shows the navigator and no background read is pending.
The demo engagement is made, and the modules' bytecode cached, once beforehand, outside the timing (the first start
makes the demo; later starts open it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.common import report

BARE = """
import sys
{imports}
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow(); window.resize(1280, 800); window.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""

STACK = "import sqlalchemy, sqlcipher3.dbapi2"

FIELDWORK = """
from fieldwork.app.cli import main as entry  # what the `fieldwork` console script imports first
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(["fieldwork"])
def ready():
    window = next((w for w in app.topLevelWidgets() if hasattr(w, "workspace")), None)
    workspace = getattr(window, "workspace", None)
    if workspace is not None and workspace.model.rowCount() and not window.runner.pending:
        print("ready", flush=True); app.exit(0)
    else:
        QTimer.singleShot(5, ready)
QTimer.singleShot(0, ready)
entry.main(["--demo"])
"""


def _environment(home: str) -> dict[str, str]:
    """The children's environment: the demo in `home`, and bytecode cached as an installed app has it (pip and
    the installer compile every module; a shell with PYTHONDONTWRITEBYTECODE would have each start compile
    the app's sources again, about 0.1 s that no user pays)."""
    kept = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "FIELDWORK_HOME": home, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}


def started(code: str, home: str, repeat: int) -> float:
    """The median seconds from launching `code` in a fresh interpreter to it printing "ready"."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            env=_environment(home),
        )
        times.append(time.perf_counter() - start)
        if "ready" not in done.stdout:
            raise SystemExit(f"the start did not get to a usable window:\n{done.stderr}")
    return statistics.median(times)


def measure(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        started(FIELDWORK, home, 1)  # makes the demo engagement once, outside the timing
        bare = started(BARE.format(imports=""), home, repeat)
        stack = started(BARE.format(imports=STACK), home, repeat)
        ours = started(FIELDWORK, home, repeat)
    report(
        "Cold start to a usable window (median of fresh processes)",
        [
            ("bare PySide6 window shown", f"{bare:.3f} s"),
            ("the same with SQLAlchemy and sqlcipher3 imported", f"{stack:.3f} s ({stack / bare:.2f}x)"),
            ("Fieldwork --demo, workspace loaded", f"{ours:.3f} s"),
            ("ratio to the bare window", f"{ours / bare:.2f}x (goal 3x or less)"),
            ("ratio to the window with the data layer", f"{ours / stack:.2f}x"),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    measure(parser.parse_args().repeat)


if __name__ == "__main__":
    main()
