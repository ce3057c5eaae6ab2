"""Subservice organizations and complementary controls as records

Revision ID: 0012_subservice
Revises: 0011_ai_systems
Create Date: 2026-12-04 14:45:00

Until now the engagement held one subservice method and a free-text box (`engagement.subservice_treatment`,
`engagement.subservice_organizations`), so a report could neither say "none" nor treat two organizations apart,
and CUECs and CSOCs were description text only (DC6, DC7). JUDGEMENTS.md section 5: one record per organization
(services, method, its own SOC report as reviewed), the controls an inclusive organization performs, and CUECs and
CSOCs as records linked to the criteria they support.

The text becomes one organization under the engagement's method: "Name (services)" is split; any other text names
the organization by its lead (up to the first bracket, colon, semicolon or line end) and is kept whole as its
services. No text: no organization (the "none" state). Downgrading writes the organizations back as that text, in name order
(the first one's method as the engagement's); complementary controls and the performed-controls links, which 0011
knows only as description text, are dropped.
"""

import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_subservice"
down_revision: str | None = "0011_ai_systems"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ("complementary_requirement", "complementary_control", "control_subservice", "subservice_organization")
NAMED = re.compile(r"^(?P<name>[^()\n]+?)\s*\((?P<services>[^()\n]+)\)\.?$")
LEAD = re.compile(r"^[^(:;\n]+")
LONGEST_NAME = 100


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _unique_live(table: str, column: str) -> None:
    op.create_index(f"uq_{table}_{column}", table, [column], unique=True, sqlite_where=sa.text("deleted_at IS NULL"))


def _create_tables() -> None:
    op.create_table(
        "subservice_organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("services", sa.Text(), server_default="", nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("assertion_received", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("report_type", sa.String(length=16), nullable=True),
        sa.Column("report_start", sa.Date(), nullable=True),
        sa.Column("report_end", sa.Date(), nullable=True),
        sa.Column("report_opinion", sa.String(length=16), nullable=True),
        sa.Column("report_exceptions", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("bridge_letter", sa.Boolean(), server_default="0", nullable=False),
        *_tracked(),
        sa.Column("predecessor_id", sa.Uuid(), nullable=True),
        _pk("subservice_organization", "id"),
    )
    _unique_live("subservice_organization", "name")
    op.create_table(
        "control_subservice",
        sa.Column("control_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        *_tracked(),
        _fk("control_subservice", "control_id", "control.id"),
        _fk("control_subservice", "organization_id", "subservice_organization.id"),
        _pk("control_subservice", "control_id", "organization_id"),
    )
    op.create_index(op.f("ix_control_subservice_organization_id"), "control_subservice", ["organization_id"])
    op.create_table(
        "complementary_control",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        *_tracked(),
        sa.Column("predecessor_id", sa.Uuid(), nullable=True),
        _fk("complementary_control", "organization_id", "subservice_organization.id"),
        _pk("complementary_control", "id"),
    )
    op.create_index(op.f("ix_complementary_control_organization_id"), "complementary_control", ["organization_id"])
    _unique_live("complementary_control", "ref")
    op.create_table(
        "complementary_requirement",
        sa.Column("complementary_id", sa.Uuid(), nullable=False),
        sa.Column("requirement_code", sa.String(length=16), nullable=False),
        *_tracked(),
        _fk("complementary_requirement", "complementary_id", "complementary_control.id"),
        _fk("complementary_requirement", "requirement_code", "requirement.code"),
        _pk("complementary_requirement", "complementary_id", "requirement_code"),
    )
    op.create_index(
        op.f("ix_complementary_requirement_requirement_code"), "complementary_requirement", ["requirement_code"]
    )


def split_text(text: str) -> tuple[str, str]:
    """The organization's name and services from the old free text ("Name (services)"), or its lead as the name
    and the whole text kept as its services."""
    text = text.strip()
    named = NAMED.match(text)
    if named:
        return named["name"].strip(), named["services"].strip()
    lead = LEAD.match(text)
    name = (lead.group(0) if lead else text).strip() or text
    if len(name) > LONGEST_NAME:
        name = name[:LONGEST_NAME].rsplit(" ", 1)[0]
    return name, ("" if name == text else text)


def joined_text(organizations: Sequence[tuple[str, str]]) -> str:
    """The organizations as the old free text: the reverse of `split_text`."""
    lines = []
    for name, services in organizations:
        if services.startswith(name) or not services:
            lines.append(services or name)
        else:
            lines.append(f"{name} ({services})")
    return "\n".join(lines)


def _organization_id(conn: sa.Connection) -> uuid.UUID:
    """Derived from the engagement id, so copies of one file upgraded apart agree (as 0006's keys do)."""
    engagement_id = conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'engagement_id'").scalar()
    base = uuid.uuid5(uuid.NAMESPACE_URL, f"fieldwork-engagement:{engagement_id or ''}")
    return uuid.uuid5(base, "subservice_organization/0012")


def upgrade() -> None:
    op.execute("PRAGMA defer_foreign_keys = ON")
    _create_tables()
    conn = op.get_bind()
    found = conn.exec_driver_sql(
        "SELECT subservice_treatment, subservice_organizations FROM engagement WHERE deleted_at IS NULL"
    ).first()
    if found is not None and found[1].strip():
        name, services = split_text(found[1])
        conn.execute(
            sa.text("INSERT INTO subservice_organization (id, name, services, method) VALUES (:id, :n, :s, :m)"),
            {"id": _organization_id(conn).hex, "n": name, "s": services, "m": found[0]},
        )
    with op.batch_alter_table("engagement") as batch:
        batch.drop_column("subservice_organizations")
        batch.drop_column("subservice_treatment")


def downgrade() -> None:
    op.execute("PRAGMA defer_foreign_keys = ON")
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT name, services, method FROM subservice_organization WHERE deleted_at IS NULL ORDER BY name"
    ).all()
    with op.batch_alter_table("engagement") as batch:
        batch.add_column(sa.Column("subservice_treatment", sa.String(16), server_default="carve_out", nullable=False))
        batch.add_column(sa.Column("subservice_organizations", sa.Text(), server_default="", nullable=False))
    if rows:
        conn.execute(
            sa.text("UPDATE engagement SET subservice_treatment = :m, subservice_organizations = :t"),
            {"m": rows[0][2], "t": joined_text([(name, services) for name, services, _ in rows])},
        )
    for name in NEW_TABLES:
        op.drop_table(name)
