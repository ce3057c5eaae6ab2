"""How strong a passphrase is, said plainly, and where a command-line passphrase comes from."""

from __future__ import annotations

import os
import stat
import string
from dataclasses import dataclass
from pathlib import Path

from app.errors import ValidationError

MIN_LENGTH = 10
#: A passphrase file holds one line; anything larger is not one (and /dev/zero is never read whole).
MAX_FILE_BYTES = 4096
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
        return _first_line(Path(passphrase_file))
    return os.environ.get(ENV_VARIABLE) or None


def _first_line(path: Path) -> str:
    """The first line of a small text file; a pipe, a device or a binary file is refused, never read whole."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ValidationError(f"The passphrase file {path} is not a file but a pipe, a device or a folder.")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"Cannot read the passphrase file {path}: {exc.strerror}.") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(f"The passphrase file {path} is larger than {MAX_FILE_BYTES:,} bytes: not a passphrase.")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ValidationError(f"The passphrase file {path} is not UTF-8 text.") from None
    if not lines or not lines[0]:
        raise ValidationError(f"The passphrase file {path} is empty.")
    return lines[0]
