"""Write an export so the target path never holds half a file.

The bytes go to a temporary file in the target's folder (same file system, so the
rename is atomic), are flushed to disk, and only then replace the target. A crash,
an error or a cancel leaves the target as it was; the temporary a crash leaves is
swept by the next export into that folder (`app.storage.leftovers`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fieldwork.app.errors import FieldworkError
from fieldwork.app.storage.leftovers import sweep, temporary_prefix

#: What writing the bytes can meet that is the disk's fault, not a bug: said in a sentence.
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def _cannot_write(target: Path, exc: OSError) -> FieldworkError:
    if isinstance(exc, PermissionError):
        return FieldworkError(f"Cannot write {target.name}: permission denied (is it open in another program?).")
    if exc.errno in DISK_FULL:
        return FieldworkError(f"Cannot write {target.name}: the disk is full. Free some space and try again.")
    return FieldworkError(f"Cannot write {target.name} in {target.parent}: {exc.strerror or exc}.")


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target`."""
    target = Path(target)
    if not target.parent.is_dir():
        raise FieldworkError(f"Cannot write {target.name}: the folder {target.parent} does not exist.")
    sweep(target.parent)  # what a killed export left in this folder
    try:
        fd, name = tempfile.mkstemp(prefix=temporary_prefix(target, "part"), dir=target.parent)
    except OSError as exc:  # a folder the user may not write to
        raise _cannot_write(target, exc) from exc
    os.close(fd)
    temporary = Path(name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as any new file the user writes, not mkstemp's owner-only
        try:
            yield temporary
        except OSError as exc:
            if isinstance(exc, PermissionError) or exc.errno in DISK_FULL:
                raise _cannot_write(target, exc) from exc
            raise
        try:
            with temporary.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            raise _cannot_write(target, exc) from exc
    finally:
        temporary.unlink(missing_ok=True)
