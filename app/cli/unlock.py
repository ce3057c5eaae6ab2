"""Where a command gets an engagement's passphrase: never from a plain argument.

Opening: `--passphrase-file`, then `FIELDWORK_PASSPHRASE`, then the keychain, then a
prompt when a person is at the terminal (`app.opening`, the sequence the desktop app follows too).
Creating: the same sources, without the keychain.

The keychain and the storage layer are imported when a file is opened, not when the verbs are
registered, so `fieldwork --version` and `--help` do not pay for SQLAlchemy and keyring.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.app.errors import PassphraseRequired, ReadOnlyError, ValidationError, WrongPassphrase
from fieldwork.app.passphrase import ENV_VARIABLE, check_new_passphrase, from_file_or_environment

if TYPE_CHECKING:
    from fieldwork.app.opening import Opened, Passphrase
    from fieldwork.app.storage.engagement_file import EngagementFile

HOW = f"use --passphrase-file FILE or set {ENV_VARIABLE}"


def add_passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="PATH",
        help=f"read the passphrase from the first line of PATH (or set {ENV_VARIABLE})",
    )


def add_new_file_options(parser: argparse.ArgumentParser) -> None:
    add_passphrase_options(parser)
    parser.add_argument(
        "--unencrypted", action="store_true", help="create a plain file (not recommended: anyone can read it)"
    )
    parser.add_argument("--no-remember", action="store_true", help="do not store the passphrase in the system keychain")


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _note(message: str) -> None:
    print(f"fieldwork: {message}", file=sys.stderr)


def open_for_command(path: Path, passphrase_file: Path | None, *, writes: bool = True) -> EngagementFile:
    """Open a file for a verb, finding its passphrase the documented way.

    A verb that `writes` takes the file's writer lock (and fails, saying who has the file, when another
    Fieldwork process has it); a verb that only reads opens it read-only, beside any writer.
    """
    return unlock(path, passphrase_file, lambda found, passphrase: _open(found, passphrase, writes))


def unlock(path: Path, passphrase_file: Path | None, opener: Callable[[Path, Passphrase], Opened]) -> Opened:
    """Open a file with `opener` (read-write, or read only) through `app.opening`'s sequence; the questions it
    asks are asked at the terminal, three times at most."""
    from fieldwork.app.opening import Ask, Unlocking

    unlocking = Unlocking(path, opener)
    outcome = unlocking.start(from_file_or_environment(passphrase_file))
    typed = 0
    while isinstance(outcome, Ask):
        if outcome.note:
            _note(outcome.note)
        if not _interactive():
            raise PassphraseRequired(path, f"is encrypted and no passphrase was given: {HOW}.")
        if typed == 3:
            raise WrongPassphrase(path, "could not be opened: three wrong passphrases.")
        typed += 1
        outcome = unlocking.answer(getpass.getpass(f"Passphrase for {path.name}: "))
    return outcome


def _open(path: Path, passphrase: str | None, writes: bool) -> EngagementFile:
    from fieldwork.app.errors import NeedsUpgrade
    from fieldwork.app.storage.engagement_file import open_engagement

    if not writes:
        try:
            return open_engagement(path, passphrase, read_only=True)
        except NeedsUpgrade:
            pass  # an earlier Fieldwork's file: opened for changes once, to upgrade it
    db = open_engagement(path, passphrase)
    if db.read_only is not None and writes:
        db.close()
        raise ReadOnlyError(f"{path.name} can only be read here ({db.read_only}); nothing was changed.")
    return db


def passphrase_for_new_file(args: argparse.Namespace) -> str | None:
    """The passphrase for a file about to be created, or None for an explicit --unencrypted."""
    if args.unencrypted:
        _note("warning: creating an UNENCRYPTED engagement file; anyone with the file can read it.")
        return None
    given = from_file_or_environment(args.passphrase_file)
    if given is None:
        if not _interactive():
            raise ValidationError(f"A new engagement is encrypted: {HOW}, or pass --unencrypted.")
        given = getpass.getpass("New passphrase: ")
        if getpass.getpass("Repeat the passphrase: ") != given:
            raise ValidationError("The two passphrases differ; nothing was created.")
    hint = check_new_passphrase(given)
    if hint.score < 3:
        _note(f"passphrase strength: {hint.hint}")
    return given


def remember_if_wanted(db: EngagementFile, args: argparse.Namespace) -> None:
    if db.passphrase is None or args.no_remember:
        return
    from fieldwork.app.keychain import KeychainUnavailable, remember

    try:
        remember(db.path, db.passphrase)
    except KeychainUnavailable as exc:
        _note(exc.message)
