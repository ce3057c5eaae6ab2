"""File names for what the app writes to disk, made from names that came from outside.

An evidence file's original name is the client's, not ours: it may hold path separators, `..`, control or
invisible characters, a Windows device name (CON, NUL, COM1) or 500 characters. It is kept as metadata only.
Anything written to disk gets a name from `safe_file_name`, inside a folder the app chose, and `unique_path`
never overwrites what is already there.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

#: Device names Windows reserves with any extension ("con.txt" opens the console, not a file).
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)

#: Characters no file system of ours accepts in a name (or that split it into a path).
FORBIDDEN = frozenset('<>:"/\\|?*')

#: Most file systems allow 255 bytes per name; leave room for " (2)" and a temporary suffix.
MAX_NAME_BYTES = 150

#: Extensions longer than this are not kept apart when a long name is shortened.
MAX_SUFFIX_CHARS = 16


def _visible(char: str) -> str:
    """Control, format (e.g. right-to-left override, zero-width) and separator characters become '_'."""
    if char in FORBIDDEN or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return "_"
    return " " if char.isspace() else char


def _shorten(name: str, limit: int) -> str:
    """Cut the stem, not the extension, until the UTF-8 name fits `limit` bytes."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > MAX_SUFFIX_CHARS:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    while stem and len((stem + tail).encode("utf-8")) > limit:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "file") + tail


def safe_file_name(original: str, fallback: str = "evidence") -> str:
    """A name that stays inside its folder on Windows, macOS and Linux and says what the file was."""
    name = "".join(_visible(c) for c in unicodedata.normalize("NFC", original))
    name = " ".join(name.split()).strip(" .")  # hidden files, and Windows drops trailing dots and spaces
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = _shorten(name, MAX_NAME_BYTES)
    if not name.strip("_"):
        name = fallback
    if name.split(".")[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        name = f"_{name}"
    return name


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`, ... when that is taken; always directly inside `folder`."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    if candidate.resolve().parent != folder.resolve():
        raise ValueError(f"unsafe file name {name!r}")
    return candidate
