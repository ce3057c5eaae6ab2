"""Tables of the engagement file.

This module describes the schema the services query. The file itself only ever
changes through the Alembic migrations in `db/migrations`; a test checks that the
migrated schema and these tables agree.

Identity (revision 0006), so that copies of one engagement can later be merged:
- records made in the engagement are keyed by a UUID (`app.domain.ids`); natural keys stay where they
  are shared by every copy (requirement, Annex A and description codes, tickmark symbols, a crosswalk
  pair); evidence content is keyed by its SHA-256;
- every record carries a row `version`, raised by each change, and a delete leaves a tombstone
  (`deleted_at`) instead of removing the row: reads keep to `live(table)`;
- history entries are numbered per origin (the copy of the file they were made in, `replica_id`).
References people read (C-001, E-0001) are unique among the live records only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
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
    Uuid,
    event,
)
from sqlalchemy.sql.elements import ColumnElement

from fieldwork.app.storage.chain import CanonicalJSON

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Column[Any]:
    return Column("id", Uuid, primary_key=True)


def _tracked() -> list[Column[Any]]:
    """The row version and the tombstone every record carries."""
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("deleted_at", String(32)),
    ]


def _unique_live(table: Table, *columns: str) -> None:
    """Unique among live rows: a tombstone keeps its values without blocking a new record's."""
    Index(
        f"uq_{table.name}_{columns[0]}",
        *(table.c[name] for name in columns),
        unique=True,
        sqlite_where=table.c.deleted_at.is_(None),
    )


def live(table: Table) -> ColumnElement[bool]:
    """The rows not deleted (tombstones stay in the file for merging and the history)."""
    return table.c.deleted_at.is_(None)


def is_tracked(table: Table) -> bool:
    """A record table: versioned, and deleted by tombstone."""
    return "deleted_at" in table.c


