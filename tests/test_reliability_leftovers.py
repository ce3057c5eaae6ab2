"""What a killed Fieldwork leaves behind: never plaintext at the target, and temporaries swept at the next open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fieldwork.app.services.evidence import attach_files
from fieldwork.app.services.history import list_history
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.storage.leftovers import machine
from tests.evidence_helpers import write_file
from tests.reliability_helpers import PASSPHRASE, cli, new_engagement, passphrase_file, start_cli


def dead_pid() -> int:
    """The id of a process that has ended."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def test_temporaries_of_dead_processes_are_swept_when_the_file_is_opened(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    here, gone = machine(), dead_pid()
    abandoned = [
        f".acme.fieldwork.rekey~{here}~{gone}",
        f".acme.fieldwork.creating~{here}~{gone}",
        f".report.pdf.part~{here}~{gone}~k2j4x9",
        f".archive.fieldwork.plain~{here}~{gone}",
        f".archive.fieldwork.plain~{here}~{gone}-journal",
        f".acme.fieldwork.rekey-{gone}",  # as earlier versions named them
        f".acme.fieldwork.creating-{gone}",
    ]
    alive = [
        f".acme.fieldwork.rekey~{here}~{os.getppid()}",  # a process that still runs
        f".acme.fieldwork.rekey~another-laptop~{gone}",  # another machine's, on a shared folder
        ".notes.txt",
    ]
    for name in abandoned + alive:
        (tmp_path / name).write_bytes(b"x" * 100)
    open_engagement(path, PASSPHRASE).close()
    left = {p.name for p in tmp_path.iterdir()}
    assert left.isdisjoint(abandoned)
    assert left >= set(alive)


def wait_for(folder: Path, pattern: str, limit: float = 60) -> Path:
    """The first file matching `pattern` once it holds bytes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(pattern) if p.stat().st_size]
        if found:
            return found[0]
        time.sleep(0.002)
    raise AssertionError(f"nothing like {pattern} appeared in {folder}")


def test_killing_export_plain_leaves_no_plaintext_at_the_target_and_the_history_knows(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    with open_engagement(path, PASSPHRASE) as db:
        attach_files(db, [write_file(tmp_path / "large scan.pdf", 120 << 20)])
    target = tmp_path / "archive.fieldwork"
    running = start_cli("export-plain", path, target, "--passphrase-file", passphrase_file(tmp_path))
    temporary = wait_for(tmp_path, ".archive.fieldwork.plain~*[0-9]")
    assert temporary.stat().st_mode & 0o077 == 0, "plaintext is readable by its owner only, from its first byte"
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert not target.exists()
    with open_engagement(path, PASSPHRASE) as db:
        recorded = [e for e in list_history(db) if e.action == "export_unencrypted_copy"]
        assert [e.new_values for e in recorded] == [{"target": str(target)}]
    assert not list(tmp_path.glob(".archive*")), "swept (with its journal) when the engagement was opened again"


def test_an_unencrypted_copy_is_owner_only(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    target = tmp_path / "archive.fieldwork"
    done = cli("export-plain", path, target, "--passphrase-file", passphrase_file(tmp_path))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if ".plain~" in p.name]


def test_killed_exports_leave_parts_that_the_next_export_sweeps(demo_template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.xlsx"
    running = start_cli("export", demo_template, "--xlsx", report)
    part = wait_for(out, ".report.xlsx.part~*")
    running.send_signal(signal.SIGKILL)
    running.wait()
    assert part.exists() and not report.exists()
    done = cli("export", demo_template, "--xlsx", report)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx"]
