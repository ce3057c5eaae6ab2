"""engagement workpapers, IPE assessments, and the engagement's stage derived instead of typed

Revision ID: 0009_workpapers
Revises: 0008_review
Create Date: 2026-12-11 10:00:00

Adds the engagement's workpapers (with their checklist items, requirements and controls), the assessments of
the information produced by the entity (a test's population or a control's key report), and both as targets of
evidence links. The engagement's status was typed by hand (the fully tested demo said "Planning"): it is now
derived from the file, so the column goes; a file typed "finalized" had never been verified nor made read-only,
so the history records the typed status going (finalizing, revision 0008_review, is the real thing). The IPE
rule starts on.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from fieldwork.app.storage.chain import GENESIS, entry_hash

revision: str = "0009_workpapers"
down_revision: str | None = "0008_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGETS_BEFORE = ("control_id", "test_id", "sample_item_id", "pbc_request_id", "finding_id")
TARGETS = (*TARGETS_BEFORE, "workpaper_id", "ipe_id")
TARGET_TABLES = {
    "control_id": "control",
    "test_id": "control_test",
    "sample_item_id": "sample_item",
    "pbc_request_id": "pbc_request",
    "finding_id": "finding",
    "workpaper_id": "workpaper",
    "ipe_id": "ipe_assessment",
}
NEW_TABLES = ("ipe_assessment", "workpaper_control", "workpaper_requirement", "workpaper_item", "workpaper")
WHO = "Fieldwork (migration 0009_workpapers)"


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.{'code' if target == 'requirement' else 'id'}"],
        name=op.f(f"fk_{table}_{column}_{target}"),
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _unique_live(table: str, *columns: str) -> None:
    op.create_index(
        f"uq_{table}_{columns[0]}", table, list(columns), unique=True, sqlite_where=sa.text("deleted_at IS NULL")
    )


def _workpaper_tables() -> None:
    text = {"server_default": "", "nullable": False}
    no = {"server_default": "0", "nullable": False}
    op.create_table(
        "workpaper",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), **text),
        sa.Column("completion_item", sa.Boolean(), **no),
        sa.Column("dated", sa.Date(), nullable=True),
        sa.Column("signed_by", sa.Text(), **text),
        sa.Column("signer_title", sa.Text(), **text),
        sa.Column("completed_at", sa.String(length=32), nullable=True),
        sa.Column("template", sa.String(length=64), **text),
        sa.Column("member_statement", sa.Text(), **text),
        sa.Column("asks_signer", sa.Boolean(), **no),
        sa.Column("date_label", sa.Text(), **text),
        sa.Column("date_rule", sa.String(length=24), nullable=True),
        sa.Column("shows", sa.String(length=24), nullable=True),
        *_tracked(),
        _pk("workpaper", "id"),
    )
    _unique_live("workpaper", "ref")
    op.create_table(
        "workpaper_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workpaper_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), **text),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        *_tracked(),
        _fk("workpaper_item", "workpaper_id", "workpaper"),
        _fk("workpaper_item", "person_id", "person"),
        _pk("workpaper_item", "id"),
    )
    op.create_index(op.f("ix_workpaper_item_workpaper_id"), "workpaper_item", ["workpaper_id"])
    _unique_live("workpaper_item", "workpaper_id", "seq")
    for name, column, key, target in (
        ("workpaper_requirement", "requirement_code", sa.String(length=16), "requirement"),
        ("workpaper_control", "control_id", sa.Uuid(), "control"),
    ):
        op.create_table(
            name,
            sa.Column("workpaper_id", sa.Uuid(), nullable=False),
            sa.Column(column, key, nullable=False),
            *_tracked(),
            _fk(name, "workpaper_id", "workpaper"),
            _fk(name, column, target),
            _pk(name, "workpaper_id", column),
        )
        op.create_index(op.f(f"ix_{name}_{column}"), name, [column])


def _ipe_table() -> None:
    text = {"server_default": "", "nullable": False}
    op.create_table(
        "ipe_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=True),
        sa.Column("control_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), **text),
        sa.Column("source_system", sa.Text(), **text),
        sa.Column("report", sa.Text(), **text),
        sa.Column("parameters", sa.Text(), **text),
        sa.Column("produced_by", sa.Text(), **text),
        sa.Column("produced_on", sa.Date(), nullable=True),
        sa.Column("observed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("procedures", sa.Text(), **text),
        sa.Column("result", sa.String(length=24), nullable=True),
        *_tracked(),
        _fk("ipe_assessment", "test_id", "control_test"),
        _fk("ipe_assessment", "control_id", "control"),
        _pk("ipe_assessment", "id"),
    )
    op.create_index(op.f("ix_ipe_assessment_control_id"), "ipe_assessment", ["control_id"])
    _unique_live("ipe_assessment", "ref")
    _unique_live("ipe_assessment", "test_id")


def _evidence_link(targets: Sequence[str], kept: Sequence[str]) -> None:
    """Rebuild `evidence_link` with these target columns (its check names them all), keeping the `kept` ones."""
    op.create_table(
        "evidence_link__new",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        *(sa.Column(name, sa.Uuid(), nullable=True) for name in targets),
        *_tracked(),
        sa.CheckConstraint(
            " + ".join(f"(CASE WHEN {name} IS NULL THEN 0 ELSE 1 END)" for name in targets) + " = 1",
            name=op.f("ck_evidence_link_one_target"),
        ),
        _fk("evidence_link", "evidence_id", "evidence"),
        *(_fk("evidence_link", name, TARGET_TABLES[name]) for name in targets),
        _pk("evidence_link", "id"),
    )
    columns = ", ".join(("id", "evidence_id", *kept, "version", "deleted_at"))
    op.execute(f"INSERT INTO evidence_link__new ({columns}) SELECT {columns} FROM evidence_link")
    op.drop_table("evidence_link")
    op.rename_table("evidence_link__new", "evidence_link")
    op.create_index(op.f("ix_evidence_link_evidence_id"), "evidence_link", ["evidence_id"])
    for target in targets:
        op.create_index(
            f"uq_evidence_link_{target}",
            "evidence_link",
            [target, "evidence_id"],
            unique=True,
            sqlite_where=sa.text(f"{target} IS NOT NULL AND deleted_at IS NULL"),
        )


def _record_dropped_status(conn: sa.Connection, engagement_id: str, at: str) -> None:
    """A file typed "finalized" was never verified nor made read-only; the typed status goes, and the history
    says so (chained like any entry), so nobody reads the file as finalized until it is finalized for real."""
    replica = conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").scalar_one()
    origin = uuid.UUID(replica).hex
    last = conn.exec_driver_sql(
        "SELECT seq, hash FROM history WHERE origin = ? ORDER BY seq DESC LIMIT 1", (origin,)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = {
        "origin": origin,
        "seq": seq,
        "at_utc": at,
        "person": WHO,
        "action": "update",
        "item_type": "engagement",
        "item_id": str(uuid.UUID(hex=engagement_id)),
        "old_values": {"status": "finalized"},
        "new_values": {"status": None},
    }
    conn.exec_driver_sql(
        "INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values, "
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *(entry[name] for name in ("origin", "seq", "at_utc", "person", "action", "item_type", "item_id")),
            json.dumps(entry["old_values"]),
            json.dumps(entry["new_values"]),
            prev,
            entry_hash(entry, prev),
        ),
    )


def upgrade() -> None:
    conn = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")
    _workpaper_tables()
    _ipe_table()
    _evidence_link(TARGETS, TARGETS_BEFORE)
    op.add_column("engagement", sa.Column("require_ipe", sa.Boolean(), server_default="1", nullable=False))
    op.add_column("engagement", sa.Column("require_ipe_reason", sa.Text(), server_default="", nullable=False))
    at = datetime.now(UTC).isoformat(timespec="seconds")
    for engagement_id in conn.exec_driver_sql("SELECT id FROM engagement WHERE status = 'finalized'").scalars():
        _record_dropped_status(conn, engagement_id, at)
    op.execute("ALTER TABLE engagement DROP COLUMN status")


def downgrade() -> None:
    """Back to a typed status (finalized once finalized, else fieldwork once a test is concluded, else planning);
    workpapers, IPE assessments and the evidence links to them have no place in 0007 and go."""
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.add_column("engagement", sa.Column("status", sa.String(length=16), server_default="planning", nullable=False))
    op.execute(
        "UPDATE engagement SET status = CASE "
        "WHEN EXISTS (SELECT 1 FROM finalization WHERE deleted_at IS NULL) THEN 'finalized' "
        "WHEN EXISTS (SELECT 1 FROM control_test WHERE conclusion IS NOT NULL AND deleted_at IS NULL) THEN 'fieldwork' "
        "ELSE 'planning' END"
    )
    for name in ("require_ipe_reason", "require_ipe"):
        op.execute(f"ALTER TABLE engagement DROP COLUMN {name}")
    op.execute("DELETE FROM evidence_link WHERE workpaper_id IS NOT NULL OR ipe_id IS NOT NULL")
    _evidence_link(TARGETS_BEFORE, TARGETS_BEFORE)
    for name in NEW_TABLES:
        op.drop_table(name)
