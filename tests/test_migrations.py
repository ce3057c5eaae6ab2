"""Schema changes only through Alembic: files made at every earlier revision upgrade intact."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from fieldwork.app.domain.ai_systems import AiSystemInput, ImpactAssessmentInput, LifeCycleStage
from fieldwork.app.domain.subservice import ComplementaryControl, ComplementaryKind, Subservice, SubserviceOrganization
from fieldwork.app.domain.vocabulary import EngagementStage, SubserviceTreatment
from fieldwork.app.domain.workpapers import WorkpaperFields, WorkpaperKind
from fieldwork.app.services import ai_systems as inventory
from fieldwork.app.services import evidence as evidence_service
from fieldwork.app.services import findings, subservice
from fieldwork.app.services.ai_systems import LinkKind
from fieldwork.app.services.history import changes
from fieldwork.app.services.impact_assessments import add_assessment
from fieldwork.app.services.stage import get_stage
from fieldwork.app.services.workpapers import insert_workpaper
from fieldwork.app.storage.chain import GENESIS, canonical_json, entry_hash
from fieldwork.app.storage.database import make_engine
from fieldwork.app.storage.engagement_file import EngagementFile, create_engagement_file, open_engagement
from fieldwork.app.storage.migrations import CURRENT_REVISION, alembic_config, head_revision, script_directory
from fieldwork.app.storage.schema import evidence, evidence_link, metadata, tickmark
from tests.conftest import PASSPHRASE

MIGRATION_0012 = script_directory().get_revision("0012_subservice").module
split_text, joined_text, NEW_TABLES = MIGRATION_0012.split_text, MIGRATION_0012.joined_text, MIGRATION_0012.NEW_TABLES

EARLIER = [s.revision for s in script_directory().walk_revisions() if s.revision != head_revision()]


def seed_0001(conn: sqlite3.Connection) -> None:
    """Records as Fieldwork 0001 wrote them: an engagement, a control, a test with one sample item."""
    conn.execute(
        "INSERT INTO engagement (id, client, system_name, report_type, period_start, period_end, tsc_categories)"
        " VALUES (1, 'Old Client', 'Old System', 'type2', '2025-01-01', '2025-12-31', '[\"Security\"]')"
    )
    conn.execute(
        "INSERT INTO requirement VALUES ('CC8.1', 'soc2', 'criterion', 'Change', 'd', NULL, 'Security', 'CC8', 1)"
    )
    conn.execute(
        "INSERT INTO control (id, ref, title, frequency, nature, control_type) "
        "VALUES (1, 'C-001', 'Change approval', 'on_occurrence', 'manual', 'preventive')"
    )
    conn.execute("INSERT INTO control_requirement VALUES (1, 'CC8.1')")
    conn.execute(
        "INSERT INTO control_test (id, ref, control_id, kind, methods) VALUES (1, 'C-001.T1', 1, 'operating', '[]')"
    )
    conn.execute(
        "INSERT INTO sample_item (id, test_id, seq, identifier, result) VALUES (1, 1, 1, 'CHG-1', 'no_exception')"
    )
    conn.execute("INSERT INTO fieldwork_meta VALUES ('engagement_id', 'old-file')")


def seed_0002(conn: sqlite3.Connection) -> None:
    seed_0001(conn)
    conn.execute("INSERT INTO pbc_request (id, ref, request) VALUES (1, 'PBC-001', 'Change tickets')")
    conn.execute("INSERT INTO evidence_blob VALUES (1, 'ab' || hex(zeroblob(31)), 5)")
    conn.execute("INSERT INTO evidence_chunk VALUES (1, 0, x'68656c6c6f')")
    conn.execute(
        "INSERT INTO evidence (id, ref, blob_id, original_name, media_type, attached_by, attached_at) "
        "VALUES (1, 'E-0001', 1, 'tickets.csv', 'text/csv', 'X', '2025-06-01T00:00:00+00:00')"
    )
    conn.execute("INSERT INTO evidence_link (evidence_id, sample_item_id) VALUES (1, 1)")


def seed_0003(conn: sqlite3.Connection) -> None:
    seed_0002(conn)
    conn.execute(
        "INSERT INTO population (id, test_id, source_name, columns, id_column, row_count, imported_by, imported_at)"
        " VALUES (1, 1, 'changes.csv', '[\"Change\"]', 'Change', 1, 'X', '2025-06-01T00:00:00+00:00')"
    )
    conn.execute("INSERT INTO population_row VALUES (1, 1, 'CHG-1', '2025-03-01', '[\"CHG-1\"]')")
    conn.execute("UPDATE sample_item SET population_row_no = 1")


def seed_0004(conn: sqlite3.Connection) -> None:
    seed_0003(conn)
    conn.execute("UPDATE engagement SET auditor_firm = 'Old Firm LLP', auditor_city = 'Leeds'")
    conn.execute("UPDATE control_test SET conclusion = 'no_exceptions'")


def seed_0005(conn: sqlite3.Connection) -> None:
    """Data in every table of revision 0005, so the change of keys (0006) is tried on all of them."""
    seed_0004(conn)
    conn.executescript(
        """
        INSERT INTO fieldwork_meta VALUES ('created_at', '2025-05-01T09:00:00+00:00');
        INSERT INTO requirement VALUES ('8', 'iso42001', 'clause', 'Operation', 'd', NULL, NULL, NULL, 2);
        INSERT INTO requirement VALUES ('8.1', 'iso42001', 'subclause', 'Planning', 'd', '8', NULL, NULL, 3);
        INSERT INTO requirement VALUES ('A.6', 'iso42001', 'annex_objective', 'Life cycle', 'd', NULL, NULL, NULL, 4);
        INSERT INTO requirement VALUES ('A.6.2.2', 'iso42001', 'annex_control', 'Design', 'd', 'A.6', NULL, NULL, 5);
        INSERT INTO person VALUES (1, 'Dana Reyes', 'DR', 'senior'), (2, 'Sam Ortiz', 'SO', 'manager');
        INSERT INTO tickmark VALUES ('a', 'Agreed'), ('x', 'Exception');
        INSERT INTO description_section VALUES ('DC1', 'Services provided'), ('DC2', '');
        INSERT INTO mapping VALUES (7, '8.1', 'CC8.1', 'intersect', 'Change planning', 'catalog', 1);
        INSERT INTO soa_line VALUES ('A.6.2.2', 0, 'No in-house design', NULL);
        INSERT INTO control (id, ref, title, frequency, nature, control_type)
            VALUES (2, 'C-002', 'Model release gate', 'on_occurrence', 'automated', 'preventive');
        INSERT INTO control_requirement VALUES (2, '8.1');
        INSERT INTO dismissed_suggestion VALUES (1, '8.1');
        INSERT INTO control_test (id, ref, control_id, kind, methods, conclusion)
            VALUES (2, 'C-002.T1', 2, 'design', '["inspection"]', 'exceptions');
        INSERT INTO sample_item (id, test_id, seq, identifier, result, tickmarks, deviation_text)
            VALUES (2, 1, 2, 'CHG-2', 'deviation', 'x', 'No approval');
        INSERT INTO deviation (id, test_id, description, iso_grade) VALUES (1, 2, 'Gate bypassed', 'minor');
        INSERT INTO evidence_link (evidence_id, control_id) VALUES (1, 2);
        INSERT INTO evidence_link (evidence_id, test_id) VALUES (1, 2);
        INSERT INTO evidence_link (evidence_id, pbc_request_id) VALUES (1, 1);
        UPDATE evidence SET pbc_request_id = 1;
        INSERT INTO history (at_utc, person, action, item_type, item_id, old_values, new_values) VALUES
            ('2025-06-01T00:00:00+00:00', 'X', 'create', 'control', '2', NULL, '{"ref": "C-002"}'),
            ('2025-06-01T00:00:01+00:00', 'X', 'create', 'control_requirement', '2/8.1', NULL, NULL),
            ('2025-06-01T00:00:02+00:00', 'X', 'create', 'evidence_blob', '1', NULL, NULL),
            ('2025-06-01T00:00:03+00:00', 'X', 'update', 'mapping', '7', '{"active": false}', '{"active": true}'),
            ('2025-06-01T00:00:04+00:00', 'X', 'create', 'population_row', '1/1', NULL, NULL),
            ('2025-06-01T00:00:05+00:00', 'X', 'update', 'tickmark', 'a', NULL, NULL);
        """
    )


def _hex(n: int) -> str:
    return uuid.UUID(int=(0x0190 << 112) | (0x7 << 76) | (0b10 << 62) | n).hex


def seed_0006(conn: sqlite3.Connection) -> None:
    """Revision 0006: UUID keys, ISO grades on deviations (one withdrawn), one opinion for the engagement."""
    c1, c2, t1, t2, i1, e1 = (_hex(n) for n in range(1, 7))
    conn.executescript(
        f"""
        INSERT INTO fieldwork_meta VALUES ('engagement_id', '6d1f3a0e-1b2c-4d5e-8f90-a1b2c3d4e5f6');
        INSERT INTO engagement (id, client, system_name, report_type, period_start, period_end, tsc_categories,
            opinion, opinion_basis)
            VALUES ('{_hex(99)}', 'Old Client', 'Old System', 'type2', '2025-01-01', '2025-12-31', '["Security"]',
            'qualified', 'CC8.1 was not met.');
        INSERT INTO requirement VALUES ('CC8.1', 'soc2', 'criterion', 'Change', 'd', NULL, 'Security', 'CC8', 1);
        INSERT INTO requirement VALUES ('8', 'iso42001', 'clause', 'Operation', 'd', NULL, NULL, NULL, 2);
        INSERT INTO requirement VALUES ('8.1', 'iso42001', 'subclause', 'Planning', 'd', '8', NULL, NULL, 3);
        INSERT INTO requirement VALUES ('A.6', 'iso42001', 'annex_objective', 'Life cycle', 'd', NULL, NULL, NULL, 4);
        INSERT INTO requirement VALUES ('A.6.2.5', 'iso42001', 'annex_control', 'Deploy', 'd', 'A.6', NULL, NULL, 5);
        INSERT INTO control (id, ref, title, frequency, nature, control_type)
            VALUES ('{c1}', 'C-001', 'Change approval', 'on_occurrence', 'manual', 'preventive'),
                   ('{c2}', 'C-002', 'Release gate', 'on_occurrence', 'automated', 'preventive');
        INSERT INTO control_requirement (control_id, requirement_code)
            VALUES ('{c1}', 'CC8.1'), ('{c1}', '8.1'), ('{c1}', 'A.6.2.5'), ('{c2}', '8.1');
        INSERT INTO control_test (id, ref, control_id, kind, methods, conclusion)
            VALUES ('{t1}', 'C-001.T1', '{c1}', 'operating', '[]', 'exceptions'),
                   ('{t2}', 'C-002.T1', '{c2}', 'operating', '[]', 'exceptions');
        INSERT INTO sample_item (id, test_id, seq, identifier, result)
            VALUES ('{i1}', '{t1}', 1, 'CHG-1', 'deviation');
        INSERT INTO deviation (id, test_id, description, iso_grade, deleted_at) VALUES
            ('{_hex(10)}', '{t1}', 'Deployed unapproved', 'major_nonconformity', NULL),
            ('{_hex(11)}', '{t1}', 'Second, conforming', 'conformity', NULL),
            ('{_hex(12)}', '{t2}', 'Gate skipped', 'minor_nonconformity', NULL),
            ('{_hex(13)}', '{t2}', 'Recorded by mistake', 'observation', '2025-06-01T00:00:00+00:00');
        INSERT INTO pbc_request (id, ref, request) VALUES ('{_hex(20)}', 'PBC-001', 'Change tickets');
        INSERT INTO evidence_blob VALUES ('ab' || hex(zeroblob(31)), 5, 1);
        INSERT INTO evidence_chunk VALUES (1, 0, x'68656c6c6f');
        INSERT INTO evidence (id, ref, blob_sha256, original_name, media_type, attached_by, attached_at)
            VALUES ('{e1}', 'E-0001', 'ab' || hex(zeroblob(31)), 'tickets.csv', 'text/csv', 'X', '2025-06-01');
        INSERT INTO evidence_link (id, evidence_id, sample_item_id) VALUES ('{_hex(30)}', '{e1}', '{i1}');
        INSERT INTO evidence_link (id, evidence_id, pbc_request_id) VALUES ('{_hex(31)}', '{e1}', '{_hex(20)}');
        INSERT INTO history SELECT replace(value, '-', ''), 1, '2025-06-01T00:00:00+00:00', 'X', 'create',
            'control', '{uuid.UUID(hex=c1)}', NULL, NULL FROM fieldwork_meta WHERE key = 'replica_id';
        """
    )


def seed_0007(conn: sqlite3.Connection) -> None:
    """Revision 0007: the judgement records, a typed status ("finalized"), evidence on a test, an item and a finding,
    and history from two copies of the file (two origins)."""
    c1, t1, i1, d1, f1, e1 = (_hex(n) for n in range(41, 47))
    other = _hex(77)
    conn.executescript(
        f"""
        INSERT INTO fieldwork_meta VALUES ('engagement_id', '6d1f3a0e-1b2c-4d5e-8f90-a1b2c3d4e5f7');
        INSERT INTO engagement (id, client, system_name, report_type, period_start, period_end, tsc_categories,
            status) VALUES ('{_hex(98)}', 'Old Client', 'Old System', 'type2', '2025-01-01', '2025-12-31',
            '["Security"]', 'finalized');
        INSERT INTO requirement VALUES ('CC8.1', 'soc2', 'criterion', 'Change', 'd', NULL, 'Security', 'CC8', 1);
        INSERT INTO requirement VALUES ('8', 'iso42001', 'clause', 'Operation', 'd', NULL, NULL, NULL, 2);
        INSERT INTO requirement VALUES ('8.1', 'iso42001', 'subclause', 'Planning', 'd', '8', NULL, NULL, 3);
        INSERT INTO description_section (code, text) VALUES ('DC4', 'Incidents');
        INSERT INTO control (id, ref, title, frequency, nature, control_type)
            VALUES ('{c1}', 'C-001', 'Change approval', 'on_occurrence', 'manual', 'preventive');
        INSERT INTO control_requirement (control_id, requirement_code) VALUES ('{c1}', 'CC8.1'), ('{c1}', '8.1');
        INSERT INTO control_test (id, ref, control_id, kind, methods, conclusion)
            VALUES ('{t1}', 'C-001.T1', '{c1}', 'operating', '[]', 'exceptions');
        INSERT INTO sample_item (id, test_id, seq, identifier, result) VALUES ('{i1}', '{t1}', 1, 'CHG-1', 'deviation');
        INSERT INTO deviation (id, ref, test_id, description, nature) VALUES
            ('{d1}', 'C-001.T1.D1', '{t1}', 'Deployed unapproved', 'override');
        INSERT INTO deviation_sample_item (deviation_id, sample_item_id) VALUES ('{d1}', '{i1}');
        INSERT INTO requirement_conclusion (requirement_code, conclusion, basis)
            VALUES ('CC8.1', 'met_with_exceptions', 'Isolated override.');
        INSERT INTO conclusion_deviation (requirement_code, deviation_id) VALUES ('CC8.1', '{d1}');
        INSERT INTO description_misstatement (id, ref, section, description) VALUES ('{_hex(48)}', 'M-001', 'DC4', 'x');
        INSERT INTO finding (id, ref, kind, statement) VALUES ('{f1}', 'F-001', 'minor_nonconformity', 'Not planned');
        INSERT INTO finding_requirement (finding_id, requirement_code) VALUES ('{f1}', '8.1');
        INSERT INTO finding_deviation (finding_id, deviation_id) VALUES ('{f1}', '{d1}');
        UPDATE opinion SET kind = 'qualified', basis = 'CC8.1' WHERE area = 'operation';
        INSERT INTO evidence_blob VALUES ('ab' || hex(zeroblob(31)), 5, 1);
        INSERT INTO evidence_chunk VALUES (1, 0, x'68656c6c6f');
        INSERT INTO evidence (id, ref, blob_sha256, original_name, media_type, attached_by, attached_at)
            VALUES ('{e1}', 'E-0001', 'ab' || hex(zeroblob(31)), 'ticket.csv', 'text/csv', 'X', '2025-06-01');
        INSERT INTO evidence_link (id, evidence_id, finding_id) VALUES ('{_hex(49)}', '{e1}', '{f1}');
        INSERT INTO evidence_link (id, evidence_id, sample_item_id) VALUES ('{_hex(50)}', '{e1}', '{i1}');
        INSERT INTO evidence_link (id, evidence_id, test_id) VALUES ('{_hex(51)}', '{e1}', '{t1}');
        INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values)
            SELECT replace(value, '-', ''), 4, '2025-06-01T00:00:00+00:00', 'X', 'create',
            'control', '{uuid.UUID(hex=c1)}', NULL, '{{"ref": "C-001", "when": "2025-06-01"}}'
            FROM fieldwork_meta WHERE key = 'replica_id';
        INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values)
            SELECT replace(value, '-', ''), 5, '2025-06-02T00:00:00+00:00', 'X', 'update',
            'control', '{uuid.UUID(hex=c1)}', '{{"title": "Old"}}', '{{"title": "Change approval"}}'
            FROM fieldwork_meta WHERE key = 'replica_id';
        INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values)
            VALUES ('{other}', 1, '2025-06-01T12:00:00+00:00', 'Y', 'create', 'finding',
            '{uuid.UUID(hex=f1)}', NULL, '{{"ref": "F-001"}}');
        """
    )


def _chain_history(conn: sqlite3.Connection) -> None:
    """Hash the seeded history as the app would have, lifting the append-only triggers for the seeding only."""
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'history'")
    saved = triggers.fetchall()
    for name, _ in saved:
        conn.execute(f"DROP TRIGGER {name}")
    names = ("origin", "seq", "at_utc", "person", "action", "item_type", "item_id", "old_values", "new_values")
    heads: dict[str, str] = {}
    for row in conn.execute(f"SELECT {', '.join(names)} FROM history ORDER BY origin, seq").fetchall():
        entry = dict(zip(names, row, strict=True))
        for field in ("old_values", "new_values"):
            entry[field] = json.loads(entry[field]) if entry[field] is not None else None
        prev = heads.get(entry["origin"], GENESIS)
        heads[entry["origin"]] = entry_hash(entry, prev)
        conn.execute(
            "UPDATE history SET prev_hash = ?, hash = ? WHERE origin = ? AND seq = ?",
            (prev, heads[entry["origin"]], entry["origin"], entry["seq"]),
        )
    for _, sql in saved:
        conn.execute(sql)


def seed_0008_review(conn: sqlite3.Connection) -> None:
    """Revision 0008_review: 0007's records with the history chained, a team member's sign-off and a review note."""
    seed_0007(conn)
    _chain_history(conn)
    person, control = _hex(60), _hex(41)
    conn.executescript(
        f"""
        INSERT INTO person (id, name, initials, role) VALUES ('{person}', 'Dana Reyes', 'DR', 'senior');
        INSERT INTO signoff (id, item_type, item_key, role, person_id, signed_at, content_hash, history_origin,
            history_seq, history_hash) VALUES ('{_hex(61)}', 'control', '{uuid.UUID(hex=control)}', 'preparer',
            '{person}', '2025-06-03T00:00:00+00:00', '{"0" * 64}', '{_hex(77)}', 1, '{"0" * 64}');
        INSERT INTO review_note (id, ref, item_type, item_key, text, raised_by, raised_at)
            VALUES ('{_hex(62)}', 'RN-001', 'control', '{uuid.UUID(hex=control)}', 'Who approves?', '{person}',
            '2025-06-03T00:00:00+00:00');
        """
    )


def seed_0009_workpapers(conn: sqlite3.Connection) -> None:
    """Revision 0009_workpapers: the records 0010 adds columns to (people, controls, tests, description, PBC,
    findings, evidence), with a tombstone among them."""
    c1, c2, t1, f1, e1, p1 = (_hex(n) for n in range(40, 46))
    conn.executescript(
        f"""
        INSERT INTO fieldwork_meta VALUES ('engagement_id', '7e2a4b1f-2c3d-4e5f-8a9b-b1c2d3e4f5a6');
        INSERT INTO engagement (id, client, system_name, report_type, period_start, period_end, tsc_categories)
            VALUES ('{_hex(99)}', 'Old Client', 'Old System', 'type2', '2025-01-01', '2025-12-31', '["Security"]');
        INSERT INTO person (id, name, initials, role) VALUES ('{p1}', 'Dana Reyes', 'DR', 'senior');
        INSERT INTO requirement VALUES ('CC8.1', 'soc2', 'criterion', 'Change', 'd', NULL, 'Security', 'CC8', 1);
        INSERT INTO requirement VALUES ('8', 'iso42001', 'clause', 'Operation', 'd', NULL, NULL, NULL, 2);
        INSERT INTO requirement VALUES ('8.1', 'iso42001', 'subclause', 'Planning', 'd', '8', NULL, NULL, 3);
        INSERT INTO description_section (code, text) VALUES ('DC1', 'Services provided'), ('DC2', '');
        INSERT INTO control (id, ref, title, frequency, nature, control_type, deleted_at)
            VALUES ('{c1}', 'C-001', 'Change approval', 'on_occurrence', 'manual', 'preventive', NULL),
                   ('{c2}', 'C-002', 'Withdrawn', 'annual', 'manual', 'preventive', '2025-05-01T00:00:00+00:00');
        INSERT INTO control_requirement (control_id, requirement_code) VALUES ('{c1}', 'CC8.1'), ('{c1}', '8.1');
        INSERT INTO control_test (id, ref, control_id, kind, methods, sample_size)
            VALUES ('{t1}', 'C-001.T1', '{c1}', 'operating', '["inspection"]', 25);
        INSERT INTO sample_item (id, test_id, seq, identifier, item_date, result)
            VALUES ('{_hex(47)}', '{t1}', 1, 'CHG-1', '2025-03-01', 'no_exception');
        INSERT INTO pbc_request (id, ref, request, due_date) VALUES ('{_hex(48)}', 'PBC-001', 'Tickets', '2026-01-20');
        INSERT INTO finding (id, ref, kind, statement) VALUES ('{f1}', 'F-001', 'minor_nonconformity', 'Late review');
        INSERT INTO finding_requirement (finding_id, requirement_code) VALUES ('{f1}', '8.1');
        INSERT INTO evidence_blob VALUES ('ab' || hex(zeroblob(31)), 5, 1);
        INSERT INTO evidence_chunk VALUES (1, 0, x'68656c6c6f');
        INSERT INTO evidence (id, ref, blob_sha256, original_name, media_type, attached_by, attached_at)
            VALUES ('{e1}', 'E-0001', 'ab' || hex(zeroblob(31)), 'policy.md', 'text/markdown', 'X', '2025-06-01');
        INSERT INTO evidence_link (id, evidence_id, control_id) VALUES ('{_hex(49)}', '{e1}', '{c1}');
        """
    )


def seed_0010_over_time(conn: sqlite3.Connection) -> None:
    """Revision 0010_over_time: a finding with objective evidence beside a control's and a sample item's evidence."""
    c1, t1, i1, e1, f1 = (_hex(n) for n in range(41, 46))
    conn.executescript(
        f"""
        INSERT INTO fieldwork_meta VALUES ('engagement_id', '7d1f3a0e-1b2c-4d5e-8f90-a1b2c3d4e5f7');
        INSERT INTO engagement (id, client, system_name, report_type, period_start, period_end, tsc_categories)
            VALUES ('{_hex(98)}', 'Old Client', 'Old System', 'type2', '2025-01-01', '2025-12-31', '["Security"]');
        INSERT INTO requirement VALUES ('8', 'iso42001', 'clause', 'Operation', 'd', NULL, NULL, NULL, 2);
        INSERT INTO requirement VALUES ('8.4', 'iso42001', 'subclause', 'Impact', 'd', '8', NULL, NULL, 3);
        INSERT INTO control (id, ref, title, frequency, nature, control_type)
            VALUES ('{c1}', 'C-001', 'Change approval', 'on_occurrence', 'manual', 'preventive');
        INSERT INTO control_requirement (control_id, requirement_code) VALUES ('{c1}', '8.4');
        INSERT INTO control_test (id, ref, control_id, kind, methods, conclusion)
            VALUES ('{t1}', 'C-001.T1', '{c1}', 'operating', '[]', 'exceptions');
        INSERT INTO sample_item (id, test_id, seq, identifier, result) VALUES ('{i1}', '{t1}', 1, 'CHG-1', 'deviation');
        INSERT INTO finding (id, ref, kind, statement) VALUES ('{f1}', 'F-001', 'major_nonconformity', 'Late');
        INSERT INTO finding_requirement (finding_id, requirement_code) VALUES ('{f1}', '8.4');
        INSERT INTO evidence_blob VALUES ('ab' || hex(zeroblob(31)), 5, 1);
        INSERT INTO evidence_chunk VALUES (1, 0, x'68656c6c6f');
        INSERT INTO evidence (id, ref, blob_sha256, original_name, media_type, attached_by, attached_at)
            VALUES ('{e1}', 'E-0001', 'ab' || hex(zeroblob(31)), 'release.pdf', 'application/pdf', 'X', '2025-06-01');
        INSERT INTO evidence_link (id, evidence_id, sample_item_id) VALUES ('{_hex(50)}', '{e1}', '{i1}');
        INSERT INTO evidence_link (id, evidence_id, control_id) VALUES ('{_hex(51)}', '{e1}', '{c1}');
        INSERT INTO evidence_link (id, evidence_id, finding_id, deleted_at)
            VALUES ('{_hex(52)}', '{e1}', '{f1}', '2025-06-02T00:00:00+00:00');
        INSERT INTO evidence_link (id, evidence_id, finding_id) VALUES ('{_hex(53)}', '{e1}', '{f1}');
        """
    )


def seed_0011_ai_systems(conn: sqlite3.Connection) -> None:
    """Revision 0011_ai_systems: 0010's records, an AI system linked to the control, and the subservice organization
    as the engagement's free text under the inclusive method."""
    seed_0010_over_time(conn)
    conn.executescript(
        f"""
        UPDATE engagement SET subservice_treatment = 'inclusive',
            subservice_organizations = 'Amazon Web Services, Inc. (hosting and storage)';
        INSERT INTO requirement VALUES ('CC6.2', 'soc2', 'criterion', 'Access', 'd', NULL, 'Security', 'CC6', 4);
        INSERT INTO ai_system (id, ref, name, roles, stage, models, datasets)
            VALUES ('{_hex(60)}', 'AI-01', 'Match Score', '[]', 'deployed', '[]', '[]');
        INSERT INTO control_ai_system (control_id, ai_system_id) VALUES ('{_hex(41)}', '{_hex(60)}');
        """
    )


