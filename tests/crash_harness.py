"""Kill a `fieldwork` command at a random moment of its work, then check what it left.

Each write path (attaching evidence, importing a population and drawing a sample, exporting the
report and workpapers, writing the review pack, re-keying, creating the demo, writing a plain copy,
taking a backup) is run once to the end to learn how long it takes and what the file looks like after it; then, trial by
trial, a fresh copy of the starting state is given to the same command, which is sent SIGKILL after
a random delay within that time. The survivor must open (journal rolled back, temporaries swept),
pass `verify`, show in `info --json` either the state before the command or the state after it and
nothing else, hold no half-written target, and hold neither the client's name nor the passphrase in
plain bytes where the file is encrypted.

Used by the bounded suite in `tests/test_crash_survival.py` (CI) and by the long run in
`benchmarks/crash_survival.py`.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldwork.app.cli.engagement_verbs import engagement_info
from fieldwork.app.demo import create_demo
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.errors import WrongPassphrase
from fieldwork.app.services import controls, population, population_files, testing
from fieldwork.app.services.evidence import attach_files
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.storage.leftovers import is_temporary

PASSPHRASE = "crash test passphrase of seven words"
NEW_PASSPHRASE = "another crash test passphrase entirely"
ENGAGEMENT = "acme.fieldwork"

Doc = dict[str, Any]


def info_of(db: EngagementFile) -> Doc:
    doc = engagement_info(db)
    for fact in ("engagement_id", "created_at"):  # a new file's own each time it is made (the demo)
        doc["file"].pop(fact, None)
    for record in (*doc["controls"], *doc["tests"]):
        record.pop("id")  # a new file's records get keys of their own too
    return doc


@dataclass(frozen=True)
class Survey:
    """What a trial left: None when everything holds, else what does not."""

    problem: str | None
    state: str  # "before", "after", "absent" (nothing created yet) or "" on a problem


@dataclass
class WritePath:
    """One command that writes, with its starting state and what may be true after it."""

    name: str
    argv: Callable[[Path, Path], list[str]]  # (trial folder, shared inputs folder) -> fieldwork arguments
    start: Callable[[Path, Path], None]  # lay the starting state into the trial folder
    judge: Callable[[WritePath, Path], Survey]  # (this path, trial folder)
    before: Doc | None = None
    after: Doc | None = None
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()  # files that legitimately hold plain client text
    midway: Callable[[Path], None] | None = None  # a verb of two user actions: the first, done in-process
    between: Doc | None = None  # the state after that first action alone
    secrets: list[bytes] = field(default_factory=list)


def _open_either(path: Path) -> tuple[EngagementFile, str]:
    for passphrase, which in ((PASSPHRASE, "old"), (NEW_PASSPHRASE, "new")):
        try:
            return open_engagement(path, passphrase), which
        except WrongPassphrase:
            continue
    raise WrongPassphrase(path, "opens with neither passphrase")


def _check_engagement(path: Path, before: Doc | None, after: Doc | None, between: Doc | None = None) -> Survey:
    """Open (which recovers and sweeps), verify, and compare with the two states allowed."""
    try:
        db, which = _open_either(path)
    except Exception as exc:  # what a user would meet: any refusal is a failed trial
        return Survey(f"does not open: {type(exc).__name__}: {exc}", "")
    if which == "new":  # a re-key changes no record: its "after" is the new passphrase
        before = None
    try:
        failed = [f"{f.check}: {f.detail}" for f in verify(db) if not f.ok]
        doc = info_of(db)
    finally:
        db.close()
    if failed:
        return Survey(f"verify failed: {failed}", "")
    if doc == before:
        return Survey(None, "before")
    if doc == after:
        return Survey(None, "after")
    if between is not None and doc == between:
        return Survey(None, "between")
    return Survey("info --json shows neither the state before the command nor the state after it", "")


def judge_engagement(path: WritePath, folder: Path) -> Survey:
    return _check_engagement(folder / ENGAGEMENT, path.before, path.after, path.between)


def judge_new_file(path: WritePath, folder: Path) -> Survey:
    """A file being created: either not there at all (and creating it again works), or whole."""
    if (folder / ENGAGEMENT).exists():
        return _check_engagement(folder / ENGAGEMENT, None, path.after)
    create_demo(folder / "again.fieldwork").close()  # the next creation in that folder sweeps what was left
    (folder / "again.fieldwork").unlink()
    return Survey(None, "absent")


def judge_copy(name: str, passphrase: str | None) -> Callable[[WritePath, Path], Survey]:
    """The original unchanged (in what `info` shows) and the copy either absent or whole."""

    def judge(path: WritePath, folder: Path) -> Survey:
        before, after = path.before, path.after
        original = _check_engagement(folder / ENGAGEMENT, before, before)
        if original.problem or not (folder / name).exists():
            return Survey(original.problem, "before")
        try:
            with open_engagement(folder / name, passphrase) as copy:
                failed = [f.check for f in verify(copy) if not f.ok]
                doc = info_of(copy)
        except Exception as exc:
            return Survey(f"the copy does not open: {type(exc).__name__}: {exc}", "")
        if failed or doc != after:
            return Survey(f"the copy is not whole: failed {failed}, same info: {doc == after}", "")
        return Survey(None, "after")

    return judge


def judge_exports(path: WritePath, folder: Path) -> Survey:
    original = _check_engagement(folder / ENGAGEMENT, path.before, path.before)
    if original.problem:
        return original
    pdf, xlsx = folder / "report.pdf", folder / "workpapers.xlsx"
    if pdf.exists() and not pdf.read_bytes().rstrip().endswith(b"%%EOF"):
        return Survey("report.pdf is half-written", "")
    if xlsx.exists():
        try:
            with zipfile.ZipFile(xlsx) as archive:
                if archive.testzip() is not None:
                    return Survey("workpapers.xlsx is damaged", "")
        except zipfile.BadZipFile:
            return Survey("workpapers.xlsx is half-written", "")
    return Survey(None, "after" if xlsx.exists() else "before")


PACK = "pack"


def _pack_files(pack: Path) -> dict[str, int | None]:
    """Each file's size; the workbook's varies with the time it was written, so only its name counts."""
    found = (p for p in sorted(pack.rglob("*")) if p.is_file())
    return {str(p.relative_to(pack)): None if p.suffix == ".xlsx" else p.stat().st_size for p in found}


def judge_pack(path: WritePath, folder: Path) -> Survey:
    """The engagement before or after (the history names the pack before its first byte); the pack either
    absent or exactly the files the pack run to its end wrote, the evidence of the same sizes, the workbook
    whole."""
    original = _check_engagement(folder / ENGAGEMENT, path.before, path.after)
    pack = folder / PACK
    if original.problem or not pack.exists():
        return original
    reference = folder.parent / f"{path.name}-reference".replace(" ", "-") / PACK
    if _pack_files(pack) != _pack_files(reference):
        return Survey("the review pack is there but not whole", "")
    workbook = next(pack.glob("*.xlsx"))
    with zipfile.ZipFile(workbook) as archive:
        if archive.testzip() is not None:
            return Survey(f"{workbook.name} in the pack is damaged", "")
    return Survey(None, "after")


def _hot(journal: Path) -> bool:
    """A journal SQLite would roll back; one whose header is still zero means no page reached the file."""
    with journal.open("rb") as handle:
        return handle.read(1) not in (b"", b"\0")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_temporary(p.name) or (p.name.endswith("-journal") and _hot(p)))


def plaintext_leaks(folder: Path, secrets: list[bytes], outputs: tuple[str, ...]) -> list[str]:
    """Files (other than the plain outputs asked for) that hold a secret in plain bytes."""
    found = []
    for item in folder.iterdir():
        if item.is_file() and item.name not in outputs:
            data = item.read_bytes()
            found += [f"{item.name} holds {secret[:12]!r}..." for secret in secrets if secret in data]
    return found


class Harness:
    """Shared inputs (evidence, a population, the starting engagement) made once, then trial after trial."""

    def __init__(self, workspace: Path, evidence_mib: int = 24, population_rows: int = 60_000) -> None:
        self.workspace = workspace
        self.inputs = workspace / "inputs"
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.home = workspace / "home"
        self.env = {**os.environ, "FIELDWORK_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        (self.inputs / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
        (self.inputs / "new-pass.txt").write_text(NEW_PASSPHRASE + "\n", encoding="utf-8")
        with (self.inputs / "scan.pdf").open("wb") as handle:
            handle.write(os.urandom(evidence_mib << 20))
        lines = ["Ticket,Date,Summary"] + [
            f"CHG-{n:06d},2026-{1 + n % 12:02d}-{1 + n % 28:02d},change {n}" for n in range(population_rows)
        ]
        (self.inputs / "changes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.template = self.inputs / ENGAGEMENT
        db = create_demo(self.template, PASSPHRASE)
        attach_files(db, [self._evidence_seed()])
        self.test_ref = self._unsampled_test(db)
        self.client = info_of(db)["engagement"]["client"]
        db.close()

    def _evidence_seed(self) -> Path:
        seed = self.inputs / "walkthrough.bin"
        seed.write_bytes(os.urandom(8 << 20))  # so re-keys, copies and backups take a measurable while
        return seed

    def _unsampled_test(self, db: EngagementFile) -> str:
        """A test of its own with nothing sampled yet, whatever the demo holds."""
        made = controls.create_control(db, ControlInput("Change approval (crash suite)"), ["CC8.1"])
        plan = TestPlan(TestKind.OPERATING, "Inspected each change's approval", (Method.INSPECTION,))
        return testing.add_test(db, made.ref, plan).ref

    def import_population(self, engagement: Path) -> None:
        """What `fieldwork sample` does first, in its own transaction: the population alone."""
        source = PopulationSource(self.inputs / "changes.csv")
        with open_engagement(engagement, PASSPHRASE) as db:
            test_id = testing.get_test(db, self.test_ref).id
            shown = population_files.preview(source)
            population.import_population(db, test_id, source, shown.id_column, shown.date_column)

    def lay_engagement(self, folder: Path, _inputs: Path) -> None:
        shutil.copyfile(self.template, folder / ENGAGEMENT)

    def lay_nothing(self, folder: Path, _inputs: Path) -> None:
        """A file about to be created: the folder starts empty."""

    def write_paths(self) -> list[WritePath]:
        key = ["--passphrase-file", str(self.inputs / "pass.txt")]
        engagement = self.lay_engagement
        return [
            WritePath(
                "evidence add",
                lambda f, i: ["evidence", "add", str(f / ENGAGEMENT), str(i / "scan.pdf"), *key],
                engagement,
                judge_engagement,
            ),
            WritePath(
                "population import and sample",
                lambda f, i: [
                    "sample",
                    str(f / ENGAGEMENT),
                    "--test",
                    self.test_ref,
                    "--population",
                    str(i / "changes.csv"),
                    "--seed",
                    "7",
                    *key,
                ],
                engagement,
                judge_engagement,
                midway=self.import_population,
            ),
            WritePath(
                "export (PDF and XLSX)",
                lambda f, i: [
                    "export",
                    str(f / ENGAGEMENT),
                    "--pdf",
                    str(f / "report.pdf"),
                    "--xlsx",
                    str(f / "workpapers.xlsx"),
                    *key,
                ],
                engagement,
                judge_exports,
                outputs=("report.pdf", "workpapers.xlsx"),
            ),
            WritePath(
                "review pack",
                lambda f, i: ["export", str(f / ENGAGEMENT), "--review-pack", str(f / PACK), "--unencrypted-ok", *key],
                engagement,
                judge_pack,
            ),
            WritePath(
                "re-key",
                lambda f, i: [
                    "passphrase",
                    str(f / ENGAGEMENT),
                    *key,
                    "--new-passphrase-file",
                    str(i / "new-pass.txt"),
                    "--no-remember",
                ],
                engagement,
                judge_engagement,
            ),
            WritePath(
                "demo creation",
                lambda f, i: ["demo", str(f / ENGAGEMENT), *key, "--no-remember"],
                self.lay_nothing,
                judge_new_file,
            ),
            WritePath(
                "export-plain",
                lambda f, i: ["export-plain", str(f / ENGAGEMENT), str(f / "plain.fieldwork"), *key],
                engagement,
                judge_copy("plain.fieldwork", None),
                outputs=("plain.fieldwork",),
            ),
            WritePath(
                "backup",
                lambda f, i: ["backup", str(f / ENGAGEMENT), str(f / "backup.fieldwork"), *key],
                engagement,
                judge_copy("backup.fieldwork", PASSPHRASE),
            ),
        ]

    def command(self, path: WritePath, folder: Path) -> list[str]:
        return [sys.executable, "-m", "fieldwork.app.cli.main", *path.argv(folder, self.inputs)]

    def learn(self, path: WritePath) -> None:
        """Run the command to its end once: how long it takes, and the states allowed before and after."""
        folder = self.fresh_folder(f"{path.name}-reference")
        path.start(folder, self.inputs)
        if (folder / ENGAGEMENT).exists():
            with open_engagement(folder / ENGAGEMENT, PASSPHRASE, read_only=True) as db:
                path.before = info_of(db)
        if path.midway is not None:
            halfway = self.fresh_folder(f"{path.name}-midway")
            path.start(halfway, self.inputs)
            path.midway(halfway / ENGAGEMENT)
            with open_engagement(halfway / ENGAGEMENT, PASSPHRASE, read_only=True) as db:
                path.between = info_of(db)
        started = time.monotonic()
        done = subprocess.run(self.command(path, folder), env=self.env, capture_output=True, text=True, check=False)
        path.seconds = time.monotonic() - started
        if done.returncode != 0:
            raise RuntimeError(f"{path.name} failed when run to its end: {done.stderr}")
        created = {"export-plain": "plain.fieldwork", "backup": "backup.fieldwork"}.get(path.name, ENGAGEMENT)
        db, _which = _open_either(folder / created)  # a plain file opens whatever passphrase is offered
        with db:
            path.after = info_of(db)
        path.secrets = [self.client.encode(), PASSPHRASE.encode(), NEW_PASSPHRASE.encode()]

    def fresh_folder(self, name: str) -> Path:
        folder = self.workspace / "trials" / name.replace(" ", "-")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def trial(self, path: WritePath, number: int, rng: random.Random) -> tuple[float, Survey]:
        """One kill at a random moment; returns the delay and what the survivor looks like."""
        folder = self.fresh_folder(f"{path.name}-{number}")
        path.start(folder, self.inputs)
        delay = rng.uniform(0.2, 1.05) * path.seconds
        running = subprocess.Popen(
            self.command(path, folder), env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        running.send_signal(signal.SIGKILL)
        running.wait()
        survey = path.judge(path, folder)
        if survey.problem is None:
            survey = self._tidy(path, folder, survey)
        shutil.rmtree(folder, ignore_errors=True)
        return delay, survey

    def _tidy(self, path: WritePath, folder: Path, survey: Survey) -> Survey:
        """After the survivor was opened: nothing temporary left, and no secret in plain bytes."""
        left = leftovers(folder)
        if left:
            return Survey(f"left behind after the next open: {left}", "")
        leaks = plaintext_leaks(folder, path.secrets, path.outputs)
        if leaks:
            return Survey(f"plaintext on disk: {leaks}", "")
        return survey
