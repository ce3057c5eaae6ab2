"""What counts as a reason written down: a sentence someone else can read, not a word.

A reviewer reads a sample below the methodology's minimum, or a test concluded with items untested, through
the reason given; "ok" or "n/a" tells them nothing. The bar is low and mechanical (a few words, some
length), so it never judges the reason, only that one was written.
"""

from __future__ import annotations

import re

MIN_WORDS = 5
MIN_LENGTH = 30
WORD = re.compile(r"[^\W\d_]{2,}")


def is_written_out(text: str | None) -> bool:
    """Whether `text` is at least a short sentence: MIN_WORDS words of two letters or more, MIN_LENGTH characters."""
    stripped = (text or "").strip()
    return len(stripped) >= MIN_LENGTH and len(WORD.findall(stripped)) >= MIN_WORDS


def written_out_hint() -> str:
    return f"a sentence of at least {MIN_WORDS} words"
