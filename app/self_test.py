"""`fieldwork --self-test`: the check IT runs after installing, and the build runs on the frozen app.

Each step does for real one thing an auditor's day depends on, in a throwaway folder: an encrypted engagement,
evidence, the exports (PDF, Word, Excel), the integrity checks, opening the file again. A frozen build fails
here when it left out a data file or a module, so the steps go through the same services the app uses. The
passphrase is made here and kept in memory only: a self-test must leave no secret in the keychain or on disk.
The desktop step is handed in by the entry point, because `app/` never imports Qt.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from fieldwork.app import APP_NAME, __version__
from fieldwork.app.demo import create_demo
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, WrongPassphrase
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx_report import write_docx
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.services.controls import list_controls
from fieldwork.app.services.evidence import Link, LinkKind, attach_files, list_evidence
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.storage.fileformat import Encryption, sniff
from fieldwork.app.tasks import Task

DesktopCheck = Callable[[Engagement], str]
Step = tuple[str, Callable[[], str]]


class StepFailed(Exception):
    """A step ran to the end but what it made is wrong; the message says what was found."""


class SelfTest:
    """The steps share one engagement file: the first step creates it and each later one works on it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "self-test.fieldwork"
        self.passphrase = secrets.token_urlsafe(24)
        self.db: Engagement | None = None
        self.data: ReportData | None = None
        self.evidence_ref = ""

    @property
    def engagement(self) -> Engagement:
        if self.db is None:
            raise StepFailed("the engagement is not open")
        return self.db

    def steps(self, desktop: DesktopCheck | None) -> list[Step]:
        steps = [
            ("create", self.create),
            ("evidence", self.attach),
            ("pdf", self.pdf),
            ("docx", self.docx),
            ("xlsx", self.xlsx),
            ("verify", self.integrity),
            ("reopen", self.reopen),
        ]
        if desktop is not None:
            steps.append(("desktop", lambda: desktop(self.engagement)))
        return steps

    def create(self) -> str:
        self.db = create_demo(self.path, self.passphrase)
        if not self.db.encrypted or sniff(self.path) is not Encryption.ENCRYPTED:
            raise StepFailed("the new engagement file is not encrypted")
        return f"an encrypted demo engagement ({self.path.stat().st_size // 1024:,} KiB)"

    def attach(self) -> str:
        content = f"Walkthrough notes written by the {APP_NAME} self-test ({secrets.token_hex(8)}).\n".encode()
        source = self.folder / "walkthrough notes.txt"
        source.write_bytes(content)
        control = list_controls(self.engagement)[0]
        (added,) = attach_files(self.engagement, [source], [Link(LinkKind.CONTROL, control.id)])
        if added.sha256 != hashlib.sha256(content).hexdigest():
            raise StepFailed(f"{added.ref} was stored with a SHA-256 that is not the file's")
        self.evidence_ref = added.ref
        return f"{added.ref} attached to {control.ref}, SHA-256 {added.sha256[:12]}..."

    def report_data(self) -> ReportData:
        """One snapshot for both exports, as the export verb does."""
        if self.data is None:
            self.data = gather(self.engagement)
        return self.data

    def pdf(self) -> str:
        target = self.folder / "report.pdf"
        write_report(self.report_data(), target, Task())
        content = target.read_bytes()
        if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-1024:]:
            raise StepFailed("the report is not a complete PDF file")
        return f"the draft report, {len(content) // 1024:,} KiB"

    def docx(self) -> str:
        """The Word report: python-docx builds it on its own template, a data file a frozen build must carry."""
        target = self.folder / "report.docx"
        write_docx(self.report_data(), target, Task())
        with zipfile.ZipFile(target) as document:
            damaged = document.testzip()
            parts = set(document.namelist())
        if damaged is not None or not {"word/document.xml", "word/styles.xml"} <= parts:
            raise StepFailed(f"the Word report is damaged ({damaged or 'parts missing'})")
        return f"the draft report for Word, {target.stat().st_size // 1024:,} KiB"

    def xlsx(self) -> str:
        target = self.folder / "workpapers.xlsx"
        write_workbook(self.report_data(), target, Task())
        with zipfile.ZipFile(target) as book:
            damaged = book.testzip()
            sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        if damaged is not None or not sheets:
            raise StepFailed(f"the workbook is damaged ({damaged or 'no sheets'})")
        return f"the workpapers, {len(sheets)} sheets"

    def integrity(self) -> str:
        findings = verify(self.engagement)
        failed = [finding for finding in findings if not finding.ok]
        if failed:
            raise StepFailed("; ".join(f"{finding.check}: {finding.detail}" for finding in failed))
        return f"{', '.join(finding.check for finding in findings)}: all checks passed"

    def reopen(self) -> str:
        count = len(list_evidence(self.engagement))
        self.close()
        try:
            open_engagement(self.path, f"not {self.passphrase}").close()
        except WrongPassphrase:
            pass
        else:
            raise StepFailed("a wrong passphrase opened the file")
        self.db = open_engagement(self.path, self.passphrase)
        refs = [found.ref for found in list_evidence(self.db)]
        if len(refs) != count or self.evidence_ref not in refs:
            raise StepFailed(f"the file came back with {len(refs)} evidence files instead of {count}")
        return f"closed and opened with its passphrase, {count} evidence files kept; a wrong passphrase is refused"

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _reason(exc: Exception) -> str:
    if isinstance(exc, FieldworkError):
        return exc.message
    if isinstance(exc, StepFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_self_test(desktop: DesktopCheck | None = None, out: TextIO | None = None) -> int:
    """Run the steps in order, one line each; stop at the first failure (the later steps need its result).

    A failure that is a bug rather than a finding also prints its traceback on stderr, for whoever reports it.
    """
    out = out or sys.stdout
    frozen = " (frozen build)" if getattr(sys, "frozen", False) else ""
    print(f"{APP_NAME} {__version__} self-test{frozen}", file=out, flush=True)
    with tempfile.TemporaryDirectory(prefix="fieldwork-self-test-", ignore_cleanup_errors=True) as folder:
        trial = SelfTest(Path(folder))
        steps = trial.steps(desktop)
        try:
            for name, step in steps:
                try:
                    detail = step()
                except Exception as exc:
                    print(f"FAIL {name}: {_reason(exc)}", file=out, flush=True)
                    if not isinstance(exc, FieldworkError | StepFailed):
                        traceback.print_exception(exc, file=sys.stderr)
                    return 1
                print(f"ok   {name}: {detail}", file=out, flush=True)
        finally:
            trial.close()
    print(f"All {len(steps)} steps passed.", file=out, flush=True)
    return 0
