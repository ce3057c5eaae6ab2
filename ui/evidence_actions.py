"""What every page that shows evidence does with it: attach files, open one, unlink one, go to what it supports.

Attaching and opening move bytes (a log export can be gigabytes), so both run as long work: a progress
dialog after a moment, and Cancel, which the service turns into a rollback, leaving nothing half-stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QWidget

from fieldwork.app.domain.records import EvidenceFile, PbcRequest
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.evidence_copies import open_private_copy
from fieldwork.app.services.pbc import list_pbc_requests
from fieldwork.ui.context import UiContext
from fieldwork.ui.desktop import PRIVATE_COPIES
from fieldwork.ui.dialogs.receipt import ReceiptDialog, files_count


def choose_files(parent: QWidget) -> list[Path]:
    chosen, _ = QFileDialog.getOpenFileNames(parent, "Attach evidence", "", "All files (*)")
    return [Path(name) for name in chosen]


def attach(
    ctx: UiContext,
    parent: QWidget,
    paths: Sequence[Path],
    targets: Sequence[ev.Link] = (),
    place: str = "",
    request_id: int | None = None,
) -> None:
    """Ask where the files came from, then attach them (linked to `targets`, named `place`) in one transaction."""
    if not paths:
        return
    files = list(paths)

    def ask(requests: list[PbcRequest]) -> None:
        dialog = ReceiptDialog(files, place, requests, request_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        receipt = dialog.receipt()

        def attached(found: list[EvidenceFile]) -> None:
            refs = ", ".join(f.ref for f in found)
            supports = ", ".join(found[0].used_by) if found else ""  # a batch is linked as one
            ctx.runner.status(f"Attached {refs}" + (f", supporting {supports}." if supports else "."))

        label = f"Attaching {files_count(len(files))}"
        ctx.long(label, lambda db, task: ev.attach_files(db, files, targets, receipt, task), attached)

    ctx.read("Loading the PBC list", list_pbc_requests, ask)


def open_copy(ctx: UiContext, found: EvidenceFile) -> None:
    """Open a file with the system's viewer, from a private copy removed when the engagement closes."""

    def show(path: Path) -> None:
        if not PRIVATE_COPIES.show(path):
            ctx.runner.status(f"No program on this computer opens {path.name}; save a copy instead.")

    ctx.long(f"Opening {found.ref}", lambda db, task: open_private_copy(db, found.id, task), show)


def unlink(ctx: UiContext, parent: QWidget, found: EvidenceFile, uses: Sequence[ev.EvidenceUse]) -> None:
    """Remove one link of `found`, asking which when there are several; the file stays in the library."""
    if not uses:
        return
    use = uses[0]
    if len(uses) > 1:
        labels = [f"{u.ref}  {u.label}" for u in uses]
        label, ok = QInputDialog.getItem(parent, "Unlink evidence", f"Unlink {found.ref} from:", labels, 0, False)
        if not ok:
            return
        use = uses[labels.index(label)]
    ctx.write(f"Unlinked {found.ref} from {use.ref}", lambda db: ev.unlink_evidence(db, found.id, use.link))


def open_use(ctx: UiContext, use: ev.EvidenceUse) -> None:
    """Go to the control, test, PBC request, finding, workpaper, IPE assessment or AI system a file supports (a
    sample item opens on its test)."""
    ctx.open(use.opens)