#: History values as 0012 stored them (spaces after separators, keys in the order written, text as text), and an
#: entry of an engagement workpaper's checklist, a value with nested lists, quotes, a line break and a float.
HISTORY_0012 = (
    ("update", "control", {"title": "Old", "owner": "Zoë"}, {"title": "Change approval", "owner": 'Zoë "Z" Ng'}),
    ("create", "workpaper", None, {"ref": "A-100", "items": [{"q": "Who?\nWhen?", "weight": 2.5}, {"q": "✓"}]}),
    ("record", "engagement_file", None, None),
)


def seed_0012_subservice(conn: sqlite3.Connection) -> None:
    """Revision 0012_subservice: 0010's records, a subservice organization, history entries stored as 0012 stored
    them, chained, and a sign-off recording the head."""
    seed_0010_over_time(conn)
    conn.execute(
        "INSERT INTO subservice_organization (id, name, services, method) VALUES (?, 'AWS', 'hosting', 'inclusive')",
        (_hex(70),),
    )
    origin = uuid.UUID(conn.execute("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").fetchone()[0]).hex
    first = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM history WHERE origin = ?", (origin,)).fetchone()[0]
    for seq, (action, item_type, old, new) in enumerate(HISTORY_0012, start=first):
        conn.execute(
            "INSERT INTO history (origin, seq, at_utc, person, action, item_type, item_id, old_values, new_values) "
            "VALUES (?, ?, '2025-06-03T00:00:00.000001+00:00', 'Dana Reyes (DR)', ?, ?, ?, ?, ?)",
            (
                origin,
                seq,
                action,
                item_type,
                str(uuid.UUID(hex=_hex(41))),
                *(json.dumps(v, ensure_ascii=False) for v in (old, new)),
            ),
        )
    _chain_history(conn)
    seq, digest = conn.execute("SELECT seq, hash FROM history WHERE origin = ? ORDER BY seq DESC", (origin,)).fetchone()
    conn.execute("INSERT INTO person (id, name, initials, role) VALUES (?, 'Dana Reyes', 'DR', 'senior')", (_hex(71),))
    conn.execute(
        "INSERT INTO signoff (id, item_type, item_key, role, person_id, signed_at, content_hash, history_origin, "
        "history_seq, history_hash) VALUES (?, 'control', ?, 'preparer', ?, '2025-06-03T00:00:00+00:00', ?, ?, ?, ?)",
        (_hex(72), str(uuid.UUID(hex=_hex(41))), _hex(71), "0" * 64, origin, seq, digest),
    )


