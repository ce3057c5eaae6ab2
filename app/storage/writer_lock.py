"""One writer per engagement file, across every Fieldwork process on every machine that sees the folder.

The lock is an operating-system lock (`filelock`: fcntl on POSIX, msvcrt on Windows) on a small sidecar
file, `.NAME.lock`, beside the engagement: the OS drops it when its holder dies, so a crashed app never
keeps a file locked. The sidecar is not the engagement itself because re-keying renames a new file over
the engagement, which would carry a lock on the file away with the old one.

Who holds the lock is written to a second sidecar, `.NAME.holder` (profile name, machine, process,
since when), so a refusal can say who has the file open. It is only a description: the OS lock decides.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from fieldwork.app.errors import FileInUseError
from fieldwork.app.profile import load_profile

#: Errors that mean the folder cannot take a lock file: a read-only disk or share, or no permission.
READ_ONLY_ERRORS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


@dataclass(frozen=True)
class Holder:
    """Who has a file open for changes, as that process wrote it down."""

    person: str
    machine: str
    pid: int
    since: str  # ISO 8601, UTC

    def describe(self) -> str:
        when = self.since[:16].replace("T", " ")
        return f"{self.person} on {self.machine} (since {when} UTC)"


class MediumReadOnly(Exception):
    """The folder refuses the lock file: the engagement can only be opened read-only."""


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def holder_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.holder")


def read_holder(path: Path) -> Holder | None:
    """The holder described beside `path`, or None when there is no readable description."""
    try:
        data = json.loads(holder_path(path).read_text(encoding="utf-8"))
        return Holder(str(data["person"]), str(data["machine"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class WriterLock:
    """The right to change one engagement file; re-entrant within a process (the same file opened twice)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        # One instance per lock file in this process (is_singleton), usable from any thread: the app
        # opens on its worker thread and closes on the GUI thread.
        self._lock = FileLock(lock_path(self.path), timeout=0, is_singleton=True, thread_local=False, mode=0o600)

    def acquire(self) -> Holder | None:
        """Take the lock or raise `FileInUseError`; returns the holder it took over from, if one had died."""
        try:
            self._lock.acquire()
        except Timeout:
            holder = read_holder(self.path)
            who = holder.describe() if holder else "another Fieldwork window or command"
            raise FileInUseError(self.path, who) from None
        except OSError as exc:
            if exc.errno in READ_ONLY_ERRORS:
                raise MediumReadOnly(str(exc)) from exc
            raise
        if self._lock.lock_counter > 1:
            return None
        previous = read_holder(self.path)
        try:
            self._describe()
        except OSError:
            self._lock.release()
            raise
        return previous

    def _describe(self) -> None:
        me = Holder(load_profile().signature, socket.gethostname(), os.getpid(), datetime.now(UTC).isoformat())
        target = holder_path(self.path)
        staged = target.with_name(f"{target.name}.{os.getpid()}")
        staged.write_text(json.dumps(asdict(me)), encoding="utf-8")
        os.replace(staged, target)

    def release(self, *, not_ours: bool = False) -> None:
        """Give the lock up; `not_ours`: the file proved not to be an engagement, so no sidecar is left beside it."""
        if not self._lock.is_locked:
            return
        last = self._lock.lock_counter == 1
        if last:
            with contextlib.suppress(OSError):
                holder_path(self.path).unlink()
            if not_ours:
                with contextlib.suppress(OSError):
                    lock_path(self.path).unlink()
        self._lock.release()
