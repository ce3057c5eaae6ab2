"""Tables of the engagement file.

This module describes the schema the services query. The file itself only ever
changes through the Alembic migrations in `db/migrations`; a test checks that the
migrated schema and these tables agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

fieldwork_meta = Table(
    "fieldwork_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

engagement = Table(
    "engagement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client", Text, nullable=False),
    Column("system_name", Text, nullable=False),
    Column("report_type", String(16), nullable=False),
    Column("as_of_date", Date),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("tsc_categories", JSON, nullable=False),
    Column("iso_scope", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="planning"),
    Column("report_release_date", Date),
    Column("documentation_completion_date", Date),
    Column("opinion", String(16), nullable=False, server_default="unmodified"),
    Column("subservice_treatment", String(16), nullable=False, server_default="carve_out"),
    Column("subservice_organizations", Text, nullable=False, server_default=""),
    Column("auditor_firm", Text, nullable=False, server_default=""),  # revision 0004
    Column("auditor_city", Text, nullable=False, server_default=""),  # revision 0004
    Column("opinion_basis", Text, nullable=False, server_default=""),  # revision 0004: why a modified opinion
    CheckConstraint("id = 1", name="single_row"),
)

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("initials", String(8), nullable=False),
    Column("role", String(16), nullable=False),
    UniqueConstraint("initials"),
)

tickmark = Table(
    "tickmark",
    metadata,
    Column("symbol", String(8), primary_key=True),
    Column("meaning", Text, nullable=False),
)

description_section = Table(
    "description_section",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("text", Text, nullable=False, server_default=""),
)

requirement = Table(
    "requirement",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("framework", String(16), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("parent_code", String(16), ForeignKey("requirement.code")),
    Column("category", String(32)),
    Column("group_name", Text),
    Column("sort_order", Integer, nullable=False),
)

mapping = Table(
    "mapping",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("iso_code", String(16), ForeignKey("requirement.code"), nullable=False),
    Column("soc2_code", String(16), ForeignKey("requirement.code"), nullable=False),
    Column("relationship", String(16), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("origin", String(16), nullable=False, server_default="catalog"),
    Column("active", Boolean, nullable=False, server_default="1"),
    UniqueConstraint("iso_code", "soc2_code"),
)

control = Table(
    "control",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("owner", Text, nullable=False, server_default=""),
    Column("frequency", String(16), nullable=False),
    Column("nature", String(24), nullable=False),
    Column("control_type", String(16), nullable=False),
    Column("is_key", Boolean, nullable=False, server_default="1"),
)

control_requirement = Table(
    "control_requirement",
    metadata,
    Column("control_id", Integer, ForeignKey("control.id", ondelete="CASCADE"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True, index=True),
)

dismissed_suggestion = Table(
    "dismissed_suggestion",
    metadata,
    Column("control_id", Integer, ForeignKey("control.id", ondelete="CASCADE"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True),
)

soa_line = Table(
    "soa_line",
    metadata,
    Column("annex_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    Column("included", Boolean, nullable=False, server_default="1"),
    Column("justification", Text, nullable=False, server_default=""),
    Column("implementation_status", String(24)),
)

control_test = Table(
    "control_test",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(40), nullable=False, unique=True),
    Column("control_id", Integer, ForeignKey("control.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("procedure", Text, nullable=False, server_default=""),
    Column("methods", JSON, nullable=False),
    Column("population", Text, nullable=False, server_default=""),
    Column("population_size", Integer),
    Column("sample_size", Integer),
    Column("selection", String(16)),
    Column("seed", Integer),
    Column("conclusion", String(16)),
    Column("conclusion_note", Text, nullable=False, server_default=""),
    Column("risk", String(16)),  # revision 0003: picks the sample size within the frequency's range
    Column("size_override_reason", Text),  # revision 0003: why the size differs from the suggestion
)

sample_item = Table(
    "sample_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("test_id", Integer, ForeignKey("control_test.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("identifier", Text, nullable=False),
    Column("item_date", Date),
    Column("result", String(16)),
    Column("tickmarks", Text, nullable=False, server_default=""),
    Column("deviation_text", Text, nullable=False, server_default=""),
    Column("population_row_no", Integer),  # revision 0003: the population row this item was drawn from
    UniqueConstraint("test_id", "seq"),
)

deviation = Table(
    "deviation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("test_id", Integer, ForeignKey("control_test.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("root_cause", Text, nullable=False, server_default=""),
    Column("management_response", Text, nullable=False, server_default=""),
    Column("effect", Text, nullable=False, server_default=""),
    Column("iso_grade", String(32)),
)

history = Table(
    "history",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at_utc", String(32), nullable=False),
    Column("person", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("item_id", Text, nullable=False),
    Column("old_values", JSON),
    Column("new_values", JSON),
)

# --- evidence and the PBC request list (revision 0002) -------------------------------------------

pbc_request = Table(
    "pbc_request",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("request", Text, nullable=False),
    Column("requested_of", Text, nullable=False, server_default=""),
    Column("due_date", Date),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("received_date", Date),
)

evidence_blob = Table(
    "evidence_blob",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", Integer, nullable=False),
)

# Chunks live in their own table: updating any column of a row that holds a large value
# rewrites the value, and SQLite refuses single values over 10^9 bytes.
evidence_chunk = Table(
    "evidence_chunk",
    metadata,
    Column("blob_id", Integer, ForeignKey("evidence_blob.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("blob_id", Integer, ForeignKey("evidence_blob.id"), nullable=False, index=True),
    Column("original_name", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("received_date", Date),
    Column("provided_by", Text, nullable=False, server_default=""),
    Column("pbc_request_id", Integer, ForeignKey("pbc_request.id")),
    Column("attached_by", Text, nullable=False),
    Column("attached_at", String(32), nullable=False),
)

evidence_link = Table(
    "evidence_link",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("control_id", Integer, ForeignKey("control.id")),
    Column("test_id", Integer, ForeignKey("control_test.id")),
    Column("sample_item_id", Integer, ForeignKey("sample_item.id")),
    Column("pbc_request_id", Integer, ForeignKey("pbc_request.id")),
    CheckConstraint(
        "(control_id IS NOT NULL) + (test_id IS NOT NULL) + (sample_item_id IS NOT NULL)"
        " + (pbc_request_id IS NOT NULL) = 1",
        name="one_target",
    ),
)

# One link per evidence and target (NULLs never collide in a plain UNIQUE), and a fast
# "what supports this item" lookup.
for _target in ("control_id", "test_id", "sample_item_id", "pbc_request_id"):
    Index(
        f"uq_evidence_link_{_target}",
        evidence_link.c[_target],
        evidence_link.c.evidence_id,
        unique=True,
        sqlite_where=evidence_link.c[_target].is_not(None),
    )

# --- populations and sampling (revision 0003) ----------------------------------------------------

population = Table(
    "population",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("test_id", Integer, ForeignKey("control_test.id"), nullable=False, unique=True),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64)),
    Column("sheet_name", Text),
    Column("columns", JSON, nullable=False),
    Column("id_column", Text, nullable=False),
    Column("date_column", Text),
    Column("row_count", Integer, nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
)

population_row = Table(
    "population_row",
    metadata,
    Column("population_id", Integer, ForeignKey("population.id", ondelete="CASCADE"), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("identifier", Text, nullable=False),
    Column("item_date", Date),
    Column("values", JSON, nullable=False),
)
