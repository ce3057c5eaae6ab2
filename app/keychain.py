"""Remember an engagement's passphrase in the operating system's keychain.

Windows Credential Locker, macOS Keychain or the Secret Service on Linux, through
`keyring`. The entry is named after the file's SQLCipher salt (its first 16 bytes,
random per file and kept in clear by SQLCipher), so it follows the file if it is
copied on this machine and needs nothing from inside the encrypted file to find it.
Nothing here ever writes a passphrase anywhere else: with no keychain the caller
asks the user instead.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from fieldwork.app.errors import FieldworkError

SERVICE = "Fieldwork engagement"


def _keyring() -> ModuleType:
    """`keyring` loads its backends on import (tens of ms): only when a passphrase is needed."""
    import keyring
    import keyring.errors

    return keyring


SALT_BYTES = 16


class KeychainUnavailable(FieldworkError):
    """No usable keychain on this machine (none installed, locked, or failing)."""


def file_account(path: Path) -> str:
    """The keychain account name for an encrypted engagement file."""
    with Path(path).open("rb") as handle:
        salt = handle.read(SALT_BYTES)
    return f"file-{salt.hex()}"


def _unavailable(exc: Exception) -> KeychainUnavailable:
    return KeychainUnavailable(
        f"The system keychain is not available ({type(exc).__name__}); the passphrase must be typed each time."
    )


def recall(path: Path) -> str | None:
    try:
        keyring = _keyring()
        found: str | None = keyring.get_password(SERVICE, file_account(path))
        return found
    except _keyring().errors.KeyringError as exc:
        raise _unavailable(exc) from exc
    except RuntimeError as exc:  # some backends raise plain errors when the session bus is missing
        raise _unavailable(exc) from exc


def remember(path: Path, passphrase: str) -> None:
    try:
        _keyring().set_password(SERVICE, file_account(path), passphrase)
    except (_keyring().errors.KeyringError, RuntimeError) as exc:
        raise _unavailable(exc) from exc


def forget_account(account: str) -> None:
    try:
        _keyring().delete_password(SERVICE, account)
    except _keyring().errors.PasswordDeleteError:
        pass
    except (_keyring().errors.KeyringError, RuntimeError) as exc:
        raise _unavailable(exc) from exc
