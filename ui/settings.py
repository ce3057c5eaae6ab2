"""Window geometry, splitters and recent files, kept with QSettings in Fieldwork's own config folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.paths import config_dir

MAX_RECENT = 10


def settings() -> QSettings:
    return QSettings(str(config_dir() / "fieldwork-ui.ini"), QSettings.Format.IniFormat)


def recent_files() -> list[Path]:
    value = settings().value("recent", [])
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [Path(name) for name in names if name]


def add_recent(path: Path) -> None:
    names = [str(path.resolve())] + [str(p) for p in recent_files() if p.resolve() != path.resolve()]
    store = settings()
    store.setValue("recent", names[:MAX_RECENT])
    store.sync()
