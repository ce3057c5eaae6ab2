"""The review pack: what a manager takes on a plane. One folder with the workpapers and a copy of every evidence
file they cite, linked from the workbook by relative paths, so it opens offline, without the app, wherever the
folder is copied.

The pack is not encrypted, so it is made the way the unencrypted copy is: the engagement's history records it
(where, and what it holds) before its first byte; it is written inside a temporary folder beside the target that
only its owner can enter (0700 folders, 0600 files) and renamed into place last, so a cancel, an error or a kill
leaves no pack (a killed writer's folder is swept by the next write into that folder). Evidence is streamed
chunk by chunk out of the engagement file and checked against its SHA-256 on the way, never held whole.

`PackOptions` limit the rows and the evidence to key controls, or to the items a reviewer still has to look at:
those whose sign-offs are stale or that have no reviewer's sign-off.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from fieldwork.app.domain.records import Control, ControlTest
from fieldwork.app.domain.refs import sample_ref
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.services.evidence_copies import write_verified_copy
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import changes
from fieldwork.app.services.safe_names import safe_file_name, unique_path
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import ItemSignOffs
from fieldwork.app.storage.files import create_private, fsync_folder
from fieldwork.app.storage.leftovers import sweep, temporary_prefix
from fieldwork.app.tasks import Task

WORKBOOK = "workpapers.xlsx"
EVIDENCE = "evidence"
#: The history's action for a pack written.
ACTION = "export_review_pack"


@dataclass(frozen=True)
class PackOptions:
    key_controls_only: bool = False
    #: Items whose sign-offs are stale or that have no reviewer's sign-off yet.
    changed_since_review: bool = False

    @property
    def description(self) -> str:
        """What the rows are limited to, in words ("" for everything)."""
        parts = ["key controls"] * self.key_controls_only
        parts += ["items changed since review or not yet reviewed"] * self.changed_since_review
        return " and ".join(parts)


@dataclass(frozen=True)
class PackWritten:
    folder: Path
    workbook: Path
    evidence_files: int
    evidence_bytes: int


def needs_review(state: ItemSignOffs | None) -> bool:
    """An item a reviewer still has to look at: changed after a sign-off, or never signed by a reviewer."""
    return state is None or state.stale or state.reviewer is None


def _chosen(data: ReportData, options: PackOptions) -> tuple[list[Control], list[ControlTest]]:
    """The controls and tests the options keep; a kept test keeps its control, so its row links to it."""
    controls = [c for c in data.controls if c.is_key or not options.key_controls_only]
    kept = {c.id for c in controls}
    tests = [t for t in data.tests if t.control_id in kept]
    if options.changed_since_review:
        tested, controlled = data.signoffs.get(ItemType.TEST, {}), data.signoffs.get(ItemType.CONTROL, {})
        tests = [t for t in tests if needs_review(tested.get(str(t.id)))]
        wanted = {t.control_id for t in tests}
        controls = [c for c in controls if c.id in wanted or needs_review(controlled.get(str(c.id)))]
    return controls, tests


def limit(data: ReportData, options: PackOptions) -> ReportData:
    """The engagement's data with only the rows the options keep, and the evidence those rows cite.

    Requirement-level sheets (coverage, conclusions, the SoA) keep their figures, which are the whole engagement's;
    the Index counts what the pack lists and says what it is limited to."""
    if not options.description:
        return data
    controls, tests = _chosen(data, options)
    test_refs = {t.id: t.ref for t in tests}
    items = [i for i in data.sample_items if i.test_id in test_refs]
    cited = (
        {c.ref for c in controls} | set(test_refs.values()) | {sample_ref(test_refs[i.test_id], i.seq) for i in items}
    )
    evidence = [e for e in data.evidence if cited.intersection(e.used_by)]
    deviations = [d for d in data.deviations if d.test_id in test_refs]
    counted = {"controls": len(controls), "tests": len(tests), "sample_items": len(items)}
    counted["deviations"] = len(deviations)
    return replace(
        data,
        controls=tuple(controls),
        tests=tuple(tests),
        sample_items=tuple(items),
        deviations=tuple(deviations),
        evidence=tuple(evidence),
        counts={**data.counts, **counted, "evidence": len(evidence)},
        tests_without_evidence={k: v for k, v in data.tests_without_evidence.items() if k in test_refs},
        limited_to=options.description,
    )


def _check_target(target: Path) -> str:
    """The target as the history records it; a folder that exists, or one whose parent does not, is refused."""
    if target.exists():
        raise ValidationError(f"{target} already exists; choose a new folder for the review pack.")
    if not target.parent.is_dir():
        raise ValidationError(f"Cannot write the review pack: the folder {target.parent} does not exist.")
    shown = str(target.absolute())
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("The review pack's folder name is not valid UTF-8 text; choose another.") from None
    return shown


def write_review_pack(db: Engagement, target: Path, task: Task, options: PackOptions) -> PackWritten:
    """Write the review pack into the new folder `target`; a cancel (`task`) leaves nothing there."""
    target = Path(target)
    shown = _check_target(target)
    data = limit(gather(db), options)
    size = sum(found.size for found in data.evidence)
    with changes(db) as ch:  # before the first byte: the history names every place plaintext may be
        details = {"target": shown, "evidence_files": len(data.evidence), "limited_to": options.description or None}
        ch.record(ACTION, "engagement_file", db.path.name, details)
    sweep(target.parent)  # what a killed pack left beside it
    try:
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(target, "pack"), dir=target.parent))
    except OSError as exc:
        raise FieldworkError(f"Cannot write the review pack in {target.parent}: {exc.strerror or exc}.") from exc
    try:
        files = _copy_evidence(db, data, staging, ByteProgress(task, size))
        write_workbook(data, staging / WORKBOOK, task, files)
        os.chmod(staging / WORKBOOK, 0o600)
        task.progress(1, 1, "Saving")  # the last place to stop
        fsync_folder(staging)
        os.rename(staging, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise FieldworkError(f"Cannot write the review pack {target.name}: {exc.strerror or exc}.") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return PackWritten(target, target / WORKBOOK, len(data.evidence), size)


def _copy_evidence(db: Engagement, data: ReportData, folder: Path, progress: ByteProgress) -> dict[str, str]:
    """Copy every evidence file the pack cites into `folder/evidence`, named by reference then the file's own
    name; returns each reference's path relative to the workbook."""
    into = folder / EVIDENCE
    into.mkdir(mode=0o700)
    files: dict[str, str] = {}
    with db.reading() as conn:
        for found in data.evidence:
            path = unique_path(into, safe_file_name(f"{found.ref} {found.original_name}", fallback=found.ref))
            create_private(path)
            with path.open("r+b") as handle:
                write_verified_copy(conn, found.id, handle, progress)
                handle.flush()
                os.fsync(handle.fileno())
            files[found.ref] = f"{EVIDENCE}/{path.name}"
    return files
