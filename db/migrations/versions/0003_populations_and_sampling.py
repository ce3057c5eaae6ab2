"""populations and sampling

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:01:40.227365
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("sheet_name", sa.Text(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("id_column", sa.Text(), nullable=False),
        sa.Column("date_column", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["test_id"], ["control_test.id"], name=op.f("fk_population_test_id_control_test")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population")),
        sa.UniqueConstraint("test_id", name=op.f("uq_population_test_id")),
    )

    op.create_table(
        "population_row",
        sa.Column("population_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["population_id"],
            ["population.id"],
            name=op.f("fk_population_row_population_id_population"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("population_id", "row_no", name=op.f("pk_population_row")),
    )

    with op.batch_alter_table("control_test", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("size_override_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population_row_no", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.drop_column("population_row_no")

    with op.batch_alter_table("control_test", schema=None) as batch_op:
        batch_op.drop_column("size_override_reason")
        batch_op.drop_column("risk")

    op.drop_table("population_row")

    op.drop_table("population")
