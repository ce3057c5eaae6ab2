"""AI systems: the inventory, its links to controls, tests, findings and evidence, impact assessments; fairness results

Revision ID: 0011_ai_systems
Revises: 0010_over_time
Create Date: 2026-12-10 09:00:00

ISO/IEC 42001 is about AI systems, and the file had none: the demo named its four in the scope text only. An
inventory record per system (purpose, the organization's roles, who it affects, risk, life cycle stage and dates,
models and data sets with provenance, owner, in scope or not and why); link tables from controls, tests and
findings; an evidence link target; impact assessments per system (A.5); and fairness re-performances stored with
their test (until now only recorded in the history). New tables only, and one new column on `evidence_link`
(rebuilt, as SQLite cannot add a column to its check); no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_ai_systems"
down_revision: str | None = "0010_over_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = ("design", "development", "verification", "deployed", "retired")
TARGETS_BEFORE = ("control_id", "test_id", "sample_item_id", "pbc_request_id", "finding_id", "workpaper_id", "ipe_id")
TARGETS = (*TARGETS_BEFORE, "ai_system_id")
REFERRED = {
    "evidence_id": "evidence.id",
    "control_id": "control.id",
    "test_id": "control_test.id",
    "sample_item_id": "sample_item.id",
    "pbc_request_id": "pbc_request.id",
    "finding_id": "finding.id",
    "workpaper_id": "workpaper.id",
    "ipe_id": "ipe_assessment.id",
    "ai_system_id": "ai_system.id",
}
NEW_TABLES = (
    "fairness_result",
    "impact_assessment",
    "finding_ai_system",
    "test_ai_system",
    "control_ai_system",
    "ai_system",
)


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _text() -> dict[str, object]:
    return {"server_default": "", "nullable": False}


def _unique_live(table: str, column: str) -> None:
    op.create_index(f"uq_{table}_{column}", table, [column], unique=True, sqlite_where=sa.text("deleted_at IS NULL"))


def _ai_system() -> None:
    op.create_table(
        "ai_system",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), **_text()),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("affected", sa.Text(), **_text()),
        sa.Column("risk_level", sa.String(length=16), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        *(sa.Column(f"{stage}_on", sa.Date(), nullable=True) for stage in STAGES),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.Column("owner", sa.Text(), **_text()),
        sa.Column("in_scope", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("scope_reason", sa.Text(), **_text()),
        *_tracked(),
        _pk("ai_system", "id"),
    )
    _unique_live("ai_system", "ref")
    _unique_live("ai_system", "name")


def _link(name: str, owner: str, owner_target: str) -> None:
    """A link table from a record to the AI systems it concerns, keyed by both ends."""
    op.create_table(
        name,
        sa.Column(owner, sa.Uuid(), nullable=False),
        sa.Column("ai_system_id", sa.Uuid(), nullable=False),
        *_tracked(),
        _fk(name, "ai_system_id", "ai_system.id"),
        _fk(name, owner, owner_target),
        _pk(name, owner, "ai_system_id"),
    )
    op.create_index(op.f(f"ix_{name}_ai_system_id"), name, ["ai_system_id"])


def _impact_assessment() -> None:
    op.create_table(
        "impact_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ai_system_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.Text(), **_text()),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("individuals", sa.Text(), **_text()),
        sa.Column("societal", sa.Text(), **_text()),
        sa.Column("results", sa.Text(), **_text()),
        sa.Column("approved_by", sa.Text(), **_text()),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("next_review", sa.Date(), nullable=True),
        *_tracked(),
        _fk("impact_assessment", "ai_system_id", "ai_system.id"),
        _pk("impact_assessment", "id"),
    )
    op.create_index(op.f("ix_impact_assessment_ai_system_id"), "impact_assessment", ["ai_system_id"])


def _fairness_result() -> None:
    op.create_table(
        "fairness_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("sheet_name", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("group_column", sa.Text(), nullable=False),
        sa.Column("outcome_column", sa.Text(), nullable=False),
        sa.Column("favourable", sa.JSON(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column("computed_by", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.String(length=32), nullable=False),
        *_tracked(),
        _fk("fairness_result", "test_id", "control_test.id"),
        _pk("fairness_result", "id"),
    )
    op.create_index(op.f("ix_fairness_result_test_id"), "fairness_result", ["test_id"])


def _evidence_link(targets: Sequence[str]) -> None:
    """Rebuild `evidence_link` with these target columns (its check names them all), keeping every row."""
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
        *(_fk("evidence_link", name, REFERRED[name]) for name in ("evidence_id", *targets)),
        _pk("evidence_link", "id"),
    )
    kept = ", ".join(("id", "evidence_id", *TARGETS_BEFORE, "version", "deleted_at"))
    op.execute(f"INSERT INTO evidence_link__new ({kept}) SELECT {kept} FROM evidence_link")
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


def upgrade() -> None:
    op.execute("PRAGMA defer_foreign_keys = ON")
    _ai_system()
    _link("control_ai_system", "control_id", "control.id")
    _link("test_ai_system", "test_id", "control_test.id")
    _link("finding_ai_system", "finding_id", "finding.id")
    _impact_assessment()
    _fairness_result()
    _evidence_link(TARGETS)


def downgrade() -> None:
    """Back to 0010, which knows no AI systems: they, their links and assessments go, and so do stored fairness
    results (each run stays in the history, as 0010 recorded it); every other evidence link is kept."""
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("DELETE FROM evidence_link WHERE ai_system_id IS NOT NULL")
    _evidence_link(TARGETS_BEFORE)
    for name in NEW_TABLES:
        op.drop_table(name)
