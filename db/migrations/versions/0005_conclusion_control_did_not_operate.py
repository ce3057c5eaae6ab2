"""a test's conclusion may say the control did not operate in the period

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:30:00

No table changes: `control_test.conclusion` is text and now may hold "not_operated". The revision moves on
so that a Fieldwork that does not know that value refuses such a file as one from a newer version, rather than
misreading it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    """An older version cannot read the new value, so going back reopens those conclusions."""
    op.execute("UPDATE control_test SET conclusion = NULL WHERE conclusion = 'not_operated'")
