"""Opening an engagement: the one sequence the command line and the desktop app both follow.

A plain file opens at once. An encrypted one is tried with the passphrase given (on the command line, a file or
the environment), else with the one the keychain remembers; when neither opens it, the person is asked. Asking is
the caller's (a prompt at a terminal, a dialog in the app, which runs each step off the GUI thread), so the
sequence stops there with an `Ask` and goes on with `answer`. The opener decides how the file is opened (for
changes, read-only, or read-only as a roll-forward's source).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import WrongPassphrase
from fieldwork.app.keychain import KeychainUnavailable, recall, remember
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.storage.fileformat import Encryption, sniff
from fieldwork.app.storage.read_only import ReadOnlyFile, open_read_only

Passphrase = str | None
#: What an opener gives back: an engagement open to change, or one open to read only.
Opened = TypeVar("Opened")
#: Said on the terminal and in the app when the keychain's passphrase fails.
STALE_KEYCHAIN = "the passphrase in the keychain no longer opens this file."


@dataclass(frozen=True)
class Ask:
    """The file needs a passphrase from the person: `question` says why, `keychain` whether one can be kept."""

    question: str
    keychain: bool
    #: What went wrong before asking (no keychain on this computer, a stale passphrase in it), or "".
    note: str = ""


class Unlocking(Generic[Opened]):
    """One file being opened, from its first attempt to the passphrase that opens it."""

    def __init__(self, path: Path, opener: Callable[[Path, Passphrase], Opened]) -> None:
        self.path = path
        self.opener = opener
        self.keychain = True

    def start(self, given: Passphrase = None) -> Opened | Ask:
        """Open with `given` (whose failure is the caller's to report), or the keychain's, or say what to ask."""
        if sniff(self.path) is Encryption.PLAIN:
            return self.opener(self.path, None)
        if given is not None:
            return self.opener(self.path, given)
        question = f"{self.path.name} is encrypted. Enter its passphrase."
        try:
            remembered = recall(self.path)
        except KeychainUnavailable as exc:
            self.keychain = False
            return Ask(question, keychain=False, note=exc.message)
        if remembered is None:
            return Ask(question, keychain=True)
        try:
            return self.opener(self.path, remembered)
        except WrongPassphrase:
            return Ask(f"{STALE_KEYCHAIN.capitalize()} Enter its passphrase.", keychain=True, note=STALE_KEYCHAIN)

    def answer(self, passphrase: str, *, remember_it: bool = False) -> Opened | Ask:
        """Try the person's passphrase; a wrong one asks again. Kept in the keychain if wanted and it opened."""
        try:
            opened = self.opener(self.path, passphrase)
        except WrongPassphrase as exc:
            return Ask(f"{exc.message} Try again.", keychain=self.keychain, note=exc.message)
        if remember_it and self.keychain:
            with contextlib.suppress(KeychainUnavailable):
                remember(self.path, passphrase)
        return opened


def open_for_changes(path: Path, passphrase: Passphrase) -> Engagement:
    """The desktop app's opener: for changes, or (when the file or disk refuses them) read-only by itself."""
    return open_engagement(path, passphrase)


def open_to_read(path: Path, passphrase: Passphrase) -> Engagement:
    """The opener for a file someone else has open for changes: read-only, beside them."""
    return open_engagement(path, passphrase, read_only=True)


def open_as_source(path: Path, passphrase: Passphrase) -> ReadOnlyFile:
    """The opener for the prior period's file a roll-forward copies from: SQLite's read-only mode, nothing
    written in or beside it (`app.storage.read_only`), beside any process that has it open for changes."""
    return open_read_only(path, passphrase)