SEEDS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "0001": seed_0001,
    "0002": seed_0002,
    "0003": seed_0003,
    "0004": seed_0004,
    "0005": seed_0005,
    "0006": seed_0006,
    "0007": seed_0007,
    "0008_review": seed_0008_review,
    "0009_workpapers": seed_0009_workpapers,
    "0010_over_time": seed_0010_over_time,
    "0011_ai_systems": seed_0011_ai_systems,
    "0012_subservice": seed_0012_subservice,
}


def make_old_file(path: Path, revision: str, passphrase: str | None) -> None:
    def seed(db: EngagementFile) -> None:
        raw = db.engine.raw_connection()
        try:
            SEEDS[revision](raw.driver_connection)  # type: ignore[arg-type]
            raw.commit()
        finally:
            raw.close()

    create_engagement_file(path, passphrase, seed, revision=revision).close()


def downgrade(db: EngagementFile, revision: str) -> None:
    """Take a file back as Fieldwork takes one forward: foreign keys off for the table rebuilds, checked after."""
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        with conn.begin():
            command.downgrade(alembic_config(conn), revision)
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def test_the_current_revision_constant_is_the_newest_migration() -> None:
    assert head_revision() == CURRENT_REVISION


def test_every_earlier_revision_has_seed_data() -> None:
    assert EARLIER, "there are earlier revisions to upgrade from"
    assert set(EARLIER) <= set(SEEDS)


