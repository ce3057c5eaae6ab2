"""The layers hold: `app/` never imports Qt; the UI never runs SQL, never reaches the storage layer and never
opens a transaction (its pages read through `app/pages/`)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from fieldwork import app

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "ui")
#: The namespace the packages are installed under (`fieldwork.app`, `fieldwork.ui`), if any.
NAMESPACE = app.__name__.removesuffix("app")


def top_level(module: str) -> str:
    """The top-level package a module belongs to, within the namespace: `ui` for `fieldwork.ui.views`."""
    return module.removeprefix(NAMESPACE).split(".")[0]


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
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if top_level(m) in QT_MODULES)
        for path in (ROOT / "app").rglob("*.py")
    }
    offenders = {name: mods for name, mods in offenders.items() if mods and name != "app/cli/main.py"}
    assert offenders == {}


def test_only_the_cli_entry_point_reaches_the_ui_and_only_lazily() -> None:
    tree = ast.parse((ROOT / "app" / "cli" / "main.py").read_text(encoding="utf-8"))
    imported = {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names
    }
    assert not any(top_level(m) in QT_MODULES for m in imported), "the UI is imported only when it is started"


def test_the_ui_never_touches_sql_or_the_storage_layer() -> None:
    """Every import, at the top or inside a function: the UI holds an `app.engagement.Engagement` and opens
    files through `app.opening`."""
    forbidden = ("sqlalchemy", "sqlite3", "sqlcipher3", f"{NAMESPACE}app.storage")
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


# --- import cycles and the order of the layers under app/ -----------------------------------------------------------

#: Imports made inside a function ("import when used") that still close a cycle among the services. Each is a debt,
#: not a licence: the test fails when one of them is no longer needed, so the list only shrinks.
DEFERRED_CYCLE_EDGES = {
    ("services.controls", "services.testing"),  # deleting a control deletes its tests
    ("services.testing", "services.ipe"),  # a test's IPE assessments go with it; a clean conclusion asks
    ("services.ipe", "services.testing"),  # the register of every test's population
    ("services.engagement", "services.workpapers"),  # a new engagement gets the templates' workpapers
    ("services.workpapers", "services.judged"),  # the completion items read the judgements
}
#: Lower layers never import higher ones (a layer may import itself and anything to its right).
LAYER_ORDER = ("cli", "pages", "exports", "services", "storage", "domain")


def _module_name(path: Path) -> str:
    """The module's name within `app`: `services.testing` for app/services/testing.py."""
    parts = path.relative_to(ROOT / "app").with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(module: str) -> str | None:
    """A module's name within `app` (`services.testing`), None for a module outside it."""
    return module.removeprefix(f"{app.__name__}.") if module.startswith(f"{app.__name__}.") else None


def _app_imports() -> dict[str, dict[str, bool]]:
    """Each module under app/ -> the app modules it imports, each with whether only inside a function (deferred)."""
    paths = {_module_name(p): p for p in (ROOT / "app").rglob("*.py")}
    graph: dict[str, dict[str, bool]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = f"{app.__name__}.{name}".removesuffix(".")
        package = package if path.name == "__init__.py" else package.rpartition(".")[0]
        top_level = {id(node) for node in tree.body}
        edges: dict[str, bool] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    stem = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*stem, base] if base else stem)
                found = {f"{base}.{a.name}" if within(f"{base}.{a.name}") in paths else base for a in node.names}
            else:
                continue
            for target in {within(m) for m in found} & paths.keys() - {name}:
                edges[target] = edges.get(target, True) and id(node) not in top_level
        graph[name] = edges
    return graph


def test_no_import_cycle_among_app_modules() -> None:
    graph = _app_imports()
    still_needed = {edge for edge in DEFERRED_CYCLE_EDGES if graph.get(edge[0], {}).get(edge[1])}
    assert still_needed == DEFERRED_CYCLE_EDGES, "a listed deferred import is gone or made at module level"
    sorter = graphlib.TopologicalSorter(
        {name: {t for t in edges if (name, t) not in DEFERRED_CYCLE_EDGES} for name, edges in graph.items()}
    )
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_app_layers_import_only_downward() -> None:
    def layer(module: str) -> int | None:
        return next((i for i, prefix in enumerate(LAYER_ORDER) if module.startswith(prefix + ".")), None)

    upward = sorted(
        f"{name} -> {target}"
        for name, edges in _app_imports().items()
        for target in edges
        if (mine := layer(name)) is not None and (theirs := layer(target)) is not None and theirs < mine
    )
    assert upward == []
