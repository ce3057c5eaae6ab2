"""The report's fonts, embedded so it looks the same on every machine, and text made safe for them.

reportlab's built-in fonts are not embedded and cover Latin-1 only, so a client called
"Société Générale" or "株式会社サンプル" would print as boxes on some viewers. The bundled
TrueType fonts (under `resources/fonts`, with their licences) are embedded as subsets:

- DejaVu Sans Condensed, regular and bold (0.7 MB each): Latin, Greek, Cyrillic, punctuation.
- Droid Sans Fallback Full (4.0 MB, Apache 2.0): Chinese, Japanese kana and kanji.
- NanumSquare Regular (0.7 MB, OFL 1.1): Korean Hangul, which Droid Sans Fallback lacks.

No single TrueType font covers all of that, and reportlab picks one font per text run, so
`markup` switches font per character run. Limits: the CJK fonts have no bold (bold CJK text
prints regular), lines of CJK text only break at spaces, and scripts that need shaping or
right-to-left layout (Arabic, Hebrew, Indic scripts) are not supported; characters no bundled
font has print as an empty box.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fieldwork.app.resources import resource_path

ASCII_END = 0x80
SANS = "Fieldwork-Sans"
SANS_BOLD = "Fieldwork-Sans-Bold"
#: Fallbacks in the order they are tried for a character the main font lacks.
FALLBACKS = (("Fieldwork-CJK", "DroidSansFallbackFull.ttf"), ("Fieldwork-Hangul", "NanumSquareR.ttf"))


@dataclass(frozen=True)
class Coverage:
    """Which code points each font can draw, to choose a font per character."""

    main: frozenset[int]
    fallbacks: tuple[tuple[str, frozenset[int]], ...]
    #: Finds a character that only a fallback font draws, at the speed of `re` rather than a Python loop.
    elsewhere: re.Pattern[str]

    def font_for(self, char: str) -> str | None:
        """The fallback font for `char`, or None when the main font draws it (or nothing does)."""
        code = ord(char)
        if code < ASCII_END or code in self.main:  # ASCII includes line breaks, which no font draws
            return None
        for name, covered in self.fallbacks:
            if code in covered:
                return name
        return None


def _register(name: str, file_name: str, bold: str | None = None) -> frozenset[int]:
    """Register a font as its own family, so `<b>` inside any run finds a face (the CJK fonts have no bold)."""
    font = TTFont(name, str(resource_path("fonts", file_name)))
    pdfmetrics.registerFont(font)
    heavy = bold or name
    pdfmetrics.registerFontFamily(name, normal=name, bold=heavy, italic=name, boldItalic=heavy)
    return frozenset(font.face.charToGlyph)


@functools.cache
def coverage() -> Coverage:
    """Register the bundled fonts once per process (parsing them takes a noticeable moment)."""
    _register(SANS_BOLD, "DejaVuSansCondensed-Bold.ttf")
    main = _register(SANS, "DejaVuSansCondensed.ttf", bold=SANS_BOLD)
    fallbacks = tuple((name, _register(name, file)) for name, file in FALLBACKS)
    elsewhere = set().union(*(covered for _name, covered in fallbacks)) - main - set(range(ASCII_END))
    return Coverage(main, fallbacks, re.compile(f"[{_ranges(sorted(elsewhere))}]"))


def _ranges(codes: list[int]) -> str:
    """A regular-expression character class body for sorted code points, as runs `a-z`."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" if a < b else re.escape(chr(a)) for a, b in runs)


def single_font(text: str) -> bool:
    """Whether the main font draws all of `text` (so no per-character font switching is needed)."""
    return text.isascii() or coverage().elsewhere.search(text) is None


def markup(text: str) -> str:
    """Paragraph markup for text typed by a person: escaped, line breaks kept, CJK in a CJK font."""
    if single_font(text):
        return escape(text).replace("\n", "<br/>")
    fonts = coverage()
    runs = []
    for font, chars in itertools.groupby(text, fonts.font_for):
        run = escape("".join(chars)).replace("\n", "<br/>")
        runs.append(run if font is None else f'<font name="{font}">{run}</font>')
    return "".join(runs)
