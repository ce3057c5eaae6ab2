"""What the reliability tests share: the command line in its own process, and a small disk that fills up.

A real `fieldwork` process is what a crash, a full disk or a second writer meets, so these tests run one.
A full disk is a small tmpfs mounted for the test (root only; CI runs as root, and a test that cannot
mount one is skipped there only when CI is not set).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"


def new_engagement(path: Path, passphrase: str | None = PASSPHRASE) -> Path:
    """A new, empty engagement at `path`, closed."""
    from fieldwork.app.services.engagement import create_engagement
    from tests.conftest import type2_details

    db, _ = create_engagement(path, type2_details(), passphrase=passphrase)
    db.close()
    return path


def engagement_with_a_test(folder: Path, *, encrypted: bool) -> tuple[Path, list[str]]:
    """A new engagement with one operating test; returns its path and `[test id, passphrase options...]`."""
    from fieldwork.app.services.engagement import create_engagement
    from tests.conftest import type2_details
    from tests.sampling_helpers import operating_test

    path = folder / "acme.fieldwork"
    db, _ = create_engagement(path, type2_details(), (), PASSPHRASE if encrypted else None)
    test_id = operating_test(db)
    db.close()
    key = ["--passphrase-file", str(passphrase_file(folder.parent))] if encrypted else []
    return path, [str(test_id), *key]


def passphrase_file(folder: Path, text: str = PASSPHRASE) -> Path:
    path = folder / f"pass-{abs(hash(text))}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def cli(*args: object, timeout: float = 120, **popen: object) -> subprocess.CompletedProcess[str]:
    """Run `fieldwork ARGS...` in a process of its own, with this test's private home."""
    return subprocess.run(
        [sys.executable, "-m", "fieldwork.app.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
        **popen,  # type: ignore[arg-type]
    )


def start_cli(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fieldwork.app.cli.main", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


HOLD = """
import sys
from fieldwork.app.storage.engagement_file import open_engagement
db = open_engagement(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
print("ready", flush=True)
sys.stdin.readline()
db.close()
"""


def hold(path: Path, passphrase: str | None = PASSPHRASE) -> subprocess.Popen[str]:
    """Another Fieldwork process with the file open for changes, until its stdin closes (`communicate("")`)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), *([passphrase] if passphrase else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB file system of its own: fills up as a laptop's disk does."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if made.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to mount a small disk: {made.stderr.decode(errors='replace')}")
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the disk holding `folder` up to `leave` bytes free."""
    filler = folder / "filler.bin"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize - leave
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(free, 0))
    return filler
