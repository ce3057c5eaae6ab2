"""What a text cell may hold, so a value typed in the app reads back the same and never runs.

- A value starting with `=`, `+`, `-`, `@`, a tab or a carriage return is what spreadsheet formula injection
  uses. Such a cell is written as a string with Excel's quote prefix (the apostrophe a person would type), so it
  stays text even when a reviewer edits it and presses Enter. The value itself is not changed.
- XML cannot carry most control characters, and turns a carriage return into a line feed when read. Those are
  written with the spreadsheet format's own escape `_xHHHH_`, as Excel does; a literal `_xHHHH_` in the text is
  escaped in turn (`_x005F_`), so Excel reads back exactly what was typed.
- Excel holds at most 32,767 characters (UTF-16 units) in a cell and openpyxl silently cuts anything longer.
  A longer text is cut into parts that fit; the writer puts them on the "Long text" sheet and leaves a preview
  with a link in the cell. Nothing is dropped.
"""

from __future__ import annotations

import re

CELL_LIMIT = 32_767
#: Part size on the Long text sheet: under the limit, with room for escapes.
PART_SIZE = 32_000
#: Characters of a long text kept in its own cell, ahead of the link to the full text.
PREVIEW_SIZE = 1_000
#: A text this short fits a cell whatever it holds (an escape is at most 7 characters for 1).
_ALWAYS_FITS = CELL_LIMIT // 7

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Texts openpyxl would store as an error value rather than a string.
_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
#: First characters that send a text the careful way (which checks the error codes exactly).
_LEADING = frozenset("".join(_FORMULA_TRIGGERS) + "#")

_CONTROL_CHARACTER = r"[\x00-\x08\x0b-\x1f]"  # all but tab and line feed, which XML keeps
_CONTROL = re.compile(_CONTROL_CHARACTER)
_NEEDS_ESCAPE = re.compile(_CONTROL_CHARACTER + r"|_x[0-9A-Fa-f]{4}_")


def _escape_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if len(found) == 1:
        return f"_x{ord(found):04X}_"
    return f"_x005F{found}"


def cell_text(text: str) -> str:
    """The text as the file stores it: control characters and literal escapes escaped."""
    return _NEEDS_ESCAPE.sub(_escape_match, text) if _NEEDS_ESCAPE.search(text) else text


def is_plain(text: str) -> bool:
    """True for a text that can go into a cell as it is: it fits, needs no escape and cannot pass for a formula.

    Called for nearly every cell, so the cheap checks come first: `isprintable` rules out control characters in
    one fast pass, twice as fast as the search that only texts with tabs or unusual spaces still need."""
    return (
        len(text) <= _ALWAYS_FITS
        and text[:1] not in _LEADING
        and "_x" not in text
        and (text.isprintable() or text.replace("\n", "").isprintable() or _CONTROL.search(text) is None)
    )


def needs_quote_prefix(text: str) -> bool:
    """True for a text a spreadsheet could take for a formula or an error value."""
    return text.startswith(_FORMULA_TRIGGERS) or text in _ERROR_CODES


def _cell_length(stored: str) -> int:
    """Length as Excel counts it: characters outside the Basic Multilingual Plane take two."""
    return len(stored) + sum(1 for ch in stored if ord(ch) > 0xFFFF)


def fits(text: str) -> bool:
    """True for a text that fits one cell once stored."""
    return len(text) <= _ALWAYS_FITS or _cell_length(cell_text(text)) <= CELL_LIMIT


def parts(text: str) -> list[str]:
    """Cut a text into consecutive parts that each fit a cell once stored; joined, they are the text."""
    found: list[str] = []
    start = 0
    while start < len(text):
        end = start + PART_SIZE
        while _cell_length(cell_text(text[start:end])) > CELL_LIMIT:
            end = start + (end - start) // 2
        found.append(text[start:end])
        start = end
    return found
