"""Flushing to disk, so a rename that publishes a file never publishes unwritten bytes."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside `folder` durable (POSIX only; Windows has no directory handles)."""
    if os.name == "posix":
        fsync_file(folder)


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only, before anything secret is written into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
