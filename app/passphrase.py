"""How strong a passphrase is, said plainly, and where a command-line passphrase comes from."""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

from app.errors import ValidationError

MIN_LENGTH = 10
ENV_VARIABLE = "FIELDWORK_PASSPHRASE"


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (weak) to 4 (strong)
    hint: str


def strength(passphrase: str) -> Strength:
    """A quick estimate from length and variety: long passphrases of several words are best."""
    length = len(passphrase)
    classes = sum(
        any(ch in group for ch in passphrase)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation + " ")
    )
    classes += any(ord(ch) > 127 for ch in passphrase)
    words = len(passphrase.split())
    if length < MIN_LENGTH:
        return Strength(0, f"Too short: use at least {MIN_LENGTH} characters; four or more words work well.")
    if length >= 24 or (words >= 4 and length >= 20):
        return Strength(4, "Strong.")
    if length >= 16 and classes >= 2:
        return Strength(3, "Good; a few more words would make it strong.")
    if classes >= 3:
        return Strength(2, "Fair: a longer passphrase of several words is harder to guess.")
    return Strength(1, "Weak: add words, or mix in capitals, digits or symbols.")


def check_new_passphrase(passphrase: str) -> Strength:
    """Refuse what cannot protect client data; return the hint for anything else."""
    if "\x00" in passphrase:
        raise ValidationError("A passphrase cannot contain a NUL character.")
    found = strength(passphrase)
    if found.score == 0:
        raise ValidationError(found.hint)
    return found


def from_file_or_environment(passphrase_file: Path | None) -> str | None:
    """The passphrase given to a command: a file (first line) first, then FIELDWORK_PASSPHRASE."""
    if passphrase_file is not None:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"Cannot read the passphrase file {passphrase_file}: {exc.strerror}.") from exc
        lines = text.splitlines()
        if not lines or not lines[0]:
            raise ValidationError(f"The passphrase file {passphrase_file} is empty.")
        return lines[0]
    return os.environ.get(ENV_VARIABLE) or None
