"""`fieldwork --self-test`: what IT runs on a new installation, and the build on the frozen app."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fieldwork.app.self_test import StepFailed, run_self_test
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import MemoryKeyring

STEPS = ["create", "evidence", "pdf", "docx", "xlsx", "verify", "reopen"]


def test_the_self_test_passes_every_step_and_leaves_nothing_behind(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fieldwork.app.cli.main", "--self-test"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok   {step}" for step in [*STEPS, "desktop"]]
    assert "offscreen" in lines[-2]
    assert lines[-1] == "All 8 steps passed."
    assert list(tmp_path.glob("fieldwork-self-test-*")) == [], "the temporary folder is removed"


def test_a_failing_step_says_FAIL_exits_non_zero_and_no_secret_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[EngagementFile] = []

    def no_screen(db: EngagementFile) -> str:
        seen.append(db)
        raise StepFailed("no screen")

    out = io.StringIO()
    assert run_self_test(no_screen, out) == 1
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok   {step}" for step in STEPS]
    assert lines[-1] == "FAIL desktop: no screen"
    assert seen[0].encrypted, "the desktop step was given the reopened, encrypted engagement"
    assert memory_keyring.secrets == {}, "the passphrase never reaches the keychain"
    assert list(tmp_path.glob("fieldwork-self-test-*")) == []
