"""evidence and pbc requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:01:40.227365
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_blob")),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_blob_sha256")),
    )

    op.create_table(
        "pbc_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("requested_of", sa.Text(), server_default="", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pbc_request")),
        sa.UniqueConstraint("ref", name=op.f("uq_pbc_request_ref")),
    )

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("provided_by", sa.Text(), server_default="", nullable=False),
        sa.Column("pbc_request_id", sa.Integer(), nullable=True),
        sa.Column("attached_by", sa.Text(), nullable=False),
        sa.Column("attached_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["evidence_blob.id"], name=op.f("fk_evidence_blob_id_evidence_blob")),
        sa.ForeignKeyConstraint(
            ["pbc_request_id"], ["pbc_request.id"], name=op.f("fk_evidence_pbc_request_id_pbc_request")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("ref", name=op.f("uq_evidence_ref")),
    )

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_blob_id"), ["blob_id"], unique=False)

    op.create_table(
        "evidence_chunk",
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["evidence_blob.id"], name=op.f("fk_evidence_chunk_blob_id_evidence_blob"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("blob_id", "seq", name=op.f("pk_evidence_chunk")),
    )

    op.create_table(
        "evidence_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=True),
        sa.Column("test_id", sa.Integer(), nullable=True),
        sa.Column("sample_item_id", sa.Integer(), nullable=True),
        sa.Column("pbc_request_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(control_id IS NOT NULL) + (test_id IS NOT NULL) + (sample_item_id IS NOT NULL) + (pbc_request_id IS NOT NULL) = 1",
            name=op.f("ck_evidence_link_one_target"),
        ),
        sa.ForeignKeyConstraint(["control_id"], ["control.id"], name=op.f("fk_evidence_link_control_id_control")),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_link_evidence_id_evidence")),
        sa.ForeignKeyConstraint(
            ["pbc_request_id"], ["pbc_request.id"], name=op.f("fk_evidence_link_pbc_request_id_pbc_request")
        ),
        sa.ForeignKeyConstraint(
            ["sample_item_id"], ["sample_item.id"], name=op.f("fk_evidence_link_sample_item_id_sample_item")
        ),
        sa.ForeignKeyConstraint(["test_id"], ["control_test.id"], name=op.f("fk_evidence_link_test_id_control_test")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_link")),
    )

    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_link_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(
            "uq_evidence_link_control_id",
            ["control_id", "evidence_id"],
            unique=True,
            sqlite_where=sa.text("control_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_evidence_link_pbc_request_id",
            ["pbc_request_id", "evidence_id"],
            unique=True,
            sqlite_where=sa.text("pbc_request_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_evidence_link_sample_item_id",
            ["sample_item_id", "evidence_id"],
            unique=True,
            sqlite_where=sa.text("sample_item_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_evidence_link_test_id",
            ["test_id", "evidence_id"],
            unique=True,
            sqlite_where=sa.text("test_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_link", schema=None) as batch_op:
        batch_op.drop_index("uq_evidence_link_test_id", sqlite_where=sa.text("test_id IS NOT NULL"))
        batch_op.drop_index("uq_evidence_link_sample_item_id", sqlite_where=sa.text("sample_item_id IS NOT NULL"))
        batch_op.drop_index("uq_evidence_link_pbc_request_id", sqlite_where=sa.text("pbc_request_id IS NOT NULL"))
        batch_op.drop_index("uq_evidence_link_control_id", sqlite_where=sa.text("control_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f("ix_evidence_link_evidence_id"))

    op.drop_table("evidence_link")

    op.drop_table("evidence_chunk")

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_blob_id"))

    op.drop_table("evidence")

    op.drop_table("pbc_request")

    op.drop_table("evidence_blob")
