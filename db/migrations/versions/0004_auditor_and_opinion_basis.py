"""the service auditor's firm and city, and the basis for a modified opinion

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("auditor_firm", "auditor_city", "opinion_basis")


def upgrade() -> None:
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
