"""Start-up loads what the first screen needs: the export libraries and the tools of other menus load when used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.cold_start import FIELDWORK

#: Modules a demo workspace does not need until the user exports, imports, adds a control or meets a leftover file.
NOT_AT_START = (
    "openpyxl",
    "reportlab",
    "docx",
    "defusedxml",
    "psutil",
    "sqlalchemy.dialects.postgresql",
    "fieldwork.app.services.review_import",
    "fieldwork.ui.dialogs.new_control",
)


def test_a_demo_workspace_opens_without_the_export_libraries(tmp_path: Path) -> None:
    script = "import sys\n" + FIELDWORK.replace(
        'print("ready", flush=True)',
        f'print("loaded:", *sorted(m for m in {NOT_AT_START!r} if m in sys.modules), flush=True)',
    )
    assert script != FIELDWORK, "the benchmark's start script still says when the workspace is ready"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FIELDWORK_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["loaded:"]
