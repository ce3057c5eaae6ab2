"""the judgements: conclusions per requirement, the ISO findings register, description misstatements, the opinion

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 11:00:00

An ISO grade could live only on a SOC 2 deviation, so one late impact assessment printed as a major
nonconformity under every requirement its control serves. Findings now have a register of their own, raised
against the requirements they concern. Every graded deviation becomes one finding (a grade of "conformity"
found nothing, so it makes none), against the ISO/IEC 42001 requirements its control served, linked to the
deviation it came from; each is recorded in the history. The one opinion becomes three judgements (the
description, the design and the operating effectiveness of controls), each starting as the old opinion.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREAS = ("description", "design", "operation")
TARGETS_BEFORE = ("control_id", "test_id", "sample_item_id", "pbc_request_id")
TARGETS = (*TARGETS_BEFORE, "finding_id")
WHO = "Fieldwork (migration 0007)"
DEVIATION_COLUMNS = ("ref", "nature", "expected_deviations", "extended", "extension_result", "evaluation")


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _pair(name: str, left: tuple[str, sa.types.TypeEngine, str], right: tuple[str, sa.types.TypeEngine, str]) -> None:
    """A link table keyed by its two ends."""
    op.create_table(
        name,
        sa.Column(left[0], left[1], nullable=False),
        sa.Column(right[0], right[1], nullable=False),
        *_tracked(),
        _fk(name, left[0], left[2]),
        _fk(name, right[0], right[2]),
        _pk(name, left[0], right[0]),
    )


def _unique_live(table: str, column: str) -> None:
    op.create_index(f"uq_{table}_{column}", table, [column], unique=True, sqlite_where=sa.text("deleted_at IS NULL"))


def _new_tables() -> None:
    code, key = sa.String(length=16), sa.Uuid()
    op.create_table(
        "requirement_conclusion",
        sa.Column("requirement_code", code, nullable=False),
        sa.Column("conclusion", sa.String(length=24), nullable=False),
        sa.Column("basis", sa.Text(), server_default="", nullable=False),
        *_tracked(),
        _fk("requirement_conclusion", "requirement_code", "requirement.code"),
        _pk("requirement_conclusion", "requirement_code"),
    )
    conclusion = ("requirement_code", code, "requirement_conclusion.requirement_code")
    _pair("conclusion_deviation", conclusion, ("deviation_id", key, "deviation.id"))
    _pair("compensating_control", conclusion, ("control_id", key, "control.id"))
    _pair("deviation_sample_item", ("deviation_id", key, "deviation.id"), ("sample_item_id", key, "sample_item.id"))
    op.create_index(op.f("ix_deviation_sample_item_sample_item_id"), "deviation_sample_item", ["sample_item_id"])
    op.create_table(
        "description_misstatement",
        sa.Column("id", key, nullable=False),
        sa.Column("ref", code, nullable=False),
        sa.Column("section", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("material", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("corrected", sa.Boolean(), server_default="0", nullable=False),
        *_tracked(),
        _fk("description_misstatement", "section", "description_section.code"),
        _pk("description_misstatement", "id"),
    )
    _unique_live("description_misstatement", "ref")
    text = {"server_default": "", "nullable": False}
    op.create_table(
        "finding",
        sa.Column("id", key, nullable=False),
        sa.Column("ref", code, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("objective_evidence", sa.Text(), **text),
        sa.Column("correction", sa.Text(), **text),
        sa.Column("root_cause", sa.Text(), **text),
        sa.Column("corrective_action", sa.Text(), **text),
        sa.Column("owner", sa.Text(), **text),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=24), server_default="open", nullable=False),
        sa.Column("verified_by", sa.Text(), **text),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("verification", sa.Text(), **text),
        sa.Column("closed_on", sa.Date(), nullable=True),
        *_tracked(),
        _pk("finding", "id"),
    )
    _unique_live("finding", "ref")
    _pair("finding_requirement", ("finding_id", key, "finding.id"), ("requirement_code", code, "requirement.code"))
    op.create_index(op.f("ix_finding_requirement_requirement_code"), "finding_requirement", ["requirement_code"])
    _pair("finding_deviation", ("finding_id", key, "finding.id"), ("deviation_id", key, "deviation.id"))
    op.create_index(op.f("ix_finding_deviation_deviation_id"), "finding_deviation", ["deviation_id"])
    op.create_table(
        "opinion",
        sa.Column("area", code, nullable=False),
        sa.Column("kind", code, server_default="unmodified", nullable=False),
        sa.Column("basis", sa.Text(), **text),
        sa.Column("pervasive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("departure_reason", sa.Text(), **text),
        *_tracked(),
        _pk("opinion", "area"),
    )


def _evidence_link(targets: Sequence[str]) -> None:
    """Rebuild `evidence_link` with these target columns (its check names them all)."""
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
        _fk("evidence_link", "evidence_id", "evidence.id"),
        _fk("evidence_link", "control_id", "control.id"),
        _fk("evidence_link", "test_id", "control_test.id"),
        _fk("evidence_link", "sample_item_id", "sample_item.id"),
        _fk("evidence_link", "pbc_request_id", "pbc_request.id"),
        *([_fk("evidence_link", "finding_id", "finding.id")] if "finding_id" in targets else []),
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


class _History:
    """Entries this migration writes, numbered in the file's own origin like any change."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        replica = conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").scalar_one()
        self.origin = uuid.UUID(replica).hex
        last = conn.exec_driver_sql("SELECT max(seq) FROM history WHERE origin = ?", (self.origin,)).scalar()
        self.seq = last or 0
        self.at = datetime.now(UTC).isoformat(timespec="seconds")

    def create(self, item_type: str, item_id: str, values: dict[str, object]) -> None:
        self.seq += 1
        self.conn.exec_driver_sql(
            "INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values) "
            "VALUES (?, ?, ?, ?, 'create', ?, ?, NULL, ?)",
            (self.origin, self.seq, self.at, WHO, item_type, item_id, json.dumps(values, ensure_ascii=False)),
        )


