"""Where Fieldwork keeps its own files on this machine (profile, demo engagement).

`FIELDWORK_HOME` overrides the platform folders so tests and portable installs never
touch the user's real profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def _home_override() -> Path | None:
    value = os.environ.get("FIELDWORK_HOME")
    return Path(value) if value else None


def config_dir() -> Path:
    base = _home_override()
    path = base / "config" if base else Path(platformdirs.user_config_dir("Fieldwork", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    base = _home_override()
    path = base / "data" if base else Path(platformdirs.user_data_dir("Fieldwork", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_engagement_path() -> Path:
    return data_dir() / "Demo engagement.fieldwork"
