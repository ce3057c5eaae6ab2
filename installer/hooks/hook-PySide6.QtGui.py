"""Replaces PyInstaller's hook for PySide6.QtGui so only the Qt plugins build_installer.spec names are bundled.

PyInstaller's own hook collects every plugin QtGui can load, and each plugin brings its libraries: the GTK
theme brings GTK from the build machine, the virtual keyboard brings Qt Quick, Wayland and EGL bring theirs.
Filtering after the analysis would leave those libraries in, so the choice is made here, before it.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from PyInstaller.utils.hooks import get_hook_config
from PyInstaller.utils.hooks.qt import add_qt6_dependencies


def plugin_wanted(source: str, destination: str, chosen: dict[str, list[str]]) -> bool:
    """Files that are not plugins, and plugins of a type the spec does not list, are kept as PyInstaller chose."""
    parts = PurePath(destination).parts
    if "plugins" not in parts:
        return True
    kind = "/".join(parts[parts.index("plugins") + 1 :])
    if kind not in chosen:
        return True
    name = PurePath(source).name.removeprefix("lib").split(".")[0]
    return name in chosen[kind]


def hook(hook_api: Any) -> None:
    hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
    chosen = get_hook_config(hook_api, "PySide6", "plugins") or {}
    hook_api.add_imports(*hiddenimports)
    hook_api.add_binaries([(source, target) for source, target in binaries if plugin_wanted(source, target, chosen)])
    hook_api.add_datas(datas)
