"""engagements over time: controls in operation for part of the period, test windows and rounds, roll-forward

Revision ID: 0010_over_time
Revises: 0009_workpapers
Create Date: 2026-12-10 09:00:00

A control may start or stop during the period or replace another (`effective_from`, `effective_to`,
`replaces_id`); a test covers a window of the period (`window_start`, `window_end`: none means the period while
the control was in operation) in a round (interim, update, remediation retest). A record rolled forward from the
prior period's file names the record it came from (`predecessor_id`: in another file, so no foreign key); a
description section carried forward is marked to update (`to_update`) until it is edited. Every new column is
empty or false on an existing file, so nothing in it changes meaning.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_over_time"
down_revision: str | None = "0009_workpapers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose records a roll-forward makes from the prior period's, each naming its predecessor.
ROLLED = ("person", "pbc_request", "finding", "evidence", "control_test")
TEST_COLUMNS = (("window_start", sa.Date()), ("window_end", sa.Date()), ("round", sa.String(length=24)))
CONTROL_COLUMNS = ("effective_from", "effective_to", "replaces_id", "predecessor_id")


def upgrade() -> None:
    for table in ROLLED:
        op.add_column(table, sa.Column("predecessor_id", sa.Uuid(), nullable=True))
    for name, kind in TEST_COLUMNS:
        op.add_column("control_test", sa.Column(name, kind, nullable=True))
    op.add_column("description_section", sa.Column("to_update", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("control", sa.Column("effective_from", sa.Date(), nullable=True))
    op.add_column("control", sa.Column("effective_to", sa.Date(), nullable=True))
    # Alembic adds no constraint to an SQLite table in place; SQLite itself takes a named one with the column.
    op.execute(
        "ALTER TABLE control ADD COLUMN replaces_id CHAR(32) "
        "CONSTRAINT fk_control_replaces_id_control REFERENCES control (id)"
    )
    op.add_column("control", sa.Column("predecessor_id", sa.Uuid(), nullable=True))


def _live_ref_index() -> None:
    op.create_index("uq_control_ref", "control", ["ref"], unique=True, sqlite_where=sa.text("deleted_at IS NULL"))


def downgrade() -> None:
    """Drop the columns. A replaced control loses the link to its replacement and the dates say nothing in 0009;
    the records themselves all stay."""
    op.drop_index("uq_control_ref", "control")
    with op.batch_alter_table("control", recreate="always") as batch_op:
        for name in reversed(CONTROL_COLUMNS):
            batch_op.drop_column(name)
    _live_ref_index()
    op.execute("ALTER TABLE description_section DROP COLUMN to_update")
    for name, _kind in reversed(TEST_COLUMNS):
        op.execute(f"ALTER TABLE control_test DROP COLUMN {name}")
    for table in reversed(ROLLED):
        op.execute(f"ALTER TABLE {table} DROP COLUMN predecessor_id")
