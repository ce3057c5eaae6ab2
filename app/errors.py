"""Errors a user can act on, as opposed to bugs.

A `FieldworkError` carries one sentence meant for the person at the keyboard: the
UI shows it in a dialog or the status bar and the command line prints it and exits
non-zero. Anything else that escapes is a bug and takes the crash path with a log.
"""

from __future__ import annotations

from pathlib import Path


class FieldworkError(Exception):
    """A known failure with a message written for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(FieldworkError):
    """Input that the services refuse (a period that ends before it starts, ...)."""

    exit_code = 2


class NotFoundError(FieldworkError):
    """A control, test or other item addressed by a reference that does not exist."""


class EngagementFileError(FieldworkError):
    """The engagement file cannot be opened or used; the message names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path.name} {reason}")


class NotAnEngagementError(EngagementFileError):
    """The file is not a Fieldwork engagement (foreign, empty, truncated)."""


class NewerVersionError(EngagementFileError):
    """The file was written by a newer Fieldwork whose schema this build does not know."""


class NeedsUpgrade(EngagementFileError):
    """The file was written by an earlier Fieldwork and can only be upgraded by opening it for changes."""


class FileLockedError(EngagementFileError):
    """Another program holds a lock on the file."""


class FileInUseError(FileLockedError):
    """Another Fieldwork process has the file open for changes; `who` names it for people."""

    def __init__(self, path: Path | str, who: str) -> None:
        super().__init__(path, f"is open for changes by {who}; open it read-only, or ask for it to be closed.")
        self.who = who


class FileChangedUnderneath(EngagementFileError):
    """The file was deleted, moved or replaced by something else while it was open."""


class DamagedFileError(NotAnEngagementError):
    """The file is an engagement, but its pages do not add up (copied mid-change, or damaged)."""


class PassphraseError(EngagementFileError):
    """The file is encrypted and the passphrase is missing or wrong."""


class PassphraseRequired(PassphraseError):
    """The file is encrypted and no passphrase was supplied or remembered."""


class WrongPassphrase(PassphraseError):
    """The passphrase supplied does not open the file (or the file is not an engagement)."""


class ReadOnlyError(FieldworkError):
    """A change was attempted on a file that may not change (finalized, read-only medium)."""
