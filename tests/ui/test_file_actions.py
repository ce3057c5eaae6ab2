"""File menu actions in the app: export both deliverables, verify, change the passphrase."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from fieldwork.app.exports.report.model import Audience
from fieldwork.app.keychain import recall
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.ui.dialogs.passphrase import ChangePassphrase
from fieldwork.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE
from tests.reliability_helpers import hold
from tests.xlsx_reading import records


@pytest.fixture
def window(demo_window: MainWindow) -> MainWindow:
    return demo_window


def test_both_exports_run_from_the_menu_and_offer_to_open(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda parent, title, text, *a: offered.append(text) or QMessageBox.StandardButton.No
    )
    for name, action in (("report.pdf", window.export_pdf), ("workpapers.xlsx", window.export_xlsx)):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, target=target, **k: (str(target), ""))
        action()
        assert target.stat().st_size > 10_000
    assert offered == ["Wrote report.pdf. Open it now?", "Wrote workpapers.xlsx. Open it now?"]
    assert "DRAFT" in PdfReader(tmp_path / "report.pdf").pages[0].extract_text()


def test_verify_from_the_menu_reports_every_check(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append((title, text)))
    window.verify_file()
    ((title, text),) = shown
    assert title == "All checks passed"
    assert "evidence" in text and "database" in text


def test_encrypting_the_open_engagement_from_the_menu(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.db is not None and not window.db.encrypted
    path = window.db.path

    def answer(dialog: ChangePassphrase) -> int:
        dialog.fields.first.setText(PASSPHRASE)
        dialog.fields.second.setText(PASSPHRASE)
        dialog._accept()
        return 1

    monkeypatch.setattr(ChangePassphrase, "exec", answer)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    window.change_passphrase()
    assert window.db is not None and window.db.encrypted and window.db.path == path
    assert "(encrypted)" in window.windowTitle()
    assert recall(path) == PASSPHRASE
    window.close_engagement()
    open_engagement(path, PASSPHRASE).close()


def test_a_failed_passphrase_change_reopens_the_file_and_says_why(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldwork.app.errors import ValidationError

    shown: list[str] = []
    path = window.db.path  # type: ignore[union-attr]

    def answer(dialog: ChangePassphrase) -> int:
        dialog.fields.first.setText(PASSPHRASE)
        dialog.fields.second.setText(PASSPHRASE)
        dialog._accept()
        return 1

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValidationError("The disk is full; the passphrase was not changed.")

    monkeypatch.setattr(ChangePassphrase, "exec", answer)
    monkeypatch.setattr("fieldwork.ui.main_window.change_passphrase", refuse)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    window.change_passphrase()
    assert shown == ["The disk is full; the passphrase was not changed."]
    assert window.workspace is not None and window.db is not None and window.db.path == path
    assert window.workspace.model.rowCount() > 0, "the engagement is open again and loads"


def test_the_word_report_exports_from_the_menu_as_the_copy_chosen(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldwork.ui.main_window import COPY_FILTERS
    from tests.report_reading import docx_text

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    offered: list[str] = []
    target = tmp_path / "client.docx"

    def choose(parent: object, title: str, default: str, filters: str) -> tuple[str, str]:
        offered.extend(filters.split(";;"))
        return str(target), next(f for f in offered if f.startswith(COPY_FILTERS[Audience.CLIENT]))

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    window.export_docx()

    assert offered == [f"{COPY_FILTERS[a]} (*.docx)" for a in (Audience.INTERNAL, Audience.CLIENT)]
    text = docx_text(target)
    assert "Client copy: the examination report only" in text and "Evidence index" not in text


def test_back_up_from_the_menu_writes_a_copy_that_opens(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kept" / "demo backup.fieldwork"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.back_up()
    with open_engagement(target, read_only=True) as copy:
        assert copy.path == target
    assert "Backed up to" in window.statusBar().currentMessage()


def test_a_file_another_process_changes_is_offered_read_only(
    qtbot: QtBot, demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "held.fieldwork"
    path.write_bytes(demo_template.read_bytes())
    holder = hold(path, None)
    asked: list[str] = []

    def answer(parent: object, title: str, text: str, *a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Open

    monkeypatch.setattr(QMessageBox, "question", answer)
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    try:
        main.opener.open_path(path)
    finally:
        holder.communicate("")
    assert asked and asked[0].startswith("held.fieldwork is open for changes by Test Auditor (TA) on ")
    assert main.db is not None and main.db.read_only == "opened read-only"
    assert "read-only" in main.windowTitle()
    assert main.state.text() == "Read-only: nothing can be changed"
    main.close_engagement()


@pytest.mark.parametrize(("suffix", "read"), [(".pdf", "pdf"), (".docx", "docx")])
def test_the_findings_report_exports_from_the_menu_beside_the_engagement(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, read: str
) -> None:
    from fieldwork.ui.desktop import export_folder
    from fieldwork.ui.main_window import COPY_FILTERS
    from tests.report_reading import docx_text, pdf_body

    offered: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda parent, title, text, *a: offered.append(text) or QMessageBox.StandardButton.No
    )
    proposed: list[str] = []
    target = tmp_path / f"for management{suffix}"

    def choose(parent: object, title: str, default: str, filters: str) -> tuple[str, str]:
        proposed.append(default)
        return str(target), f"{COPY_FILTERS[Audience.CLIENT]} (*{suffix})"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    action = next(
        a
        for a in window.menus["&File"].actions()
        if a.text().replace("&", "") == (f"Export findings report ({'PDF' if suffix == '.pdf' else 'Word'})...")
    )
    action.trigger()

    assert window.db is not None
    assert proposed == [str(export_folder(window.db.path) / f"{window.db.path.stem} findings{suffix}")]
    assert offered == [f"Wrote {target.name}. Open it now?"]
    text = pdf_body(target) if read == "pdf" else docx_text(target)
    assert "Client copy: for management" in text and "Major nonconformities" in text


def test_the_review_pack_exports_from_the_menu_after_the_warning(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldwork.ui.dialogs.review_pack import WARNING, ReviewPackDialog

    target = tmp_path / "for the plane"
    shown: list[str] = []

    def answer(dialog: ReviewPackDialog) -> int:
        shown.append(dialog.findChild(QLabel).text())
        dialog.folder.setText(str(target))
        dialog.key_controls.setChecked(True)
        return 1

    offered: list[str] = []
    monkeypatch.setattr(ReviewPackDialog, "exec", answer)
    monkeypatch.setattr(
        QMessageBox, "question", lambda p, t, text, *a: offered.append(text) or QMessageBox.StandardButton.No
    )
    window.export_review_pack()
    assert shown == [WARNING] and "not encrypted" in WARNING
    assert (target / "workpapers.xlsx").is_file() and offered == ["Wrote workpapers.xlsx. Open it now?"]
    index = {
        row["Item"].value: row["Value"].value for row in records(load_workbook(target / "workpapers.xlsx")["Index"])
    }
    assert index["Rows limited to"] == "key controls"

    monkeypatch.setattr(ReviewPackDialog, "exec", lambda dialog: 0)  # Cancel: nothing written
    window.export_review_pack()
    assert sorted(p.name for p in tmp_path.iterdir() if "pack" in p.name or p.name == "for the plane") == [
        "for the plane"
    ]