@pytest.mark.parametrize("revision", EARLIER)
@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_file_from_an_earlier_revision_is_backed_up_then_upgraded(
    tmp_path: Path, revision: str, passphrase: str | None
) -> None:
    path = tmp_path / f"old-{revision}.fieldwork"
    make_old_file(path, revision, passphrase)
    original = path.read_bytes()

    db = open_engagement(path, passphrase)
    try:
        assert db.backup is not None and db.backup.read_bytes() == original
        with db.reading() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            title = "SELECT title FROM control WHERE ref = 'C-001'"
            assert conn.exec_driver_sql(title).scalar_one() == "Change approval"
            assert conn.exec_driver_sql("SELECT identifier FROM sample_item WHERE seq = 1").scalar_one() == "CHG-1"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
    again = open_engagement(path, passphrase)
    assert again.backup is None, "an up-to-date file is not backed up again"
    again.close()


def test_the_migrated_schema_is_the_schema_the_services_use(tmp_path: Path) -> None:
    """A file taken through every migration, and a new file given the schema directly, both match it."""
    indexes = {}
    for name, revision in (("migrated", "head"), ("created", None)):
        path = tmp_path / f"{name}.fieldwork"
        create_engagement_file(path, None, lambda db: None, revision=revision).close()
        engine = make_engine(path, None)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert compare_metadata(context, metadata) == [], name
            assert context.get_current_revision() == CURRENT_REVISION, name
            found = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all()
            replica = conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").scalar()
        engine.dispose()
        assert uuid.UUID(replica), name
        indexes[name] = sorted((index, " ".join((sql or "").replace('"', "").split())) for index, sql in found)
    assert indexes["created"] == indexes["migrated"], "the same indexes, partial ones with the same condition"


