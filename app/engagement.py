"""An open engagement, as the services, the page reads and the screens hold it.

The services take an `Engagement` and run their transactions through `reading()` and `writing()`; the screens
hold one and hand it to the services, and read what they show about the file (its name, whether it is
encrypted, why it is read-only, who had it open). How a file is identified, keyed, locked and migrated stays in
`app.storage` (`EngagementFile` is the one implementation, checked against this by mypy where `app.opening`
hands one out), so nothing above the storage layer depends on it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from fieldwork.app.storage.fileformat import Encryption
    from fieldwork.app.storage.writer_lock import Holder, WriterLock

#: The reason a file is read-only when the person asked for it so (rather than the disk or the file refusing).
OPENED_READ_ONLY = "opened read-only"


class Engagement(Protocol):
    """An open engagement file: one short transaction per read or user action, and what is known of the file."""

    path: Path
    encryption: Encryption
    passphrase: str | None
    #: The copy kept before this build upgraded the file, if it did.
    backup: Path | None
    #: Why changes are refused (None: the file can be changed).
    read_only: str | None
    #: Who had the file open for changes and stopped without closing it, when this opening took it over.
    took_over: Holder | None
    #: The addendum open on a finalized engagement (its reference), under which changes are allowed.
    addendum: str | None
    #: The right to change the file, held while it is open for changes (re-keying hands it on).
    lock: WriterLock | None
    #: The connection pool, for what must release the file itself (re-keying); everything else reads and
    #: writes through `reading()` and `writing()`.
    engine: Engine

    @property
    def encrypted(self) -> bool: ...

    def reading(self) -> AbstractContextManager[Connection]:
        """A read transaction: one consistent snapshot for a page or an export."""
        ...

    def writing(self) -> AbstractContextManager[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        ...

    def raise_if_gone(self, cause: BaseException | None = None) -> None:
        """Say so when the file at `path` is no longer the one opened (deleted, moved, replaced)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Engagement: ...

    def __exit__(self, *exc_info: object) -> None: ...
