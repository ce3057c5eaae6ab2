"""The layers hold: `app/` never imports Qt; the UI never runs SQL, never reaches the storage layer and never
opens a transaction (its pages read through `app/pages/`)."""

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
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from app import storage`
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
    """Every import, at the top or inside a function: the UI holds an `app.engagement.Engagement` and opens
    files through `app.opening`."""
    forbidden = ("sqlalchemy", "sqlite3", "sqlcipher3", "app.storage")
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in forbidden)
        )
        for path in (ROOT / "ui").rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_the_ui_opens_no_transaction_of_its_own() -> None:
    """A page's read is one `load_*_page` in `app/pages/`; a write is a service's one `changes(db)`."""
    offenders = {
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in (ROOT / "ui").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("reading", "writing", "engine")
    }
    assert offenders == set()