def test_going_back_to_0004_reopens_did_not_operate_conclusions(tmp_path: Path) -> None:
    """0004 does not know "did not operate": a file taken back is readable by it, with those tests open."""
    path = tmp_path / "back.fieldwork"
    make_old_file(path, "0004", None)
    db = open_engagement(path)  # upgraded to the head
    with db.writing() as conn:
        conn.exec_driver_sql("UPDATE control_test SET conclusion = 'not_operated'")
    downgrade(db, "0004")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
        assert conn.exec_driver_sql("SELECT conclusion FROM control_test").scalar_one() is None
    db.close()


MIGRATED = "Fieldwork (migration 0007)"

# --- 0006: integer keys become UUIDs ---------------------------------------------------------------

#: What the engagement holds, named the way people name it (references, codes), never by key: the same
#: before and after a change of keys. Queries for 0005 and for 0006 differ only in the evidence columns.
CONTENT = {
    "controls": "SELECT ref, title, frequency, is_key FROM control {live} ORDER BY ref",
    "links": "SELECT c.ref, l.requirement_code FROM control_requirement l JOIN control c ON c.id = l.control_id "
    "{live_l} ORDER BY 1, 2",
    "dismissed": "SELECT c.ref, d.requirement_code FROM dismissed_suggestion d JOIN control c ON c.id = d.control_id"
    " ORDER BY 1, 2",
    "tests": "SELECT t.ref, c.ref, t.kind, t.methods, t.conclusion FROM control_test t "
    "JOIN control c ON c.id = t.control_id ORDER BY 1",
    "items": "SELECT t.ref, i.seq, i.identifier, i.result, i.tickmarks, i.population_row_no FROM sample_item i "
    "JOIN control_test t ON t.id = i.test_id ORDER BY 1, 2",
    "deviations": "SELECT t.ref, d.description, {grade} FROM deviation d JOIN control_test t ON t.id = d.test_id",
    "people": "SELECT name, initials, role FROM person ORDER BY initials",
    "tickmarks": "SELECT symbol, meaning FROM tickmark ORDER BY symbol",
    "description": "SELECT code, text FROM description_section ORDER BY code",
    "mappings": "SELECT iso_code, soc2_code, relationship, rationale, origin, active FROM mapping ORDER BY 1, 2",
    "soa": "SELECT annex_code, included, justification FROM soa_line ORDER BY 1",
    "pbc": "SELECT ref, request, status FROM pbc_request ORDER BY ref",
    "evidence": "SELECT e.ref, b.sha256, b.size, e.original_name, p.ref FROM evidence e "
    "JOIN evidence_blob b ON {blob_join} LEFT JOIN pbc_request p ON p.id = e.pbc_request_id ORDER BY 1",
    "evidence links": "SELECT e.ref, c.ref, t.ref, i.identifier, p.ref FROM evidence_link l "
    "JOIN evidence e ON e.id = l.evidence_id LEFT JOIN control c ON c.id = l.control_id "
    "LEFT JOIN control_test t ON t.id = l.test_id LEFT JOIN sample_item i ON i.id = l.sample_item_id "
    "LEFT JOIN pbc_request p ON p.id = l.pbc_request_id ORDER BY 1, 2, 3, 4, 5",
    "chunks": "SELECT b.sha256, k.seq, k.data FROM evidence_chunk k JOIN evidence_blob b ON {chunk_join} ORDER BY 1, 2",
    "populations": "SELECT t.ref, p.source_name, p.row_count FROM population p JOIN control_test t ON t.id = p.test_id",
    "population rows": "SELECT t.ref, r.row_no, r.identifier, r.item_date FROM population_row r "
    "JOIN population p ON p.id = r.population_id JOIN control_test t ON t.id = p.test_id ORDER BY 1, 2",
    # the values, in whatever JSON form they are stored (0013 stores them in the canonical one)
    "history": "SELECT at_utc, person, action, item_type, json(old_values), json(new_values) FROM history "
    f"WHERE person != '{MIGRATED}' ORDER BY at_utc, seq",
    "engagement": "SELECT client, system_name, auditor_firm FROM engagement",
}
UUID_KEYED = {
    "blob_join": "b.sha256 = e.blob_sha256",
    "chunk_join": "b.chunk_key = k.chunk_key",
    "live": "WHERE deleted_at IS NULL",
    "live_l": "WHERE l.deleted_at IS NULL",
}
JOINS = {
    "0005": {
        "blob_join": "b.id = e.blob_id",
        "chunk_join": "b.id = k.blob_id",
        "live": "",
        "live_l": "",
        "grade": "d.iso_grade",
    },
    "0006": {**UUID_KEYED, "grade": "d.iso_grade"},
    # From 0007 an ISO grade is a finding's kind, the finding linked to the deviation it came from.
    "0007": {
        **UUID_KEYED,
        "grade": "(SELECT f.kind FROM finding_deviation l JOIN finding f ON f.id = l.finding_id "
        "WHERE l.deviation_id = d.id)",
    },
}
JOINS["0009_workpapers"] = JOINS["0010_over_time"] = JOINS["0011_ai_systems"] = JOINS["0007"]  # none change these


