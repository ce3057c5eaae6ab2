"""Passphrases and plain copies: the only ways the encryption of a file changes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ReadOnlyError, ValidationError
from fieldwork.app.keychain import KeychainUnavailable, file_account, forget_account, remember
from fieldwork.app.passphrase import check_new_passphrase
from fieldwork.app.services.history import changes
from fieldwork.app.storage.database import make_engine
from fieldwork.app.storage.encryption import export_database, rekey
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.storage.fileformat import Encryption
from fieldwork.app.storage.leftovers import new_private_file


def change_passphrase(db: Engagement, new: str, *, remember_it: bool) -> tuple[EngagementFile, str | None]:
    """Re-key the file (or encrypt a plain one); returns the reopened file and any keychain warning.

    The change is recorded in the new file's own history before it replaces the old one. The file's
    writer lock is held from the copy to the rename and handed to the reopened file, so no other
    Fieldwork process can write into a file about to be replaced; on failure `db` keeps it.
    """
    check_new_passphrase(new)
    if db.lock is None:
        raise ReadOnlyError(f"{db.path.name} is open read-only ({db.read_only}); its passphrase cannot be changed.")
    if db.passphrase is not None and new == db.passphrase:
        raise ValidationError("The new passphrase is the same as the current one.")
    path, old = db.path, db.passphrase
    old_account = file_account(path) if db.encrypted else None
    action = "change_passphrase" if db.encrypted else "encrypt_file"
    warning: list[str] = []

    def before_replace(temporary: Path) -> None:
        staged = EngagementFile(temporary, Encryption.ENCRYPTED, make_engine(temporary, new), new)
        try:
            with changes(staged) as ch:
                ch.record(action, "engagement_file", path.name)
        finally:
            staged.close()
        if remember_it:
            try:
                remember(temporary, new)
            except KeychainUnavailable as exc:
                warning.append(exc.message)

    db.engine.dispose()
    rekey(path, old, new, before_replace)
    if old_account is not None:
        with contextlib.suppress(KeychainUnavailable):
            forget_account(old_account)
    reopened = open_engagement(path, new)  # the lock is re-entrant: this takes a second hold on it
    db.close()
    return reopened, (warning[0] if warning else None)


def export_unencrypted_copy(db: Engagement, target: Path) -> None:
    """Write a plain copy for an archive that requires one; the original records it before the first byte.

    The copy is written under a temporary name readable by its owner only and renamed into place when
    complete, so a crash leaves no plaintext at the target (and the next write into that folder sweeps
    the temporary), and the history names every place plaintext may have been written.
    """
    target = Path(target)
    if target.resolve() == db.path.resolve():
        raise ValidationError("Choose a different file for the unencrypted copy.")
    shown = str(target.absolute())
    try:
        shown.encode("utf-8")  # recorded in the history: a name in bytes of another system cannot be
    except UnicodeEncodeError:
        raise ValidationError("The name of the unencrypted copy is not valid UTF-8 text; choose another.") from None
    with new_private_file(target, "plain") as temporary:
        with changes(db) as ch:
            ch.record("export_unencrypted_copy", "engagement_file", db.path.name, {"target": shown})
        export_database(db.path, db.passphrase, temporary, None)
