"""PySide6 6.12.0 on Python 3.11 corrupts the reference count of None and aborts after a few
thousand model operations; this catches that build (or a later one like it) coming back."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

from packaging.version import Version

STRESS = """
import sys
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication
app = QApplication([])
before = sys.getrefcount(None)
model = QStandardItemModel()
for row in range(20000):
    model.appendRow([QStandardItem(str(row)), QStandardItem(None)])
    model.item(row, 0).data()
model.clear()
print(sys.getrefcount(None) - before)
"""


def test_the_installed_pyside6_is_not_the_broken_release() -> None:
    assert Version(version("PySide6-Essentials")) != Version("6.12.0")


def test_thousands_of_model_operations_leave_none_alone() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STRESS],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert done.returncode == 0, f"the interpreter aborted: {done.stderr[-400:]}"
    assert abs(int(done.stdout.strip().splitlines()[-1])) < 1000
