"""Window geometry, splitters and recent files, kept with QSettings in Fieldwork's own config folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings

from fieldwork.app.paths import config_dir

MAX_RECENT = 10


def settings() -> QSettings:
    return QSettings(str(config_dir() / "fieldwork-ui.ini"), QSettings.Format.IniFormat)


def recent_files() -> list[Path]:
    value = settings().value("recent", [])
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [Path(name) for name in names if name]


def _about_key(path: Path) -> str:
    """A settings key for a file (its path holds slashes, which QSettings reads as groups)."""
    return "recent_about/" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


def add_recent(path: Path, about: str = "") -> None:
    """Put `path` first among the recent files, with what it is (client and period) when known."""
    names = [str(path.resolve())] + [str(p) for p in recent_files() if p.resolve() != path.resolve()]
    store = settings()
    store.setValue("recent", names[:MAX_RECENT])
    if about:
        store.setValue(_about_key(path), about)
    store.sync()


def recent_about(path: Path) -> str:
    """What a recent file is, as noted when it was last opened ("" for a file opened before this was kept)."""
    value = settings().value(_about_key(path), "")
    return value if isinstance(value, str) else ""
