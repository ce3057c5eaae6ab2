"""The bug log, `fieldwork.log`: where a bug happened, never what an engagement holds.

An exception's message can carry anything it touched: a control's title, a deviation, a client's
name decrypted from an encrypted file. The log is a plain file on disk, so it receives only the
exception's type and the code it passed through (file, line, function), for every exception in the
chain, and it is readable by its owner alone.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

from fieldwork.app.paths import data_dir

LOG_NAME = "fieldwork.log"


def describe(exc: BaseException) -> str:
    """The exception chain as types and frames, without a message."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  at {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def log_path() -> Path:
    """The log file, created owner-only (and made so, if an earlier version left it readable)."""
    path = data_dir() / LOG_NAME
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    path.chmod(0o600)
    return path


def start_logging() -> Path:
    """Send Fieldwork's own log records (the `fieldwork` loggers, nobody else's) to the owner-only log file."""
    path = log_path()
    logger = logging.getLogger("fieldwork")
    logger.setLevel(logging.INFO)
    if not any(getattr(handler, "baseFilename", None) == str(path) for handler in logger.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    return path


def log_bug(exc: BaseException, where: str) -> Path:
    """Record a bug (`where`: a fixed phrase from the code, never user text); returns the log's path."""
    path = start_logging()
    logging.getLogger("fieldwork").error("bug in %s:\n%s", where, describe(exc))
    return path
