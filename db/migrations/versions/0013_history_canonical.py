"""history: old and new values stored in the canonical form the chain hashes

Revision ID: 0013_history_canonical
Revises: 0012_subservice
Create Date: 2026-12-04 17:00:00

An entry's hash covers its old and new values in the canonical JSON form (`app/storage/chain.py`: sorted keys, no
spaces, text as text), but they were stored in another form, so `fieldwork verify` decoded and encoded every value
again before hashing: twice the time of every other check at 40,000 entries. From here they are stored in the
canonical form (`schema.history`'s `CanonicalJSON`), and verifying hashes the stored text as it is. This rewrites
the existing entries' values into that form: the same values, so every hash keeps its meaning and the chain, the
heads recorded with sign-offs and the finalizing manifest all verify as before. The append-only trigger is lifted
for the rewrite and put back in the same transaction. A value that is not JSON (a damaged entry) is left as it is,
for `verify` to report.

Downgrading changes nothing: 0012 reads the canonical text as the same JSON values (the key order it was written
in is not kept, and nothing reads it).
"""

import json
from collections.abc import Sequence

from alembic import op

from fieldwork.app.storage.chain import canonical_json

revision: str = "0013_history_canonical"
down_revision: str | None = "0012_subservice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_UPDATE = (
    "CREATE TRIGGER history_no_update BEFORE UPDATE ON history "
    "BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END"
)


def canonical(stored: str | None) -> str | None:
    """A stored value in the canonical form; text that is not JSON as it is."""
    if stored is None:
        return None
    try:
        return canonical_json(json.loads(stored))
    except ValueError:
        return stored


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.exec_driver_sql("SELECT rowid, old_values, new_values FROM history").all()
    changed = []
    for rowid, old, new in rows:
        stored = (canonical(old), canonical(new))
        if stored != (old, new):
            changed.append((*stored, rowid))
    op.execute("DROP TRIGGER history_no_update")
    conn.connection.driver_connection.executemany(
        "UPDATE history SET old_values = ?, new_values = ? WHERE rowid = ?", changed
    )
    op.execute(NO_UPDATE)


def downgrade() -> None:
    """Nothing to undo: see the module's docstring."""
