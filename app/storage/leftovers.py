"""Temporary files named for the process that writes them, and swept once that process is gone.

Every file Fieldwork writes before renaming it into place (a new engagement, a re-keyed copy, an
export, a plain copy, a backup) is named `.TARGET.PURPOSE~MACHINE~PID[~RANDOM]` in the target's folder. A
crash leaves it behind; the next time that file or folder is opened, leftovers of this machine whose
process no longer runs are deleted. Another machine's (a shared folder) are left alone: their process
cannot be seen from here.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

from fieldwork.app.errors import EngagementFileError
from fieldwork.app.storage.files import create_private, fsync_folder

PURPOSES = ("creating", "rekey", "part", "plain", "backup", "pack")
#: Purposes whose temporary is a folder (a review pack is written whole in one, then renamed).
FOLDERS = frozenset({"pack"})

_NAME = re.compile(
    r"^\.(?P<target>.+)\.(?P<purpose>" + "|".join(PURPOSES) + r")"
    # this build's names carry the machine; earlier builds wrote `.TARGET.rekey-PID` and `.TARGET.creating-PID`
    r"(?:~(?P<machine>[A-Za-z0-9_-]*)~|-)(?P<pid>\d+)(?:~\w+)?"
    r"(?:-journal)?$"  # SQLite's journal of a temporary that was being written
)


def machine() -> str:
    """This machine's name as it can appear in a file name."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40]


def temporary_name(target: Path, purpose: str) -> Path:
    """Where to write `target` before it is renamed into place."""
    assert purpose in PURPOSES
    return target.with_name(f".{target.name}.{purpose}~{machine()}~{os.getpid()}")


def temporary_prefix(target: Path, purpose: str) -> str:
    """The same name as a prefix, for `tempfile.mkstemp` to add a random part to."""
    return f"{temporary_name(target, purpose).name}~"


def is_temporary(name: str) -> bool:
    """Whether a file name is one of Fieldwork's temporaries (or a temporary's journal)."""
    return _NAME.match(name) is not None


def _abandoned(name: str) -> bool:
    found = _NAME.match(name)
    if found is None:
        return False
    if found["machine"] is not None and found["machine"] != machine():
        return False
    pid = int(found["pid"])
    import psutil  # only when a leftover is there to judge: not on every start

    return pid != os.getpid() and not psutil.pid_exists(pid)


def _is_folder_temporary(name: str) -> bool:
    found = _NAME.match(name)
    return found is not None and found["purpose"] in FOLDERS


def sweep(folder: Path) -> list[Path]:
    """Delete this machine's temporaries in `folder` whose writer has died; returns what was deleted."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(".") or not _abandoned(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False) and _is_folder_temporary(entry.name):
                    shutil.rmtree(entry.path)
                    removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def new_private_file(target: Path, purpose: str) -> Iterator[Path]:
    """Yield an empty owner-only temporary beside `target`; renamed to `target` when the block succeeds.

    For copies of a whole engagement (a backup, a plain copy): `target` must not exist yet.
    """
    if target.exists():
        raise EngagementFileError(target, "already exists; choose another name.")
    if not target.parent.is_dir():
        raise EngagementFileError(target, f"cannot be written: the folder {target.parent} does not exist.")
    sweep(target.parent)
    temporary = temporary_name(target, purpose)
    try:
        create_private(temporary)
        yield temporary
        os.replace(temporary, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise EngagementFileError(target, f"could not be written: {exc.strerror or exc}.") from exc
    finally:
        temporary.unlink(missing_ok=True)
