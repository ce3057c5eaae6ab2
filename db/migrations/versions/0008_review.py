"""review: a tamper-evident history, sign-offs, review notes, finalizing

Revision ID: 0008_review
Revises: 0007
Create Date: 2026-12-04 12:00:00

The history gets its hash chain (each entry's hash over its content and the previous entry's hash in its
origin), computed once here over the existing entries in order, and triggers that refuse changing or removing
an entry. Sign-offs, review notes, the finalization record and addenda get their tables; the engagement its
settings for documentation completion (60 days), retention (5 years) and self-review (not allowed).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fieldwork.app.storage.chain import GENESIS, entry_hash

revision: str = "0008_review"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("UPDATE", "DELETE")
ENGAGEMENT_SETTINGS = (
    ("completion_days", sa.Integer(), "60"),
    ("retention_years", sa.Integer(), "5"),
    ("allow_self_review", sa.Boolean(), "0"),
)


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _person(table: str, column: str, nullable: bool = False) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [
        sa.Column(column, sa.Uuid(), nullable=nullable),
        sa.ForeignKeyConstraint([column], ["person.id"], name=op.f(f"fk_{table}_{column}_person")),
    ]


def _unique_live(table: str, *columns: str) -> None:
    op.create_index(
        f"uq_{table}_{columns[0]}", table, list(columns), unique=True, sqlite_where=sa.text("deleted_at IS NULL")
    )


def _chain(conn: sa.Connection) -> None:
    """Hash every existing entry, origin by origin, in the order it was made."""
    rows = conn.exec_driver_sql(
        "SELECT origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values FROM history "
        "ORDER BY origin, seq"
    ).mappings()
    heads: dict[str, str] = {}
    updates = []
    for row in rows:
        entry = dict(row)
        for name in ("old_values", "new_values"):
            entry[name] = json.loads(entry[name]) if entry[name] is not None else None
        prev = heads.get(entry["origin"], GENESIS)
        heads[entry["origin"]] = entry_hash(entry, prev)
        updates.append((prev, heads[entry["origin"]], row["origin"], row["seq"]))
    conn.connection.driver_connection.executemany(
        "UPDATE history SET prev_hash = ?, hash = ? WHERE origin = ? AND seq = ?", updates
    )


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("history", sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
    op.add_column("history", sa.Column("hash", sa.String(length=64), server_default="", nullable=False))
    _chain(conn)
    for verb in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER history_no_{verb.lower()} BEFORE {verb} ON history "
            "BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END"
        )
    for name, kind, default in ENGAGEMENT_SETTINGS:
        op.add_column("engagement", sa.Column(name, kind, server_default=default, nullable=False))
    op.create_table(
        "signoff",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        *_person("signoff", "person_id"),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("history_origin", sa.Uuid(), nullable=False),
        sa.Column("history_seq", sa.Integer(), nullable=False),
        sa.Column("history_hash", sa.String(length=64), nullable=False),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoff")),
    )
    _unique_live("signoff", "item_type", "item_key", "role")
    op.create_table(
        "review_note",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_person("review_note", "raised_by"),
        sa.Column("raised_at", sa.String(length=32), nullable=False),
        sa.Column("response", sa.Text(), server_default="", nullable=False),
        *_person("review_note", "responded_by", nullable=True),
        sa.Column("responded_at", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        *_person("review_note", "cleared_by", nullable=True),
        sa.Column("cleared_at", sa.String(length=32), nullable=True),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_note")),
    )
    _unique_live("review_note", "ref")
    op.create_index("ix_review_note_item", "review_note", ["item_type", "item_key"])
    op.create_table(
        "finalization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finalized_at", sa.String(length=32), nullable=False),
        *_person("finalization", "person_id"),
        sa.Column("manifest", sa.JSON(), nullable=False),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finalization")),
    )
    op.create_table(
        "addendum",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_person("addendum", "person_id"),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addendum")),
    )
    _unique_live("addendum", "ref")


def downgrade() -> None:
    for name in ("addendum", "finalization", "review_note", "signoff"):
        op.drop_table(name)
    for name, _kind, _default in reversed(ENGAGEMENT_SETTINGS):
        op.execute(f"ALTER TABLE engagement DROP COLUMN {name}")
    for verb in TRIGGERS:
        op.execute(f"DROP TRIGGER history_no_{verb.lower()}")
    op.execute("ALTER TABLE history DROP COLUMN hash")
    op.execute("ALTER TABLE history DROP COLUMN prev_hash")
