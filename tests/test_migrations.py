"""Schema changes only through Alembic: files made at every earlier revision upgrade intact."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.storage.database import make_engine
from app.storage.engagement_file import EngagementFile, create_engagement_file, open_engagement
from app.storage.migrations import CURRENT_REVISION, alembic_config, head_revision, script_directory
from app.storage.schema import metadata
from tests.conftest import PASSPHRASE

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


SEEDS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "0001": seed_0001,
    "0002": seed_0002,
    "0003": seed_0003,
    "0004": seed_0004,
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
            assert conn.exec_driver_sql("SELECT title FROM control").scalar_one() == "Change approval"
            assert conn.exec_driver_sql("SELECT identifier FROM sample_item").scalar_one() == "CHG-1"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
    again = open_engagement(path, passphrase)
    assert again.backup is None, "an up-to-date file is not backed up again"
    again.close()


def test_the_migrated_schema_is_the_schema_the_services_use(tmp_path: Path) -> None:
    path = tmp_path / "fresh.fieldwork"
    create_engagement_file(path, None, lambda db: None).close()
    engine = make_engine(path, None)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_going_back_to_0004_reopens_did_not_operate_conclusions(tmp_path: Path) -> None:
    """0004 does not know "did not operate": a file taken back is readable by it, with those tests open."""
    path = tmp_path / "back.fieldwork"
    make_old_file(path, "0004", None)
    db = open_engagement(path)  # upgraded to the head
    with db.writing() as conn:
        conn.exec_driver_sql("UPDATE control_test SET conclusion = 'not_operated'")
    with db.engine.connect() as conn, conn.begin():
        command.downgrade(alembic_config(conn), "0004")
    with db.reading() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
        assert conn.exec_driver_sql("SELECT conclusion FROM control_test").scalar_one() is None
    db.close()