def _findings_from_grades(conn: sa.Connection, history: _History) -> None:
    graded = conn.exec_driver_sql(
        "SELECT d.id, d.description, d.root_cause, d.iso_grade, t.control_id FROM deviation d "
        "JOIN control_test t ON t.id = d.test_id "
        "WHERE d.iso_grade IS NOT NULL AND d.iso_grade != 'conformity' AND d.deleted_at IS NULL ORDER BY d.id"
    ).all()
    for number, (deviation_id, description, root_cause, grade, control_id) in enumerate(graded, start=1):
        finding_id = uuid.uuid5(uuid.UUID(hex=deviation_id), "finding").hex
        ref = f"F-{number:03d}"
        conn.exec_driver_sql(
            "INSERT INTO finding (id, ref, kind, statement, root_cause) VALUES (?, ?, ?, ?, ?)",
            (finding_id, ref, grade, description, root_cause),
        )
        requirements = conn.exec_driver_sql(
            "SELECT l.requirement_code FROM control_requirement l JOIN requirement r ON r.code = l.requirement_code "
            "WHERE l.control_id = ? AND l.deleted_at IS NULL AND r.framework = 'iso42001' ORDER BY r.sort_order",
            (control_id,),
        ).scalars()
        codes = list(requirements)
        for code in codes:
            conn.exec_driver_sql("INSERT INTO finding_requirement VALUES (?, ?, 1, NULL)", (finding_id, code))
        conn.exec_driver_sql("INSERT INTO finding_deviation VALUES (?, ?, 1, NULL)", (finding_id, deviation_id))
        key = str(uuid.UUID(hex=finding_id))
        history.create("finding", key, {"ref": ref, "kind": grade, "statement": description, "requirements": codes})


