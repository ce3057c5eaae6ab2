"""Find the bundled data (catalogs, templates, migrations) wherever the app runs.

`app`, `resources` and `db` are sibling top-level packages in a checkout, in an
installed wheel (site-packages) and in a PyInstaller bundle (`sys._MEIPASS`), so one
rule serves all three.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldwork import app


def _root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(app.__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A path under the bundled `resources/` folder; raises if it is missing."""
    path = _root().joinpath("resources", *parts)
    if not path.exists():
        raise FileNotFoundError(f"bundled resource missing: {path}")
    return path


def migrations_path() -> Path:
    """The Alembic script directory (`db/migrations`)."""
    path = _root() / "db" / "migrations"
    if not (path / "env.py").exists():
        raise FileNotFoundError(f"database migrations missing: {path}")
    return path
