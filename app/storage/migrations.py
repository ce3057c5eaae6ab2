"""Bring a file's schema to this build's revision with Alembic, run from code.

Guard, back up, upgrade: a file from a newer Fieldwork is refused before anything is
touched; an older one is copied aside first, then upgraded in one transaction.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from fieldwork.app.errors import NewerVersionError
from fieldwork.app.resources import migrations_path

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The newest revision in db/migrations (a test keeps the two equal). Opening an
#: up-to-date file compares with this and never loads Alembic, which halves start-up.
CURRENT_REVISION = "0013_history_canonical"


def is_current(revision: str | None) -> bool:
    return revision == CURRENT_REVISION


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in script_directory().walk_revisions()}


def check_not_newer(path: Path, revision: str | None) -> None:
    if revision is not None and not is_current(revision) and revision not in known_revisions():
        raise NewerVersionError(
            path,
            "was created by a newer version of Fieldwork; install the latest version to open it.",
        )


def backup_before_upgrade(path: Path, revision: str | None) -> Path:
    """Copy the file aside (bytes as they are, so an encrypted file stays encrypted)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.backup-{revision or 'empty'}-{stamp}")
    shutil.copy2(path, backup)
    return backup


def create_current(engine: Engine) -> None:
    """Give a new, empty file this build's schema directly, stamped with its revision, and a replica id.

    Running every migration on an empty file gives the same schema (a test checks both against
    `schema.metadata`) but loads Alembic and its scripts, about half a second, for each new file. The
    version table is the one Alembic makes, so later upgrades take the file from here.
    """
    from fieldwork.app.storage.schema import metadata

    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
        conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (CURRENT_REVISION,))
        conn.exec_driver_sql("INSERT INTO fieldwork_meta (key, value) VALUES ('replica_id', ?)", (str(uuid.uuid4()),))


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run the migrations with foreign keys off (batch table rebuilds), then check them."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or SQLite ignores it
        try:
            with conn.begin():
                from alembic import command

                command.upgrade(alembic_config(conn), target)
                problems = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                if problems:
                    raise RuntimeError(f"migration left broken references: {problems[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
