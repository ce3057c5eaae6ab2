"""Write an export so the target path never holds half a file.

The bytes go to a temporary file in the target's folder (same file system, so the
rename is atomic), are flushed to disk, and only then replace the target. A crash,
an error or a cancel leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from app.errors import FieldworkError


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target`."""
    target = Path(target)
    if not target.parent.is_dir():
        raise FieldworkError(f"Cannot write {target.name}: the folder {target.parent} does not exist.")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    temporary.chmod(0o666 & ~umask)  # as any new file the user writes, not mkstemp's owner-only
    try:
        yield temporary
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except PermissionError as exc:
        raise FieldworkError(
            f"Cannot write {target.name}: permission denied (is it open in another program?)."
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
