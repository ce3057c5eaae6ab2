"""core engagement records

Revision ID: 0001
Revises:
Create Date: 2026-11-27 20:51:21.694645
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner", sa.Text(), server_default="", nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("nature", sa.String(length=24), nullable=False),
        sa.Column("control_type", sa.String(length=16), nullable=False),
        sa.Column("is_key", sa.Boolean(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control")),
        sa.UniqueConstraint("ref", name=op.f("uq_control_ref")),
    )
    op.create_table(
        "description_section",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_description_section")),
    )
    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("system_name", sa.Text(), nullable=False),
        sa.Column("report_type", sa.String(length=16), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("tsc_categories", sa.JSON(), nullable=False),
        sa.Column("iso_scope", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="planning", nullable=False),
        sa.Column("report_release_date", sa.Date(), nullable=True),
        sa.Column("documentation_completion_date", sa.Date(), nullable=True),
        sa.Column("opinion", sa.String(length=16), server_default="unmodified", nullable=False),
        sa.Column("subservice_treatment", sa.String(length=16), server_default="carve_out", nullable=False),
        sa.Column("subservice_organizations", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_engagement_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
    )
    op.create_table(
        "fieldwork_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fieldwork_meta")),
    )
    op.create_table(
        "history",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at_utc", sa.String(length=32), nullable=False),
        sa.Column("person", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_history")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("initials", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("initials", name=op.f("uq_person_initials")),
    )
    op.create_table(
        "requirement",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("framework", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("group_name", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["requirement.code"], name=op.f("fk_requirement_parent_code_requirement")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_requirement")),
    )
    op.create_table(
        "tickmark",
        sa.Column("symbol", sa.String(length=8), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_tickmark")),
    )
    op.create_table(
        "control_requirement",
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("requirement_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"],
            ["control.id"],
            name=op.f("fk_control_requirement_control_id_control"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_code"],
            ["requirement.code"],
            name=op.f("fk_control_requirement_requirement_code_requirement"),
        ),
        sa.PrimaryKeyConstraint("control_id", "requirement_code", name=op.f("pk_control_requirement")),
    )
    with op.batch_alter_table("control_requirement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_control_requirement_requirement_code"), ["requirement_code"], unique=False)

    op.create_table(
        "control_test",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("population", sa.Text(), server_default="", nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("selection", sa.String(length=16), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("conclusion_note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"],
            ["control.id"],
            name=op.f("fk_control_test_control_id_control"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_test")),
        sa.UniqueConstraint("ref", name=op.f("uq_control_test_ref")),
    )
    with op.batch_alter_table("control_test", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_control_test_control_id"), ["control_id"], unique=False)

    op.create_table(
        "dismissed_suggestion",
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("requirement_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"],
            ["control.id"],
            name=op.f("fk_dismissed_suggestion_control_id_control"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_code"],
            ["requirement.code"],
            name=op.f("fk_dismissed_suggestion_requirement_code_requirement"),
        ),
        sa.PrimaryKeyConstraint("control_id", "requirement_code", name=op.f("pk_dismissed_suggestion")),
    )
    op.create_table(
        "mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_code", sa.String(length=16), nullable=False),
        sa.Column("soc2_code", sa.String(length=16), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), server_default="catalog", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["iso_code"], ["requirement.code"], name=op.f("fk_mapping_iso_code_requirement")),
        sa.ForeignKeyConstraint(["soc2_code"], ["requirement.code"], name=op.f("fk_mapping_soc2_code_requirement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping")),
        sa.UniqueConstraint("iso_code", "soc2_code", name=op.f("uq_mapping_iso_code")),
    )
    op.create_table(
        "soa_line",
        sa.Column("annex_code", sa.String(length=16), nullable=False),
        sa.Column("included", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("implementation_status", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(["annex_code"], ["requirement.code"], name=op.f("fk_soa_line_annex_code_requirement")),
        sa.PrimaryKeyConstraint("annex_code", name=op.f("pk_soa_line")),
    )
    op.create_table(
        "deviation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), server_default="", nullable=False),
        sa.Column("management_response", sa.Text(), server_default="", nullable=False),
        sa.Column("effect", sa.Text(), server_default="", nullable=False),
        sa.Column("iso_grade", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["control_test.id"],
            name=op.f("fk_deviation_test_id_control_test"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviation")),
    )
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deviation_test_id"), ["test_id"], unique=False)

    op.create_table(
        "sample_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("tickmarks", sa.Text(), server_default="", nullable=False),
        sa.Column("deviation_text", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["control_test.id"],
            name=op.f("fk_sample_item_test_id_control_test"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_item")),
        sa.UniqueConstraint("test_id", "seq", name=op.f("uq_sample_item_test_id")),
    )
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_item_test_id"), ["test_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_item_test_id"))

    op.drop_table("sample_item")
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviation_test_id"))

    op.drop_table("deviation")
    op.drop_table("soa_line")
    op.drop_table("mapping")
    op.drop_table("dismissed_suggestion")
    with op.batch_alter_table("control_test", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_control_test_control_id"))

    op.drop_table("control_test")
    with op.batch_alter_table("control_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_control_requirement_requirement_code"))

    op.drop_table("control_requirement")
    op.drop_table("tickmark")
    op.drop_table("requirement")
    op.drop_table("person")
    op.drop_table("history")
    op.drop_table("fieldwork_meta")
    op.drop_table("engagement")
    op.drop_table("description_section")
    op.drop_table("control")
