"""How strong a passphrase is, said plainly, and where a command-line passphrase comes from."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from fieldwork.app.errors import ValidationError

MIN_LENGTH = 10
#: zxcvbn's score (0-4) a new passphrase needs: 2 takes about 10^6-10^8 guesses, each one costing SQLCipher's
#: slow key derivation; below that it is refused, below 3 the command line warns.
ACCEPTED_SCORE = 2
#: zxcvbn's time grows with length; a passphrase this long is judged on its start.
ESTIMATED_CHARS = 72
#: A passphrase file holds one line; anything larger is not one (and /dev/zero is never read whole).
MAX_FILE_BYTES = 4096
ENV_VARIABLE = "FIELDWORK_PASSPHRASE"


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (too easy to guess) to 4 (strong), zxcvbn's scale
    hint: str


def strength(passphrase: str) -> Strength:
    """How hard the passphrase is to guess, by zxcvbn (dictionaries, repeats, sequences, keyboard patterns).

    Length alone says little: 24 times the same letter is long and guessed at once.
    """
    if len(passphrase) < MIN_LENGTH:
        return Strength(0, f"Too short: use at least {MIN_LENGTH} characters; four or more words work well.")
    from zxcvbn import zxcvbn  # its word lists load in a tenth of a second: only when a passphrase is chosen

    found = zxcvbn(passphrase[:ESTIMATED_CHARS])
    score = int(found["score"])
    advice = " ".join([found["feedback"]["warning"], *found["feedback"]["suggestions"]]).strip()
    if score < ACCEPTED_SCORE:
        return Strength(score, f"Too easy to guess. {advice or 'Use four or more unrelated words.'}")
    if score == ACCEPTED_SCORE:
        return Strength(score, f"Fair. {advice or 'A longer passphrase of several words is harder to guess.'}")
    if score == 3:
        return Strength(score, "Good; a few more words would make it strong.")
    return Strength(score, "Strong.")


def check_new_passphrase(passphrase: str) -> Strength:
    """Refuse what cannot protect client data; return the hint for anything else."""
    if any(ch in passphrase for ch in "\x00\r\n"):
        raise ValidationError("A passphrase is one line of text: it cannot contain a line break or a NUL character.")
    found = strength(passphrase)
    if found.score < ACCEPTED_SCORE:
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