def content(conn: sqlite3.Connection, revision: str) -> dict[str, list[tuple[object, ...]]]:
    joins = JOINS.get(revision, JOINS["0007"])  # later revisions keep 0007's shape for these queries
    return {name: conn.execute(sql.format(**joins)).fetchall() for name, sql in CONTENT.items()}


def raw_content(db: EngagementFile, revision: str) -> dict[str, list[tuple[object, ...]]]:
    raw = db.engine.raw_connection()
    try:
        return content(raw.driver_connection, revision)  # type: ignore[arg-type]
    finally:
        raw.close()


def old_file_and_content(tmp_path: Path) -> tuple[Path, dict[str, list[tuple[object, ...]]]]:
    """A 0005 file with data in every table, and what it holds."""
    path = tmp_path / "old.fieldwork"
    make_old_file(path, "0005", None)
    before = sqlite3.connect(path)
    try:
        return path, content(before, "0005")
    finally:
        before.close()


def test_uuid_keys_keep_every_record_reference_and_link(tmp_path: Path) -> None:
    path, expected = old_file_and_content(tmp_path)
    assert all(expected.values()), "the seed has rows in every table"

    db = open_engagement(path)
    try:
        assert raw_content(db, CURRENT_REVISION) == expected
        with db.reading() as conn:
            keys = conn.exec_driver_sql("SELECT id FROM control ORDER BY ref").scalars().all()
            items = conn.exec_driver_sql("SELECT DISTINCT item_id FROM history WHERE item_type = 'control'").all()
            replica = conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").scalar_one()
        assert [uuid.UUID(hex=key).version for key in keys] == [7, 7]
        assert keys == sorted(keys), "records keep the order they were made in"
        assert (str(uuid.UUID(hex=keys[1])),) in items, "the history names the control by its new key"
        assert uuid.UUID(replica)
    finally:
        db.close()


def test_copies_of_one_file_upgraded_apart_agree_on_their_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.fieldwork"
    make_old_file(path, "0005", None)
    copy = tmp_path / "copy.fieldwork"
    copy.write_bytes(path.read_bytes())
    keys = []
    replicas = set()
    for each in (path, copy):
        db = open_engagement(each)
        with db.reading() as conn:
            both = "SELECT ref, id FROM control UNION ALL SELECT ref, id FROM evidence"
            keys.append(conn.exec_driver_sql(both).all())
            replicas.add(conn.exec_driver_sql("SELECT value FROM fieldwork_meta WHERE key = 'replica_id'").scalar())
        db.close()
    assert keys[0] == keys[1]
    assert len(replicas) == 2, "each copy numbers its new history entries under an origin of its own"


def test_going_back_to_0005_keeps_every_live_record(tmp_path: Path) -> None:
    path, expected = old_file_and_content(tmp_path)
    db = open_engagement(path)
    with changes(db) as ch:
        ch.delete(tickmark, {"symbol": "a"})  # a tombstone: 0005 has none, so the record goes
    expected["tickmarks"] = [mark for mark in expected["tickmarks"] if mark[0] != "a"]
    downgrade(db, "0005")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0005"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    found = raw_content(db, "0005")
    db.close()
    *kept, deletion = found.pop("history")
    assert kept == expected.pop("history") and deletion[2:4] == ("delete", "tickmark"), "every entry, in order"
    assert found == expected


# --- 0007: ISO grades become findings; the opinion is judged per area --------------------------------


def test_iso_grades_become_one_finding_each_against_the_iso_requirements(tmp_path: Path) -> None:
    path = tmp_path / "graded.fieldwork"
    make_old_file(path, "0006", None)
    db = open_engagement(path)
    try:
        with db.reading() as conn:
            findings = conn.exec_driver_sql(
                "SELECT f.ref, f.kind, f.statement, d.ref FROM finding f "
                "JOIN finding_deviation l ON l.finding_id = f.id JOIN deviation d ON d.id = l.deviation_id "
                "ORDER BY f.ref"
            ).all()
            against = conn.exec_driver_sql(
                "SELECT f.ref, r.requirement_code FROM finding_requirement r JOIN finding f ON f.id = r.finding_id "
                "ORDER BY 1, 2"
            ).all()
            opinions = conn.exec_driver_sql("SELECT area, kind, basis FROM opinion ORDER BY area").all()
            created = conn.exec_driver_sql(
                "SELECT item_type, count(*) FROM history WHERE person = ? GROUP BY item_type", (MIGRATED,)
            ).all()
            deviations = conn.exec_driver_sql("SELECT ref FROM deviation ORDER BY ref").scalars().all()
    finally:
        db.close()
    assert findings == [
        ("F-001", "major_nonconformity", "Deployed unapproved", "C-001.T1.D1"),
        ("F-002", "minor_nonconformity", "Gate skipped", "C-002.T1.D1"),
    ], "conformity is no finding, and a withdrawn deviation raises none"
    assert against == [("F-001", "8.1"), ("F-001", "A.6.2.5"), ("F-002", "8.1")], "ISO requirements only"
    assert opinions == [(area, "qualified", "CC8.1 was not met.") for area in ("description", "design", "operation")]
    assert sorted(created) == [("finding", 2), ("opinion", 3)]
    assert deviations == ["C-001.T1.D1", "C-001.T1.D2", "C-002.T1.D1", "C-002.T1.D2"]


def test_going_back_to_0006_puts_the_grades_back_on_their_deviations(tmp_path: Path) -> None:
    path = tmp_path / "graded.fieldwork"
    make_old_file(path, "0006", None)
    db = open_engagement(path)
    downgrade(db, "0006")
    with db.reading() as conn:
        grades = conn.exec_driver_sql("SELECT description, iso_grade FROM deviation ORDER BY description").all()
        opinion = conn.exec_driver_sql("SELECT opinion, opinion_basis FROM engagement").one()
        links = conn.exec_driver_sql("SELECT count(*) FROM evidence_link").scalar_one()
    db.close()
    assert grades == [
        ("Deployed unapproved", "major_nonconformity"),
        ("Gate skipped", "minor_nonconformity"),
        ("Recorded by mistake", None),
        ("Second, conforming", None),
    ]
    assert tuple(opinion) == ("qualified", "CC8.1 was not met.")
    assert links == 2


# --- 0008_review: the history's hash chain ---------------------------------------------------------


