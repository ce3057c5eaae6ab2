"""The layers hold: `app/` never imports Qt, and the UI never runs SQL."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_app_never_imports_qt_or_the_ui() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in QT_MODULES)
        for path in (ROOT / "app").rglob("*.py")
    }
    offenders = {name: mods for name, mods in offenders.items() if mods and name != "app/cli/main.py"}
    assert offenders == {}


def test_only_the_cli_entry_point_reaches_the_ui_and_only_lazily() -> None:
    tree = ast.parse((ROOT / "app" / "cli" / "main.py").read_text(encoding="utf-8"))
    top_level = {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names
    }
    assert not any(m.split(".")[0] in QT_MODULES for m in top_level), "the UI is imported only when it is started"


def test_the_ui_never_touches_sql_or_the_storage_layer() -> None:
    forbidden = ("sqlalchemy", "sqlite3", "sqlcipher3", "app.storage.schema", "app.storage.database")
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith(forbidden))
        for path in (ROOT / "ui").rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
