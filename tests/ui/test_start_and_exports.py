"""The start screen says what each recent engagement is; exports are offered in a folder people see."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from fieldwork.app.paths import data_dir
from fieldwork.ui.desktop import export_folder
from fieldwork.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    main.show()
    return main


def _documents_or_home() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    found = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    assert not any(part.startswith(".") for part in found.parts)
    return found


def test_the_recent_list_shows_client_period_and_path_and_no_stale_saved(
    window: MainWindow, demo_template: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "acme-2026.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    window.opener.open_path(copy)
    assert window.state.text() == "All changes saved"
    window.close_engagement()

    assert window.state.text() == ""  # the start screen has no file to have saved
    assert window.statusBar().currentMessage() == ""
    first = window.start.recent.item(0).text()
    about, where = first.split("\n")
    assert about.startswith(f"{window.client} · SOC 2 Type 2 · 20") and " to 20" in about
    assert where.strip() == str(copy.resolve())


def test_a_recent_file_gone_missing_says_so(window: MainWindow, demo_template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "gone.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    window.opener.open_path(copy)
    window.close_engagement()
    copy.unlink()
    window.start.refresh()
    assert "missing: " in window.start.recent.item(0).text()
    assert not window.start.recent.item(0).flags()


def test_exports_default_to_documents_not_a_hidden_folder(
    window: MainWindow, demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = data_dir() / "Demo engagement.fieldwork"  # where the demo lives
    demo.write_bytes(demo_template.read_bytes())
    assert export_folder(demo) == _documents_or_home()
    assert export_folder(Path.home() / ".cache" / "x.fieldwork") == _documents_or_home()
    assert export_folder(Path("/srv/audits/acme.fieldwork")) == Path("/srv/audits")

    window.opener.open_path(demo)
    offered: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, default, *a: offered.append(default) or ("", ""))
    window.export_xlsx()
    window.back_up()
    assert [Path(o).parent for o in offered] == [_documents_or_home()] * 2
    assert Path(offered[0]).name == "Demo engagement.xlsx"