def test_the_existing_history_is_chained_once_per_origin_and_then_verifies(tmp_path: Path) -> None:
    from fieldwork.app.services.history import changes
    from fieldwork.app.services.verify import verify

    path = tmp_path / "chained.fieldwork"
    make_old_file(path, "0007", None)
    db = open_engagement(path)
    try:
        with db.reading() as conn:
            rows = conn.exec_driver_sql("SELECT origin, seq, prev_hash, hash FROM history ORDER BY origin, seq").all()
        assert len({origin for origin, *_ in rows}) == 2
        for origin in {origin for origin, *_ in rows}:
            chain = [(prev, digest) for o, _seq, prev, digest in rows if o == origin]
            assert chain[0][0] == "" and all(len(digest) == 64 for _, digest in chain)
            assert all(chain[n][0] == chain[n - 1][1] for n in range(1, len(chain))), "each follows the one before"
        with changes(db) as ch:
            ch.record("export", "engagement_file", "chained.fieldwork")
        [chained] = [found for found in verify(db) if found.check == "history"]
        assert chained.ok and "The history's hash chain holds" in chained.detail
        with pytest.raises(Exception, match="append-only"), db.writing() as conn:
            conn.exec_driver_sql("UPDATE history SET person = 'Someone else'")
        with pytest.raises(Exception, match="append-only"), db.writing() as conn:
            conn.exec_driver_sql("DELETE FROM history")
    finally:
        db.close()


# --- 0009_workpapers: workpapers and IPE; the engagement's stage derived, not typed -----------------------


def test_a_typed_finalized_status_goes_and_the_history_says_so_in_its_chain(tmp_path: Path) -> None:
    """A typed "finalized" was never verified nor read-only: the file is not finalized until finalizing runs."""
    from fieldwork.app.services.verify import verify

    path = tmp_path / "typed.fieldwork"
    make_old_file(path, "0007", None)
    db = open_engagement(path)
    try:
        with db.reading() as conn:
            columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(engagement)")]
            required = conn.exec_driver_sql("SELECT require_ipe FROM engagement").scalar_one()
            recorded = conn.exec_driver_sql(
                "SELECT old_values, new_values FROM history WHERE person = 'Fieldwork (migration 0009_workpapers)'"
            ).all()
            links = conn.exec_driver_sql("SELECT count(*) FROM evidence_link WHERE finding_id IS NOT NULL").scalar()
        stage = get_stage(db)
        [chain] = [found for found in verify(db) if found.check == "history"]
    finally:
        db.close()
    assert "status" not in columns and required
    assert [(json.loads(old), json.loads(new)) for old, new in recorded] == [
        ({"status": "finalized"}, {"status": None})
    ]
    assert stage.stage is EngagementStage.COMPLETION, "every test concluded, but nothing finalized it"
    assert chain.ok, chain.detail
    assert links == 1, "the finding's evidence link is kept through the rebuild of the links"


def test_going_back_to_0007_types_the_status_again_and_drops_the_workpapers(tmp_path: Path) -> None:
    path = tmp_path / "typed.fieldwork"
    make_old_file(path, "0007", None)
    db = open_engagement(path)
    with changes(db) as ch:
        made = insert_workpaper(ch, WorkpaperFields("A-100", "Acceptance", WorkpaperKind.CHECKLIST), items=["Q?"])
        blob = ch.conn.execute(select(evidence.c.id)).scalar_one()
        ch.insert(evidence_link, {"evidence_id": blob, "workpaper_id": made})
    downgrade(db, "0007")
    with db.reading() as conn:
        status = conn.exec_driver_sql("SELECT status FROM engagement").scalar_one()
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
        links = conn.exec_driver_sql("SELECT count(*) FROM evidence_link").scalar_one()
    db.close()
    assert status == "fieldwork", "a concluded test: fieldwork had begun"
    assert not tables & {"workpaper", "workpaper_item", "ipe_assessment"}
    assert links == 3, "the links of 0007 stay; the workpaper's goes with it"


# --- 0010: controls over time, test windows and rounds, roll-forward's predecessors ---------------------

OVER_TIME = (
    "SELECT c.ref, c.effective_from, c.effective_to, c.replaces_id, c.predecessor_id, t.ref, t.window_start, "
    "t.window_end, t.round, t.predecessor_id FROM control c LEFT JOIN control_test t ON t.control_id = c.id "
    "ORDER BY c.ref"
)


def test_0010_upgrades_a_file_with_data_leaving_every_new_column_empty(tmp_path: Path) -> None:
    path = tmp_path / "0009.fieldwork"
    make_old_file(path, "0009_workpapers", None)
    before = sqlite3.connect(path)
    expected = content(before, "0009_workpapers")
    before.close()
    db = open_engagement(path)
    try:
        assert raw_content(db, CURRENT_REVISION) == expected
        with db.reading() as conn:
            rows = conn.exec_driver_sql(OVER_TIME).all()
            flags = conn.exec_driver_sql("SELECT code, to_update FROM description_section ORDER BY code").all()
            rolled = [
                conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE predecessor_id IS NOT NULL").scalar_one()
                for table in ("person", "pbc_request", "finding", "evidence")
            ]
    finally:
        db.close()
    assert rows == [
        ("C-001", None, None, None, None, "C-001.T1", None, None, None, None),
        ("C-002", None, None, None, None, None, None, None, None, None),
    ]
    assert flags == [("DC1", 0), ("DC2", 0)] and rolled == [0, 0, 0, 0]


def test_going_back_to_0009_keeps_every_record_and_drops_the_dates(tmp_path: Path) -> None:
    path = tmp_path / "0009.fieldwork"
    make_old_file(path, "0009_workpapers", None)
    db = open_engagement(path)
    with db.writing() as conn:
        conn.exec_driver_sql(
            "UPDATE control SET effective_from = '2025-04-01', "
            "replaces_id = (SELECT id FROM control WHERE ref = 'C-002') WHERE ref = 'C-001'"
        )
        conn.exec_driver_sql("UPDATE control_test SET round = 'interim', window_end = '2025-09-30'")
        conn.exec_driver_sql("UPDATE description_section SET to_update = 1")
    expected = raw_content(db, CURRENT_REVISION)
    downgrade(db, "0009_workpapers")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0009_workpapers"
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(control)").all()}
        indexes = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'uq_control_ref'").scalar_one()
    found = raw_content(db, "0009_workpapers")
    db.close()
    assert found == expected
    assert "effective_from" not in columns and "replaces_id" not in columns
    assert "WHERE deleted_at IS NULL" in indexes, "references stay unique among live controls only"
    again = open_engagement(path)  # and forward once more
    again.close()


# --- 0011_ai_systems: the AI system inventory, its links, impact assessments, fairness results -------------

LINKS = "SELECT id, control_id, sample_item_id, finding_id, deleted_at FROM evidence_link ORDER BY id"


def _with_an_ai_system(db: EngagementFile) -> None:
    """Through the services: a system linked to the control, its evidence and an impact assessment."""
    system = inventory.create_system(
        db, AiSystemInput("Release Gate Model", stage=LifeCycleStage.DEPLOYED, deployed_on=date(2025, 3, 1))
    )
    with db.reading() as conn:
        control_id = conn.exec_driver_sql("SELECT id FROM control").scalar_one()
        evidence_id = conn.exec_driver_sql("SELECT id FROM evidence").scalar_one()
    inventory.link_system(db, system.id, LinkKind.CONTROL, [uuid.UUID(hex=control_id)])
    target = evidence_service.Link(evidence_service.LinkKind.AI_SYSTEM, system.id)
    evidence_service.link_evidence(db, uuid.UUID(hex=evidence_id), target)
    add_assessment(db, system.id, ImpactAssessmentInput(date(2025, 2, 1), "Risk office"))