def _number_deviations(conn: sa.Connection) -> None:
    """Each deviation gets a reference after its test's (C-021.T2.D1), in the order they were recorded."""
    rows = conn.exec_driver_sql(
        "SELECT d.id, t.ref FROM deviation d JOIN control_test t ON t.id = d.test_id ORDER BY t.ref, d.id"
    ).all()
    counts: dict[str, int] = {}
    for deviation_id, test_ref in rows:
        counts[test_ref] = counts.get(test_ref, 0) + 1
        conn.exec_driver_sql(
            "UPDATE deviation SET ref = ? WHERE id = ?", (f"{test_ref}.D{counts[test_ref]}", deviation_id)
        )
    op.create_index("uq_deviation_ref", "deviation", ["ref"], unique=True, sqlite_where=sa.text("deleted_at IS NULL"))


def upgrade() -> None:
    conn = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")
    _new_tables()
    op.add_column("deviation", sa.Column("ref", sa.String(length=48), server_default="", nullable=False))
    _number_deviations(conn)
    op.add_column("deviation", sa.Column("nature", sa.String(length=24), nullable=True))
    op.add_column("deviation", sa.Column("expected_deviations", sa.Integer(), nullable=True))
    op.add_column("deviation", sa.Column("extended", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("deviation", sa.Column("extension_result", sa.Text(), server_default="", nullable=False))
    op.add_column("deviation", sa.Column("evaluation", sa.Text(), server_default="", nullable=False))
    _evidence_link(TARGETS)
    history = _History(conn)
    _findings_from_grades(conn, history)
    old = conn.exec_driver_sql("SELECT opinion, opinion_basis FROM engagement WHERE deleted_at IS NULL").first()
    kind, basis = old if old is not None else ("unmodified", "")
    for area in AREAS:
        conn.exec_driver_sql("INSERT INTO opinion (area, kind, basis) VALUES (?, ?, ?)", (area, kind, basis))
        history.create("opinion", area, {"area": area, "kind": kind, "basis": basis})
    op.execute("ALTER TABLE deviation DROP COLUMN iso_grade")
    op.execute("ALTER TABLE engagement DROP COLUMN opinion")
    op.execute("ALTER TABLE engagement DROP COLUMN opinion_basis")


_SEVERITY = ("unmodified", "qualified", "adverse", "disclaimer")


def downgrade() -> None:
    """Back to one opinion (the most severe judgement) and grades on deviations (from the findings that came
    from them); findings without a deviation, conclusions and misstatements have no place in 0006 and go."""
    conn = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.add_column("deviation", sa.Column("iso_grade", sa.String(length=32), nullable=True))
    op.add_column("engagement", sa.Column("opinion", sa.String(length=16), server_default="unmodified", nullable=False))
    op.add_column("engagement", sa.Column("opinion_basis", sa.Text(), server_default="", nullable=False))
    op.execute(
        "UPDATE deviation SET iso_grade = (SELECT f.kind FROM finding_deviation l JOIN finding f ON f.id = l.finding_id "
        "WHERE l.deviation_id = deviation.id AND l.deleted_at IS NULL AND f.deleted_at IS NULL ORDER BY f.ref LIMIT 1)"
    )
    judged = conn.exec_driver_sql("SELECT kind, basis FROM opinion WHERE deleted_at IS NULL").all()
    if judged:
        kind = max((k for k, _ in judged), key=_SEVERITY.index)
        basis = "\n".join(dict.fromkeys(b for _, b in judged if b))
        conn.exec_driver_sql("UPDATE engagement SET opinion = ?, opinion_basis = ?", (kind, basis))
    op.execute("DELETE FROM evidence_link WHERE finding_id IS NOT NULL")
    _evidence_link(TARGETS_BEFORE)
    for name in (
        "opinion",
        "finding_deviation",
        "finding_requirement",
        "finding",
        "description_misstatement",
        "deviation_sample_item",
        "compensating_control",
        "conclusion_deviation",
        "requirement_conclusion",
    ):
        op.drop_table(name)
    op.drop_index("uq_deviation_ref", "deviation")
    for name in reversed(DEVIATION_COLUMNS):
        op.execute(f"ALTER TABLE deviation DROP COLUMN {name}")