fieldwork_meta = Table(
    "fieldwork_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

engagement = Table(
    "engagement",
    metadata,
    _id(),
    Column("client", Text, nullable=False),
    Column("system_name", Text, nullable=False),
    Column("report_type", String(16), nullable=False),
    Column("as_of_date", Date),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("tsc_categories", JSON, nullable=False),
    Column("iso_scope", Text, nullable=False, server_default=""),
    Column("report_release_date", Date),
    Column("documentation_completion_date", Date),
    Column("auditor_firm", Text, nullable=False, server_default=""),  # revision 0004
    Column("auditor_city", Text, nullable=False, server_default=""),  # revision 0004
    # revision 0008: days from the report release to documentation completion, the retention period,
    # and whether one member may both prepare and review an item
    Column("completion_days", Integer, nullable=False, server_default="60"),
    Column("retention_years", Integer, nullable=False, server_default="5"),
    Column("allow_self_review", Boolean, nullable=False, server_default="0"),
    # revision 0009: a clean conclusion needs its population's IPE assessed, unless switched off (and why)
    Column("require_ipe", Boolean, nullable=False, server_default="1"),
    Column("require_ipe_reason", Text, nullable=False, server_default=""),
    *_tracked(),
)

person = Table(
    "person",
    metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("initials", String(8), nullable=False),
    Column("role", String(16), nullable=False),
    *_tracked(),
    Column("predecessor_id", Uuid),  # revision 0010: rolled forward from
)
_unique_live(person, "initials")

tickmark = Table(
    "tickmark",
    metadata,
    Column("symbol", String(8), primary_key=True),
    Column("meaning", Text, nullable=False),
    *_tracked(),
)

description_section = Table(
    "description_section",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("text", Text, nullable=False, server_default=""),
    *_tracked(),
    # revision 0010: carried forward from the prior period and not yet edited for this one
    Column("to_update", Boolean, nullable=False, server_default="0"),
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
    Column("iso_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    Column("soc2_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    Column("relationship", String(16), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("origin", String(16), nullable=False, server_default="catalog"),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("sort_order", Integer, nullable=False, server_default="0"),  # revision 0006: the crosswalk's order
    *_tracked(),
)

control = Table(
    "control",
    metadata,
    _id(),
    Column("ref", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("owner", Text, nullable=False, server_default=""),
    Column("frequency", String(16), nullable=False),
    Column("nature", String(24), nullable=False),
    Column("control_type", String(16), nullable=False),
    Column("is_key", Boolean, nullable=False, server_default="1"),
    *_tracked(),
    # revision 0010: when the control was in operation (None: throughout), the control it replaced, and the
    # record it was rolled forward from (in the prior period's file, so no foreign key)
    Column("effective_from", Date),
    Column("effective_to", Date),
    Column("replaces_id", Uuid, ForeignKey("control.id")),
    Column("predecessor_id", Uuid),
)
_unique_live(control, "ref")

control_requirement = Table(
    "control_requirement",
    metadata,
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True, index=True),
    *_tracked(),
)

dismissed_suggestion = Table(
    "dismissed_suggestion",
    metadata,
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    *_tracked(),
)

soa_line = Table(
    "soa_line",
    metadata,
    Column("annex_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    Column("included", Boolean, nullable=False, server_default="1"),
    Column("justification", Text, nullable=False, server_default=""),
    Column("implementation_status", String(24)),
    *_tracked(),
)

control_test = Table(
    "control_test",
    metadata,
    _id(),
    Column("ref", String(40), nullable=False),
    Column("control_id", Uuid, ForeignKey("control.id"), nullable=False, index=True),
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
    *_tracked(),
    # revision 0010: the days the test covers (None: the period, while the control was in operation), its round
    # (interim, update, remediation retest), and the prior period's test it was rolled forward from
    Column("window_start", Date),
    Column("window_end", Date),
    Column("round", String(24)),
    Column("predecessor_id", Uuid),
)
_unique_live(control_test, "ref")

sample_item = Table(
    "sample_item",
    metadata,
    _id(),
    Column("test_id", Uuid, ForeignKey("control_test.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("identifier", Text, nullable=False),
    Column("item_date", Date),
    Column("result", String(16)),
    Column("tickmarks", Text, nullable=False, server_default=""),
    Column("deviation_text", Text, nullable=False, server_default=""),
    Column("population_row_no", Integer),  # revision 0003: the population row this item was drawn from
    *_tracked(),
)
_unique_live(sample_item, "test_id", "seq")

deviation = Table(
    "deviation",
    metadata,
    _id(),
    Column("ref", String(48), nullable=False, server_default=""),  # revision 0007: C-021.T2.D1, for citing it
    Column("test_id", Uuid, ForeignKey("control_test.id"), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("root_cause", Text, nullable=False, server_default=""),
    Column("management_response", Text, nullable=False, server_default=""),
    Column("effect", Text, nullable=False, server_default=""),
    # revision 0007: the auditor's evaluation of the deviation (JUDGEMENTS.md section 2)
    Column("nature", String(24)),
    Column("expected_deviations", Integer),
    Column("extended", Boolean, nullable=False, server_default="0"),
    Column("extension_result", Text, nullable=False, server_default=""),
    Column("evaluation", Text, nullable=False, server_default=""),
    *_tracked(),
)

_unique_live(deviation, "ref")

#: The sample items a deviation was found in (n of N).
deviation_sample_item = Table(
    "deviation_sample_item",
    metadata,
    Column("deviation_id", Uuid, ForeignKey("deviation.id"), primary_key=True),
    Column("sample_item_id", Uuid, ForeignKey("sample_item.id"), primary_key=True, index=True),
    *_tracked(),
)

# Append-only: each copy of the file (its `replica_id` in fieldwork_meta) numbers its own entries, so the
# entries of copies merged later never collide and each origin's sequence stays whole.
history = Table(
    "history",
    metadata,
    Column("origin", Uuid, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at_utc", String(32), nullable=False),
    Column("person", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("item_id", Text, nullable=False),
    # revision 0013_history_canonical: stored in the canonical form the entry's hash covers
    Column("old_values", CanonicalJSON),
    Column("new_values", CanonicalJSON),
    # revision 0008_review: each entry's hash, over its content and the hash of the entry before it in its origin
    Column("prev_hash", String(64), nullable=False, server_default=""),
    Column("hash", String(64), nullable=False, server_default=""),
    Index("ix_history_item", "item_type", "item_id"),
)

#: Triggers that make the history append-only in the file itself (a changed or removed entry is refused).
HISTORY_TRIGGERS = tuple(
    f"CREATE TRIGGER history_no_{verb.lower()} BEFORE {verb} ON history "
    "BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END"
    for verb in ("UPDATE", "DELETE")
)
for _trigger in HISTORY_TRIGGERS:
    event.listen(history, "after_create", DDL(_trigger))

# --- judgements (revision 0007): conclusions per requirement, findings, misstatements, the opinion --------

#: The auditor's conclusion on a requirement in scope; a requirement without one is not concluded.
requirement_conclusion = Table(
    "requirement_conclusion",
    metadata,
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True),
    Column("conclusion", String(24), nullable=False),
    Column("basis", Text, nullable=False, server_default=""),
    *_tracked(),
)

#: The deviations a conclusion considered.
conclusion_deviation = Table(
    "conclusion_deviation",
    metadata,
    Column("requirement_code", String(16), ForeignKey("requirement_conclusion.requirement_code"), primary_key=True),
    Column("deviation_id", Uuid, ForeignKey("deviation.id"), primary_key=True),
    *_tracked(),
)

#: Controls a conclusion relies on to compensate for deviations in the controls linked to the requirement.
compensating_control = Table(
    "compensating_control",
    metadata,
    Column("requirement_code", String(16), ForeignKey("requirement_conclusion.requirement_code"), primary_key=True),
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True),
    *_tracked(),
)

#: A misstatement of the description of the system (DC 200), found in testing the description.
description_misstatement = Table(
    "description_misstatement",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("section", String(8), ForeignKey("description_section.code"), nullable=False),
    Column("description", Text, nullable=False),
    Column("material", Boolean, nullable=False, server_default="0"),
    Column("corrected", Boolean, nullable=False, server_default="0"),
    *_tracked(),
)
_unique_live(description_misstatement, "ref")

#: The ISO/IEC 42001 findings register: raised against requirements, with clause 10.2's life cycle.
finding = Table(
    "finding",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("statement", Text, nullable=False),
    Column("objective_evidence", Text, nullable=False, server_default=""),
    Column("correction", Text, nullable=False, server_default=""),
    Column("root_cause", Text, nullable=False, server_default=""),
    Column("corrective_action", Text, nullable=False, server_default=""),
    Column("owner", Text, nullable=False, server_default=""),
    Column("due_date", Date),
    Column("status", String(24), nullable=False, server_default="open"),
    Column("verified_by", Text, nullable=False, server_default=""),
    Column("verified_on", Date),
    Column("verification", Text, nullable=False, server_default=""),
    Column("closed_on", Date),
    *_tracked(),
    Column("predecessor_id", Uuid),  # revision 0008: a prior-period finding to follow up, rolled forward from
)
_unique_live(finding, "ref")

finding_requirement = Table(
    "finding_requirement",
    metadata,
    Column("finding_id", Uuid, ForeignKey("finding.id"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True, index=True),
    *_tracked(),
)

#: The SOC 2 deviations a finding comes from, if any (a finding needs none).
finding_deviation = Table(
    "finding_deviation",
    metadata,
    Column("finding_id", Uuid, ForeignKey("finding.id"), primary_key=True),
    Column("deviation_id", Uuid, ForeignKey("deviation.id"), primary_key=True, index=True),
    *_tracked(),
)

#: The recorded opinion, one judgement per area: the description, the design and the operating effectiveness of
#: controls (an adverse opinion on operation does not declare the description misstated).
opinion = Table(
    "opinion",
    metadata,
    Column("area", String(16), primary_key=True),
    Column("kind", String(16), nullable=False, server_default="unmodified"),
    Column("basis", Text, nullable=False, server_default=""),
    Column("pervasive", Boolean, nullable=False, server_default="0"),
    Column("departure_reason", Text, nullable=False, server_default=""),
    *_tracked(),
)

# --- review (revision 0008): sign-offs, review notes, finalizing ------------------------------

#: A preparer's or reviewer's sign-off on an item, with the hash of the item's content when signed (staleness is
#: that hash against the item's content now, never a stored flag) and the head of the history at that moment.
signoff = Table(
    "signoff",
    metadata,
    _id(),
    Column("item_type", String(32), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("person_id", Uuid, ForeignKey("person.id"), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("history_origin", Uuid, nullable=False),
    Column("history_seq", Integer, nullable=False),
    Column("history_hash", String(64), nullable=False),
    *_tracked(),
)
_unique_live(signoff, "item_type", "item_key", "role")

review_note = Table(
    "review_note",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("raised_by", Uuid, ForeignKey("person.id"), nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("response", Text, nullable=False, server_default=""),
    Column("responded_by", Uuid, ForeignKey("person.id")),
    Column("responded_at", String(32)),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("cleared_by", Uuid, ForeignKey("person.id")),
    Column("cleared_at", String(32)),
    #: A note brought in from a workbook: the same row imported again is recognised by it.
    Column("import_key", String(64)),
    *_tracked(),
)
_unique_live(review_note, "ref")
Index("ix_review_note_item", review_note.c.item_type, review_note.c.item_key)

#: The engagement finalized: when, by whom, and the manifest (evidence hashes, history heads) verified then.
finalization = Table(
    "finalization",
    metadata,
    _id(),
    Column("finalized_at", String(32), nullable=False),
    Column("person_id", Uuid, ForeignKey("person.id"), nullable=False),
    Column("manifest", JSON, nullable=False),
    *_tracked(),
)

#: A change to a finalized engagement, with its reason: opened by a member, every later change belongs to it.
addendum = Table(
    "addendum",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("person_id", Uuid, ForeignKey("person.id"), nullable=False),
    Column("opened_at", String(32), nullable=False),
    *_tracked(),
)
_unique_live(addendum, "ref")

# --- engagement workpapers and information produced by the entity (revision 0009) --------

#: A workpaper of the engagement around the tests (JUDGEMENTS.md section 7), from a firm-editable template.
workpaper = Table(
    "workpaper",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    Column("completion_item", Boolean, nullable=False, server_default="0"),
    Column("dated", Date),
    Column("signed_by", Text, nullable=False, server_default=""),
    Column("signer_title", Text, nullable=False, server_default=""),
    Column("completed_at", String(32)),
    # What its template asks of it, kept with it (`domain.workpapers.WorkpaperShape`).
    Column("template", String(64), nullable=False, server_default=""),
    Column("member_statement", Text, nullable=False, server_default=""),
    Column("asks_signer", Boolean, nullable=False, server_default="0"),
    Column("date_label", Text, nullable=False, server_default=""),
    Column("date_rule", String(24)),
    Column("shows", String(24)),
    *_tracked(),
)
_unique_live(workpaper, "ref")

#: A checklist item or confirmation line of a workpaper, with its answer.
workpaper_item = Table(
    "workpaper_item",
    metadata,
    _id(),
    Column("workpaper_id", Uuid, ForeignKey("workpaper.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("prompt", Text, nullable=False),
    Column("answer", String(16)),
    Column("note", Text, nullable=False, server_default=""),
    Column("person_id", Uuid, ForeignKey("person.id")),
    *_tracked(),
)
_unique_live(workpaper_item, "workpaper_id", "seq")

workpaper_requirement = Table(
    "workpaper_requirement",
    metadata,
    Column("workpaper_id", Uuid, ForeignKey("workpaper.id"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True, index=True),
    *_tracked(),
)

workpaper_control = Table(
    "workpaper_control",
    metadata,
    Column("workpaper_id", Uuid, ForeignKey("workpaper.id"), primary_key=True),
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True, index=True),
    *_tracked(),
)

#: The assessment of one population (a test's) or key report (a control's) the entity produced.
ipe_assessment = Table(
    "ipe_assessment",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("test_id", Uuid, ForeignKey("control_test.id")),
    Column("control_id", Uuid, ForeignKey("control.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("source_system", Text, nullable=False, server_default=""),
    Column("report", Text, nullable=False, server_default=""),
    Column("parameters", Text, nullable=False, server_default=""),
    Column("produced_by", Text, nullable=False, server_default=""),
    Column("produced_on", Date),
    Column("observed", Boolean, nullable=False, server_default="0"),
    Column("procedures", Text, nullable=False, server_default=""),
    Column("result", String(24)),
    *_tracked(),
)
_unique_live(ipe_assessment, "ref")
_unique_live(ipe_assessment, "test_id")

# --- evidence and the PBC request list (revision 0002) -------------------------------------------

pbc_request = Table(
    "pbc_request",
    metadata,
    _id(),
    Column("ref", String(32), nullable=False),
    Column("request", Text, nullable=False),
    Column("requested_of", Text, nullable=False, server_default=""),
    Column("due_date", Date),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("received_date", Date),
    *_tracked(),
    Column("predecessor_id", Uuid),  # revision 0008: rolled forward from
)
_unique_live(pbc_request, "ref")

# Content, keyed by what it is, so neither versioned nor tombstoned. Its bytes (chunks) go when no live
# evidence record needs them any more; the row, its fingerprint, stays for the tombstones that name it.
evidence_blob = Table(
    "evidence_blob",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    # Where its chunks are in this file: known before the hash is (chunks are written as the file streams
    # in), and local to the file. Copies exchange content by SHA-256; each stores it under its own key.
    Column("chunk_key", Integer, nullable=False, unique=True),
)

# Chunks live in their own table: updating any column of a row that holds a large value
# rewrites the value, and SQLite refuses single values over 10^9 bytes.
evidence_chunk = Table(
    "evidence_chunk",
    metadata,
    Column("chunk_key", Integer, ForeignKey("evidence_blob.chunk_key", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    _id(),
    Column("ref", String(32), nullable=False),
    Column("blob_sha256", String(64), ForeignKey("evidence_blob.sha256"), nullable=False, index=True),
    Column("original_name", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("received_date", Date),
    Column("provided_by", Text, nullable=False, server_default=""),
    Column("pbc_request_id", Uuid, ForeignKey("pbc_request.id")),
    Column("attached_by", Text, nullable=False),
    Column("attached_at", String(32), nullable=False),
    *_tracked(),
    Column("predecessor_id", Uuid),  # revision 0008: a prior-period document, rolled forward from
)
_unique_live(evidence, "ref")

# --- AI systems (revision 0011): the inventory, links to it, impact assessments --------------

#: An AI system in the client's inventory; the AI management system covers it or not (`in_scope`, with why).
ai_system = Table(
    "ai_system",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("purpose", Text, nullable=False, server_default=""),
    Column("roles", JSON, nullable=False),
    Column("affected", Text, nullable=False, server_default=""),
    Column("risk_level", String(16)),
    Column("stage", String(16), nullable=False),
    Column("design_on", Date),
    Column("development_on", Date),
    Column("verification_on", Date),
    Column("deployed_on", Date),
    Column("retired_on", Date),
    Column("models", JSON, nullable=False),
    Column("datasets", JSON, nullable=False),
    Column("owner", Text, nullable=False, server_default=""),
    Column("in_scope", Boolean, nullable=False, server_default="1"),
    Column("scope_reason", Text, nullable=False, server_default=""),
    *_tracked(),
)
_unique_live(ai_system, "ref")
_unique_live(ai_system, "name")

#: The AI systems a control applies to.
control_ai_system = Table(
    "control_ai_system",
    metadata,
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True),
    Column("ai_system_id", Uuid, ForeignKey("ai_system.id"), primary_key=True, index=True),
    *_tracked(),
)

#: The AI systems a test examined, when fewer than its control's (a test naming none counts for all of them).
test_ai_system = Table(
    "test_ai_system",
    metadata,
    Column("test_id", Uuid, ForeignKey("control_test.id"), primary_key=True),
    Column("ai_system_id", Uuid, ForeignKey("ai_system.id"), primary_key=True, index=True),
    *_tracked(),
)

#: The AI systems a finding concerns, where it concerns particular ones.
finding_ai_system = Table(
    "finding_ai_system",
    metadata,
    Column("finding_id", Uuid, ForeignKey("finding.id"), primary_key=True),
    Column("ai_system_id", Uuid, ForeignKey("ai_system.id"), primary_key=True, index=True),
    *_tracked(),
)

#: An AI system impact assessment (ISO/IEC 42001 A.5, 8.4), of one system.
impact_assessment = Table(
    "impact_assessment",
    metadata,
    _id(),
    Column("ai_system_id", Uuid, ForeignKey("ai_system.id"), nullable=False, index=True),
    Column("reference", Text, nullable=False, server_default=""),
    Column("assessed_on", Date, nullable=False),
    Column("assessor", Text, nullable=False),
    Column("individuals", Text, nullable=False, server_default=""),
    Column("societal", Text, nullable=False, server_default=""),
    Column("results", Text, nullable=False, server_default=""),
    Column("approved_by", Text, nullable=False, server_default=""),
    Column("approved_on", Date),
    Column("next_review", Date),
    *_tracked(),
)

#: A fairness re-performance stored with its test: the decisions file's name and hash, the columns, and the counts
#: per group (from which the rates and ratios follow exactly).
fairness_result = Table(
    "fairness_result",
    metadata,
    _id(),
    Column("test_id", Uuid, ForeignKey("control_test.id"), nullable=False, index=True),
    Column("source_name", Text, nullable=False),
    Column("sheet_name", Text),
    Column("sha256", String(64), nullable=False),
    Column("group_column", Text, nullable=False),
    Column("outcome_column", Text, nullable=False),
    Column("favourable", JSON, nullable=False),
    Column("rule", Text, nullable=False),
    Column("outcomes", JSON, nullable=False),
    Column("decisions", Integer, nullable=False),
    Column("left_out", Integer, nullable=False),
    Column("groups", JSON, nullable=False),
    Column("caveats", JSON, nullable=False),
    Column("computed_by", Text, nullable=False),
    Column("computed_at", String(32), nullable=False),
    *_tracked(),
)

#: The columns of `evidence_link` that name what a file supports; exactly one is set.
LINK_TARGETS = (
    "control_id",
    "test_id",
    "sample_item_id",
    "pbc_request_id",
    "finding_id",
    "workpaper_id",
    "ipe_id",
    "ai_system_id",
)

evidence_link = Table(
    "evidence_link",
    metadata,
    _id(),
    Column("evidence_id", Uuid, ForeignKey("evidence.id"), nullable=False, index=True),
    Column("control_id", Uuid, ForeignKey("control.id")),
    Column("test_id", Uuid, ForeignKey("control_test.id")),
    Column("sample_item_id", Uuid, ForeignKey("sample_item.id")),
    Column("pbc_request_id", Uuid, ForeignKey("pbc_request.id")),
    Column("finding_id", Uuid, ForeignKey("finding.id")),  # revision 0007: a finding's objective evidence
    Column("workpaper_id", Uuid, ForeignKey("workpaper.id")),  # revision 0009
    Column("ipe_id", Uuid, ForeignKey("ipe_assessment.id")),  # revision 0009
    Column("ai_system_id", Uuid, ForeignKey("ai_system.id")),  # revision 0011
    *_tracked(),
    CheckConstraint(
        " + ".join(f"(CASE WHEN {name} IS NULL THEN 0 ELSE 1 END)" for name in LINK_TARGETS) + " = 1",
        name="one_target",
    ),
)

# One live link per evidence and target, and a fast "what supports this item" lookup.
for _target in LINK_TARGETS:
    _where = evidence_link.c[_target].is_not(None) & evidence_link.c.deleted_at.is_(None)
    Index(
        f"uq_evidence_link_{_target}",
        evidence_link.c[_target],
        evidence_link.c.evidence_id,
        unique=True,
        sqlite_where=_where,
    )

# --- populations and sampling (revision 0003) ----------------------------------------------------

population = Table(
    "population",
    metadata,
    _id(),
    Column("test_id", Uuid, ForeignKey("control_test.id"), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64)),
    Column("sheet_name", Text),
    Column("columns", JSON, nullable=False),
    Column("id_column", Text, nullable=False),
    Column("date_column", Text),
    Column("row_count", Integer, nullable=False),
    Column("imported_by", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
    *_tracked(),
)
_unique_live(population, "test_id")

# The rows of a population are its content, not records of their own: they go with it when it is
# replaced (its tombstone and history entry, with the source's SHA-256, stand for them).
population_row = Table(
    "population_row",
    metadata,
    Column("population_id", Uuid, ForeignKey("population.id", ondelete="CASCADE"), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("identifier", Text, nullable=False),
    Column("item_date", Date),
    Column("values", JSON, nullable=False),
)

# --- Subservice organizations and complementary controls (revision 0012_subservice) -------------------------
# JUDGEMENTS.md section 5: no organization at all is the "none" state (no subservice wording in the report).

#: A subservice organization: the services it provides, how the report treats it (carve-out or inclusive) and its
#: own SOC report as the auditor reviewed it.
subservice_organization = Table(
    "subservice_organization",
    metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("services", Text, nullable=False, server_default=""),
    Column("method", String(16), nullable=False),
    Column("assertion_received", Boolean, nullable=False, server_default="0"),  # inclusive: its own assertion
    Column("report_type", String(16)),  # its SOC report; None: none reviewed yet
    Column("report_start", Date),
    Column("report_end", Date),  # a Type 1 report's date
    Column("report_opinion", String(16)),
    Column("report_exceptions", Text, nullable=False, server_default=""),
    Column("reviewed_on", Date),
    Column("bridge_letter", Boolean, nullable=False, server_default="0"),
    *_tracked(),
    Column("predecessor_id", Uuid),  # rolled forward from (the prior period's file)
)
_unique_live(subservice_organization, "name")

#: Under the inclusive method, the controls in the report that the subservice organization performs.
control_subservice = Table(
    "control_subservice",
    metadata,
    Column("control_id", Uuid, ForeignKey("control.id"), primary_key=True),
    Column("organization_id", Uuid, ForeignKey("subservice_organization.id"), primary_key=True, index=True),
    *_tracked(),
)

#: A complementary user entity control (CUEC) or complementary subservice organization control (CSOC, with the
#: organization expected to perform it).
complementary_control = Table(
    "complementary_control",
    metadata,
    _id(),
    Column("ref", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("organization_id", Uuid, ForeignKey("subservice_organization.id"), index=True),
    *_tracked(),
    Column("predecessor_id", Uuid),  # rolled forward from (the prior period's file)
)
_unique_live(complementary_control, "ref")

#: The criteria a complementary control supports (Section IV lists it under each).
complementary_requirement = Table(
    "complementary_requirement",
    metadata,
    Column("complementary_id", Uuid, ForeignKey("complementary_control.id"), primary_key=True),
    Column("requirement_code", String(16), ForeignKey("requirement.code"), primary_key=True, index=True),
    *_tracked(),
)