def test_a_0010_file_keeps_every_evidence_link_and_takes_ai_systems(tmp_path: Path) -> None:
    path = tmp_path / "0010.fieldwork"
    make_old_file(path, "0010_over_time", None)
    before = sqlite3.connect(path)
    try:
        expected = before.execute(LINKS).fetchall()
    finally:
        before.close()
    db = open_engagement(path)
    try:
        with db.reading() as conn:
            assert conn.exec_driver_sql(LINKS).all() == expected and len(expected) == 4
            assert conn.exec_driver_sql("SELECT count(*) FROM ai_system").scalar_one() == 0
        _with_an_ai_system(db)
        (system,) = inventory.list_systems(db)
        assert system.controls == ("C-001",) and system.evidence == ("E-0001",)
        assert findings.list_findings(db)[0].evidence == ("E-0001",), "the finding keeps its objective evidence"
    finally:
        db.close()


def test_going_back_to_0010_drops_the_ai_systems_and_keeps_every_other_link(tmp_path: Path) -> None:
    path = tmp_path / "0010.fieldwork"
    make_old_file(path, "0010_over_time", None)
    db = open_engagement(path)
    with db.reading() as conn:
        expected = conn.exec_driver_sql(LINKS).all()
    _with_an_ai_system(db)
    downgrade(db, "0010_over_time")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0010_over_time"
        assert conn.exec_driver_sql(LINKS).all() == expected
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    db.close()
    assert not tables & {"ai_system", "control_ai_system", "impact_assessment", "fairness_result"}


def test_0012_makes_the_subservice_text_one_organization_under_the_engagements_method(tmp_path: Path) -> None:
    path = tmp_path / "0011.fieldwork"
    make_old_file(path, "0011_ai_systems", None)
    db = open_engagement(path)
    try:
        (found,) = subservice.list_subservice(db).organizations
        assert (found.name, found.services) == ("Amazon Web Services, Inc.", "hosting and storage")
        assert found.method is SubserviceTreatment.INCLUSIVE and not found.assertion_received
        assert inventory.list_systems(db)[0].controls == ("C-001",), "0011's records are kept"
        subservice.set_performed_controls(db, found.id, ["C-001"])  # type: ignore[arg-type]
        assert subservice.list_subservice(db).organizations[0].controls == ("C-001",)
    finally:
        db.close()


@pytest.mark.parametrize(
    ("text", "name", "services"),
    [
        ("Okta, Inc. (identity)", "Okta, Inc.", "identity"),
        ("Stripe", "Stripe", ""),
        ("AWS (hosting) and GCP (backups) as carve-outs", "AWS", "AWS (hosting) and GCP (backups) as carve-outs"),
        ("Line one: hosting\nline two", "Line one", "Line one: hosting\nline two"),
    ],
)
def test_text_that_cannot_be_split_is_kept_whole_as_the_services(text: str, name: str, services: str) -> None:
    assert split_text(text) == (name, services)
    assert split_text(joined_text([split_text(text)])) == (name, services), "the downgrade writes it back"


def test_without_subservice_text_there_is_no_organization(tmp_path: Path) -> None:
    path = tmp_path / "0010.fieldwork"
    make_old_file(path, "0010_over_time", None)
    db = open_engagement(path)
    try:
        assert subservice.list_subservice(db) == Subservice(), "no text: the none state"
    finally:
        db.close()


def test_going_back_to_0011_writes_the_organizations_back_as_text(tmp_path: Path) -> None:
    path = tmp_path / "0011.fieldwork"
    make_old_file(path, "0011_ai_systems", None)
    db = open_engagement(path)
    subservice.add_organization(db, SubserviceOrganization("Okta, Inc.", "identity", SubserviceTreatment.CARVE_OUT))
    cuec = ComplementaryControl(ComplementaryKind.CUEC, "User entities review access.", ("CC6.2",))
    subservice.add_complementary(db, cuec)
    downgrade(db, "0011_ai_systems")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0011_ai_systems"
        row = conn.exec_driver_sql("SELECT subservice_treatment, subservice_organizations FROM engagement").one()
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
        assert conn.exec_driver_sql("SELECT count(*) FROM control_ai_system").scalar_one() == 1
    db.close()
    assert tuple(row) == ("inclusive", "Amazon Web Services, Inc. (hosting and storage)\nOkta, Inc. (identity)")
    assert not tables & set(NEW_TABLES)
    again = open_engagement(path)
    try:
        names = [o.name for o in subservice.list_subservice(again).organizations]
        assert names == ["Amazon Web Services, Inc."], "two organizations come back as one text, kept whole"
        assert "Okta, Inc. (identity)" in subservice.list_subservice(again).organizations[0].services
    finally:
        again.close()


# --- 0013_history_canonical: the history's values stored in the form its hashes cover ------------------------------

HISTORY_ROWS = "SELECT origin, seq, old_values, new_values, prev_hash, hash FROM history ORDER BY origin, seq"


def _history_rows(path: Path) -> list[tuple[object, ...]]:
    found = sqlite3.connect(path)
    try:
        return found.execute(HISTORY_ROWS).fetchall()
    finally:
        found.close()


def _history_finding(db: EngagementFile) -> tuple[bool, str]:
    from fieldwork.app.services.verify import verify

    [found] = [f for f in verify(db) if f.check == "history"]
    return found.ok, found.detail


def test_0013_stores_each_value_in_the_form_its_hash_covers_and_the_chain_still_verifies(tmp_path: Path) -> None:
    from fieldwork.app.services.history_chain import COMPOSED

    path = tmp_path / "0012.fieldwork"
    make_old_file(path, "0012_subservice", None)
    before = _history_rows(path)
    db = open_engagement(path)
    try:
        after = _history_rows(path)
        with db.reading() as conn:
            composed = conn.exec_driver_sql(COMPOSED).all()
        assert _history_finding(db)[0], "0012's chain verifies in the new form"
        with pytest.raises(Exception, match="append-only"), db.writing() as conn:
            conn.exec_driver_sql("UPDATE history SET old_values = NULL")
        with db.writing() as conn:
            conn.exec_driver_sql("DROP TRIGGER history_no_update")
            conn.exec_driver_sql("UPDATE history SET new_values = replace(new_values, 'Ng', 'Ny')")
        ok, detail = _history_finding(db)
    finally:
        db.close()
    assert [row[4:] for row in after] == [row[4:] for row in before], "every hash and link as it was"
    for (*_, old, new, _prev, _digest), (*_, was_old, was_new, _, _) in zip(after, before, strict=True):
        for stored, was in ((old, was_old), (new, was_new)):
            assert stored == (None if was is None else canonical_json(json.loads(was)))
    assert any(row[2:4] != was[2:4] for row, was in zip(after, before, strict=True)), "0012's form was rewritten"
    assert all(hashlib.sha256(text).hexdigest() == digest and trusted for *_, digest, text, trusted in composed)
    changed = next(seq for _origin, seq, _old, new, *_ in after if new and "Ng" in new)
    assert not ok and f"history entry {changed} " in detail and "content changed" in detail


def test_going_back_to_0012_keeps_the_history_verifying_and_it_upgrades_again(tmp_path: Path) -> None:
    path = tmp_path / "0012.fieldwork"
    make_old_file(path, "0012_subservice", None)
    db = open_engagement(path)
    with changes(db) as ch:
        ch.record("export", "engagement_file", "after 0013")
    downgrade(db, "0012_subservice")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0012_subservice"
    assert _history_finding(db)[0], "0012 reads the canonical text as the same values"
    db.close()
    again = open_engagement(path)
    try:
        assert again.backup is not None, "a 0012 file again, upgraded again"
        assert _history_finding(again)[0]
    finally:
        again.close()
