"""docs/reliability.md names a test for every promise, and every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMISES = ("Atomic saves", "Crash survival", "One writer", "Disk full", "Bad files", "Bad input", "No plaintext")


def named_tests() -> list[tuple[str, str]]:
    """(file, test) for every `tests/x.py::name` and every `::name` after it in the same cell."""
    found = []
    for cell in re.findall(r"\|([^|\n]*tests/[^|\n]*)\|?\s*$", (ROOT / "docs" / "reliability.md").read_text(), re.M):
        current = ""
        for file, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?", cell):
            current = file or current
            if name:
                found.append((current, name))
    return found


def test_every_promise_has_a_section() -> None:
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for promise in (*PROMISES, "No secret on disk"):
        assert f"## {promise}" in text


def test_every_test_the_document_names_exists() -> None:
    names = named_tests()
    assert len(names) > 30
    for file, name in names:
        source = (ROOT / file).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{file}::{name} is named in docs/reliability.md"
