"""records keyed by UUIDs, deleted by tombstones, versioned; history numbered per origin

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:00:00

Copies of one engagement will be merged (matching rows by primary key), so integer keys numbered
highest-plus-one cannot stay: two copies make two different C-080s with the same id. Every record made in
the engagement is now keyed by a UUID, carries a row version and is deleted by a tombstone (`deleted_at`);
natural keys stay where every copy shares them (requirement and Annex A codes, tickmark symbols,
description headings, a crosswalk pair); evidence content is keyed by its SHA-256. History entries are
numbered per origin (the copy of the file they were made in).

An existing record's UUID is derived from the engagement's id and its old key, so two copies of one file
upgraded apart give their common records the same UUIDs; the UUID's time field is the file's creation time
plus the old key in milliseconds, so records keep the order they were made in. The existing history keeps
its order under an origin derived the same way; this copy's new entries get an origin of their own.

Evidence bytes are not rewritten: chunks keep their local key, renamed `chunk_key`.
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose integer `id` becomes a UUID, in the order they are rebuilt.
KEYED = (
    "engagement",
    "person",
    "control",
    "control_test",
    "sample_item",
    "deviation",
    "pbc_request",
    "evidence",
    "evidence_link",
    "population",
)
#: Every table rebuilt (the keyed ones, those that gain a version and tombstone, and the history).
REBUILT = (
    *KEYED,
    "tickmark",
    "description_section",
    "mapping",
    "control_requirement",
    "dismissed_suggestion",
    "soa_line",
    "population_row",
    "history",
    "evidence_blob",
)
NEW = "{}__new"


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _new_tables() -> None:
    """The tables as revision 0006 has them, under `NEW` names until the old ones are gone."""
    op.create_table(
        NEW.format("engagement"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("system_name", sa.Text(), nullable=False),
        sa.Column("report_type", sa.String(length=16), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("tsc_categories", sa.JSON(), nullable=False),
        sa.Column("iso_scope", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="planning", nullable=False),
        sa.Column("report_release_date", sa.Date(), nullable=True),
        sa.Column("documentation_completion_date", sa.Date(), nullable=True),
        sa.Column("opinion", sa.String(length=16), server_default="unmodified", nullable=False),
        sa.Column("subservice_treatment", sa.String(length=16), server_default="carve_out", nullable=False),
        sa.Column("subservice_organizations", sa.Text(), server_default="", nullable=False),
        sa.Column("auditor_firm", sa.Text(), server_default="", nullable=False),
        sa.Column("auditor_city", sa.Text(), server_default="", nullable=False),
        sa.Column("opinion_basis", sa.Text(), server_default="", nullable=False),
        *_tracked(),
        _pk("engagement", "id"),
    )
    op.create_table(
        NEW.format("person"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("initials", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        *_tracked(),
        _pk("person", "id"),
    )
    op.create_table(
        NEW.format("tickmark"),
        sa.Column("symbol", sa.String(length=8), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        *_tracked(),
        _pk("tickmark", "symbol"),
    )
    op.create_table(
        NEW.format("description_section"),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        *_tracked(),
        _pk("description_section", "code"),
    )
    op.create_table(
        NEW.format("mapping"),
        sa.Column("iso_code", sa.String(length=16), nullable=False),
        sa.Column("soc2_code", sa.String(length=16), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), server_default="catalog", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        *_tracked(),
        _fk("mapping", "iso_code", "requirement.code"),
        _fk("mapping", "soc2_code", "requirement.code"),
        _pk("mapping", "iso_code", "soc2_code"),
    )
    op.create_table(
        NEW.format("control"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner", sa.Text(), server_default="", nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("nature", sa.String(length=24), nullable=False),
        sa.Column("control_type", sa.String(length=16), nullable=False),
        sa.Column("is_key", sa.Boolean(), server_default="1", nullable=False),
        *_tracked(),
        _pk("control", "id"),
    )
    for name in ("control_requirement", "dismissed_suggestion"):
        op.create_table(
            NEW.format(name),
            sa.Column("control_id", sa.Uuid(), nullable=False),
            sa.Column("requirement_code", sa.String(length=16), nullable=False),
            *_tracked(),
            _fk(name, "control_id", "control.id"),
            _fk(name, "requirement_code", "requirement.code"),
            _pk(name, "control_id", "requirement_code"),
        )
    op.create_table(
        NEW.format("soa_line"),
        sa.Column("annex_code", sa.String(length=16), nullable=False),
        sa.Column("included", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("implementation_status", sa.String(length=24), nullable=True),
        *_tracked(),
        _fk("soa_line", "annex_code", "requirement.code"),
        _pk("soa_line", "annex_code"),
    )
    op.create_table(
        NEW.format("control_test"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("control_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("population", sa.Text(), server_default="", nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("selection", sa.String(length=16), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("conclusion_note", sa.Text(), server_default="", nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=True),
        sa.Column("size_override_reason", sa.Text(), nullable=True),
        *_tracked(),
        _fk("control_test", "control_id", "control.id"),
        _pk("control_test", "id"),
    )
    op.create_table(
        NEW.format("sample_item"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("tickmarks", sa.Text(), server_default="", nullable=False),
        sa.Column("deviation_text", sa.Text(), server_default="", nullable=False),
        sa.Column("population_row_no", sa.Integer(), nullable=True),
        *_tracked(),
        _fk("sample_item", "test_id", "control_test.id"),
        _pk("sample_item", "id"),
    )
    op.create_table(
        NEW.format("deviation"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), server_default="", nullable=False),
        sa.Column("management_response", sa.Text(), server_default="", nullable=False),
        sa.Column("effect", sa.Text(), server_default="", nullable=False),
        sa.Column("iso_grade", sa.String(length=32), nullable=True),
        *_tracked(),
        _fk("deviation", "test_id", "control_test.id"),
        _pk("deviation", "id"),
    )
    op.create_table(
        NEW.format("history"),
        sa.Column("origin", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at_utc", sa.String(length=32), nullable=False),
        sa.Column("person", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=True),
        _pk("history", "origin", "seq"),
    )
    op.create_table(
        NEW.format("pbc_request"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("requested_of", sa.Text(), server_default="", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        *_tracked(),
        _pk("pbc_request", "id"),
    )
    # `id` becomes `chunk_key` by a column rename once this is `evidence_blob`: the rename carries the
    # chunks' foreign key with it, so their bytes are never copied.
    op.create_table(
        NEW.format("evidence_blob"),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        _pk("evidence_blob", "sha256"),
        sa.UniqueConstraint("id", name=op.f("uq_evidence_blob_chunk_key")),
    )
    op.create_table(
        NEW.format("evidence"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("provided_by", sa.Text(), server_default="", nullable=False),
        sa.Column("pbc_request_id", sa.Uuid(), nullable=True),
        sa.Column("attached_by", sa.Text(), nullable=False),
        sa.Column("attached_at", sa.String(length=32), nullable=False),
        *_tracked(),
        _fk("evidence", "blob_sha256", "evidence_blob.sha256"),
        _fk("evidence", "pbc_request_id", "pbc_request.id"),
        _pk("evidence", "id"),
    )
    targets = ("control_id", "test_id", "sample_item_id", "pbc_request_id")
    op.create_table(
        NEW.format("evidence_link"),
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
        _pk("evidence_link", "id"),
    )
    op.create_table(
        NEW.format("population"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("sheet_name", sa.Text(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("id_column", sa.Text(), nullable=False),
        sa.Column("date_column", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        *_tracked(),
        _fk("population", "test_id", "control_test.id"),
        _pk("population", "id"),
    )
    op.create_table(
        NEW.format("population_row"),
        sa.Column("population_id", sa.Uuid(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        _fk("population_row", "population_id", "population.id", ondelete="CASCADE"),
        _pk("population_row", "population_id", "row_no"),
    )


def _unique_live(table: str, *columns: str, extra: str = "") -> None:
    op.create_index(
        f"uq_{table}_{columns[0]}",
        table,
        list(columns),
        unique=True,
        sqlite_where=sa.text(f"deleted_at IS NULL{extra}"),
    )


def _new_indexes() -> None:
    _unique_live("person", "initials")
    _unique_live("control", "ref")
    op.create_index(op.f("ix_control_requirement_requirement_code"), "control_requirement", ["requirement_code"])
    _unique_live("control_test", "ref")
    op.create_index(op.f("ix_control_test_control_id"), "control_test", ["control_id"])
    op.create_index(op.f("ix_sample_item_test_id"), "sample_item", ["test_id"])
    _unique_live("sample_item", "test_id", "seq")
    op.create_index(op.f("ix_deviation_test_id"), "deviation", ["test_id"])
    op.create_index("ix_history_item", "history", ["item_type", "item_id"])
    _unique_live("pbc_request", "ref")
    op.create_index(op.f("ix_evidence_blob_sha256"), "evidence", ["blob_sha256"])
    _unique_live("evidence", "ref")
    op.create_index(op.f("ix_evidence_link_evidence_id"), "evidence_link", ["evidence_id"])
    for target in ("control_id", "test_id", "sample_item_id", "pbc_request_id"):
        op.create_index(
            f"uq_evidence_link_{target}",
            "evidence_link",
            [target, "evidence_id"],
            unique=True,
            sqlite_where=sa.text(f"{target} IS NOT NULL AND deleted_at IS NULL"),
        )
    _unique_live("population", "test_id")


# --- deriving the new keys -----------------------------------------------------------------------

_RAND_BITS = 74  # a version 7 UUID: 48 bits of milliseconds, 4 of version, 12 + 62 random, 2 of variant


def _derived(base: uuid.UUID, start_ms: int, table: str, old: int) -> uuid.UUID:
    """A version 7 UUID for an existing record, the same wherever the same file is upgraded.

    The engagement's own row takes the engagement's id, as in a file made by this revision.
    """
    if table == "engagement":
        return base
    rand = uuid.uuid5(base, f"{table}/{old}").int & ((1 << _RAND_BITS) - 1)
    value = ((start_ms + old) & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def _base(meta: dict[str, str]) -> tuple[uuid.UUID, int]:
    """The engagement's UUID (from its id, whatever form an early file gave it) and its creation in ms."""
    text = meta.get("engagement_id", "")
    try:
        base = uuid.UUID(text)
    except ValueError:
        base = uuid.uuid5(uuid.NAMESPACE_URL, f"fieldwork-engagement:{text}")
    try:
        start_ms = int(datetime.fromisoformat(meta["created_at"]).timestamp() * 1000)
    except (KeyError, ValueError):
        start_ms = 0
    return base, start_ms


def _item_renamer(conn: sa.Connection, key: Callable[[str, int], str]) -> Callable[[str, str], str]:
    """How a history entry names its item after the upgrade (the same key the services now write)."""
    blobs = dict(conn.exec_driver_sql("SELECT id, sha256 FROM evidence_blob").all())
    pairs = {
        mapping_id: f"{iso}/{soc2}"
        for mapping_id, iso, soc2 in conn.exec_driver_sql("SELECT id, iso_code, soc2_code FROM mapping")
    }
    prefixed = {"control_requirement": "control", "dismissed_suggestion": "control", "population_row": "population"}

    def renamed(item_type: str, item_id: str) -> str:
        head, _, rest = item_id.partition("/")
        if not head.isdigit():
            return item_id
        old = int(head)
        if item_type in KEYED:
            return key(item_type, old)
        if item_type in prefixed:
            return f"{key(prefixed[item_type], old)}/{rest}"
        if item_type == "evidence_blob":
            return str(blobs.get(old, item_id))
        if item_type == "mapping":
            return pairs.get(old, item_id)
        return item_id

    return renamed


def upgrade() -> None:
    conn = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")  # references hold again once every table is rebuilt
    meta = dict(conn.exec_driver_sql("SELECT key, value FROM fieldwork_meta").all())
    base, start_ms = _base(meta)

    def key(table: str, old: int) -> str:
        return str(_derived(base, start_ms, table, old))

    raw = conn.connection.driver_connection
    raw.create_function(
        "fw_key", 2, lambda table, old: None if old is None else _derived(base, start_ms, table, old).hex
    )
    raw.create_function("fw_item", 2, _item_renamer(conn, key))
    legacy_origin = uuid.uuid5(base, "history").hex

    _new_tables()
    _copy(legacy_origin)
    for name in REBUILT:
        op.drop_table(name)
        op.rename_table(NEW.format(name), name)
    op.execute("ALTER TABLE evidence_blob RENAME COLUMN id TO chunk_key")
    op.execute("ALTER TABLE evidence_chunk RENAME COLUMN blob_id TO chunk_key")
    _new_indexes()
    replica = uuid.uuid4()  # this copy's own origin for new history entries
    conn.exec_driver_sql("INSERT INTO fieldwork_meta (key, value) VALUES ('replica_id', ?)", (str(replica),))


def _copy(legacy_origin: str) -> None:
    """Each old table's rows into its new table, keys derived by `fw_key`, every version 1, none deleted."""
    tracked = "1, NULL"
    engagement_columns = (
        "client, system_name, report_type, as_of_date, period_start, period_end, tsc_categories, iso_scope, status, "
        "report_release_date, documentation_completion_date, opinion, subservice_treatment, "
        "subservice_organizations, auditor_firm, auditor_city, opinion_basis"
    )
    test_columns = (
        "kind, procedure, methods, population, population_size, sample_size, selection, seed, conclusion, "
        "conclusion_note, risk, size_override_reason"
    )
    statements = [
        f"INSERT INTO engagement__new SELECT fw_key('engagement', id), {engagement_columns}, {tracked} FROM engagement",
        f"INSERT INTO person__new SELECT fw_key('person', id), name, initials, role, {tracked} FROM person",
        f"INSERT INTO tickmark__new SELECT symbol, meaning, {tracked} FROM tickmark",
        f"INSERT INTO description_section__new SELECT code, text, {tracked} FROM description_section",
        "INSERT INTO mapping__new SELECT iso_code, soc2_code, relationship, rationale, origin, active, id, "
        f"{tracked} FROM mapping",
        "INSERT INTO control__new SELECT fw_key('control', id), ref, title, description, owner, frequency, nature, "
        f"control_type, is_key, {tracked} FROM control",
        "INSERT INTO control_requirement__new SELECT fw_key('control', control_id), requirement_code, "
        f"{tracked} FROM control_requirement",
        "INSERT INTO dismissed_suggestion__new SELECT fw_key('control', control_id), requirement_code, "
        f"{tracked} FROM dismissed_suggestion",
        "INSERT INTO soa_line__new SELECT annex_code, included, justification, implementation_status, "
        f"{tracked} FROM soa_line",
        "INSERT INTO control_test__new SELECT fw_key('control_test', id), ref, fw_key('control', control_id), "
        f"{test_columns}, {tracked} FROM control_test",
        "INSERT INTO sample_item__new SELECT fw_key('sample_item', id), fw_key('control_test', test_id), seq, "
        f"identifier, item_date, result, tickmarks, deviation_text, population_row_no, {tracked} FROM sample_item",
        "INSERT INTO deviation__new SELECT fw_key('deviation', id), fw_key('control_test', test_id), description, "
        f"root_cause, management_response, effect, iso_grade, {tracked} FROM deviation",
        f"INSERT INTO history__new SELECT '{legacy_origin}', seq, at_utc, person, action, item_type, "
        "fw_item(item_type, item_id), old_values, new_values FROM history",
        "INSERT INTO pbc_request__new SELECT fw_key('pbc_request', id), ref, request, requested_of, due_date, "
        f"status, received_date, {tracked} FROM pbc_request",
        "INSERT INTO evidence_blob__new SELECT sha256, size, id FROM evidence_blob",
        "INSERT INTO evidence__new SELECT fw_key('evidence', e.id), e.ref, b.sha256, e.original_name, e.media_type, "
        "e.received_date, e.provided_by, fw_key('pbc_request', e.pbc_request_id), e.attached_by, e.attached_at, "
        f"{tracked} FROM evidence e JOIN evidence_blob b ON b.id = e.blob_id",
        "INSERT INTO evidence_link__new SELECT fw_key('evidence_link', id), fw_key('evidence', evidence_id), "
        "fw_key('control', control_id), fw_key('control_test', test_id), fw_key('sample_item', sample_item_id), "
        f"fw_key('pbc_request', pbc_request_id), {tracked} FROM evidence_link",
        "INSERT INTO population__new SELECT fw_key('population', id), fw_key('control_test', test_id), source_name, "
        "source_sha256, sheet_name, columns, id_column, date_column, row_count, imported_by, imported_at, "
        f"{tracked} FROM population",
        "INSERT INTO population_row__new SELECT fw_key('population', population_id), row_no, identifier, item_date, "
        '"values" FROM population_row',
    ]
    for statement in statements:
        op.execute(statement)


# --- downgrade ------------------------------------------------------------------------------------


def downgrade() -> None:
    """Back to integer keys numbered in the order records were made; deleted records go, as 0005 deleted them.

    The history keeps every entry, renumbered in time order; entries naming records that no longer exist keep
    their UUIDs.
    """
    conn = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")  # references hold again once every table is rebuilt
    for table in KEYED:
        op.execute(
            f"CREATE TEMP TABLE map_{table} AS SELECT id AS new, ROW_NUMBER() OVER (ORDER BY id) AS old "
            f"FROM {table} WHERE deleted_at IS NULL"
        )
        op.execute(f"CREATE UNIQUE INDEX temp.ix_map_{table} ON map_{table} (new)")
    olds = {
        table: {uuid.UUID(hex=new): old for new, old in conn.exec_driver_sql(f"SELECT new, old FROM map_{table}")}
        for table in KEYED
    }
    raw = conn.connection.driver_connection
    raw.create_function("fw_back", 2, lambda table, new: None if new is None else olds[table].get(uuid.UUID(hex=new)))
    raw.create_function("fw_item_back", 2, _item_back(olds))
    op.execute("ALTER TABLE evidence_blob RENAME COLUMN chunk_key TO id")  # first: 0005's tables refer to it
    _old_tables()
    _copy_back()
    for name in REBUILT:
        op.drop_table(name)
        op.rename_table(NEW.format(name), name)
    op.execute("ALTER TABLE evidence_chunk RENAME COLUMN chunk_key TO blob_id")
    _old_indexes()
    op.execute("DELETE FROM fieldwork_meta WHERE key = 'replica_id'")
    for table in KEYED:
        op.execute(f"DROP TABLE temp.map_{table}")


def _item_back(olds: dict[str, dict[uuid.UUID, int]]) -> Callable[[str, str], str]:
    def back(item_type: str, item_id: str) -> str:
        head, slash, rest = item_id.partition("/")
        table = "control" if item_type in ("control_requirement", "dismissed_suggestion") else item_type
        table = "population" if item_type == "population_row" else table
        try:
            old = olds.get(table, {}).get(uuid.UUID(head))
        except ValueError:
            return item_id
        return item_id if old is None else f"{old}{slash}{rest}"

    return back


def _old_tables() -> None:
    """The tables as revision 0005 had them (0001-0004), under `NEW` names."""
    op.create_table(
        NEW.format("engagement"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("system_name", sa.Text(), nullable=False),
        sa.Column("report_type", sa.String(length=16), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("tsc_categories", sa.JSON(), nullable=False),
        sa.Column("iso_scope", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="planning", nullable=False),
        sa.Column("report_release_date", sa.Date(), nullable=True),
        sa.Column("documentation_completion_date", sa.Date(), nullable=True),
        sa.Column("opinion", sa.String(length=16), server_default="unmodified", nullable=False),
        sa.Column("subservice_treatment", sa.String(length=16), server_default="carve_out", nullable=False),
        sa.Column("subservice_organizations", sa.Text(), server_default="", nullable=False),
        sa.Column("auditor_firm", sa.Text(), server_default="", nullable=False),
        sa.Column("auditor_city", sa.Text(), server_default="", nullable=False),
        sa.Column("opinion_basis", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_engagement_single_row")),
        _pk("engagement", "id"),
    )
    op.create_table(
        NEW.format("person"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("initials", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        _pk("person", "id"),
        sa.UniqueConstraint("initials", name=op.f("uq_person_initials")),
    )
    op.create_table(
        NEW.format("tickmark"),
        sa.Column("symbol", sa.String(length=8), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        _pk("tickmark", "symbol"),
    )
    op.create_table(
        NEW.format("description_section"),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        _pk("description_section", "code"),
    )
    op.create_table(
        NEW.format("mapping"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_code", sa.String(length=16), nullable=False),
        sa.Column("soc2_code", sa.String(length=16), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), server_default="catalog", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        _fk("mapping", "iso_code", "requirement.code"),
        _fk("mapping", "soc2_code", "requirement.code"),
        _pk("mapping", "id"),
        sa.UniqueConstraint("iso_code", "soc2_code", name=op.f("uq_mapping_iso_code")),
    )
    op.create_table(
        NEW.format("control"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner", sa.Text(), server_default="", nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("nature", sa.String(length=24), nullable=False),
        sa.Column("control_type", sa.String(length=16), nullable=False),
        sa.Column("is_key", sa.Boolean(), server_default="1", nullable=False),
        _pk("control", "id"),
        sa.UniqueConstraint("ref", name=op.f("uq_control_ref")),
    )
    for name in ("control_requirement", "dismissed_suggestion"):
        op.create_table(
            NEW.format(name),
            sa.Column("control_id", sa.Integer(), nullable=False),
            sa.Column("requirement_code", sa.String(length=16), nullable=False),
            _fk(name, "control_id", "control.id", ondelete="CASCADE"),
            _fk(name, "requirement_code", "requirement.code"),
            _pk(name, "control_id", "requirement_code"),
        )
    op.create_table(
        NEW.format("soa_line"),
        sa.Column("annex_code", sa.String(length=16), nullable=False),
        sa.Column("included", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("implementation_status", sa.String(length=24), nullable=True),
        _fk("soa_line", "annex_code", "requirement.code"),
        _pk("soa_line", "annex_code"),
    )
    op.create_table(
        NEW.format("control_test"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("population", sa.Text(), server_default="", nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("selection", sa.String(length=16), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("conclusion_note", sa.Text(), server_default="", nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=True),
        sa.Column("size_override_reason", sa.Text(), nullable=True),
        _fk("control_test", "control_id", "control.id", ondelete="CASCADE"),
        _pk("control_test", "id"),
        sa.UniqueConstraint("ref", name=op.f("uq_control_test_ref")),
    )
    op.create_table(
        NEW.format("sample_item"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("tickmarks", sa.Text(), server_default="", nullable=False),
        sa.Column("deviation_text", sa.Text(), server_default="", nullable=False),
        sa.Column("population_row_no", sa.Integer(), nullable=True),
        _fk("sample_item", "test_id", "control_test.id", ondelete="CASCADE"),
        _pk("sample_item", "id"),
        sa.UniqueConstraint("test_id", "seq", name=op.f("uq_sample_item_test_id")),
    )
    op.create_table(
        NEW.format("deviation"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), server_default="", nullable=False),
        sa.Column("management_response", sa.Text(), server_default="", nullable=False),
        sa.Column("effect", sa.Text(), server_default="", nullable=False),
        sa.Column("iso_grade", sa.String(length=32), nullable=True),
        _fk("deviation", "test_id", "control_test.id", ondelete="CASCADE"),
        _pk("deviation", "id"),
    )
    op.create_table(
        NEW.format("history"),
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at_utc", sa.String(length=32), nullable=False),
        sa.Column("person", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=True),
        _pk("history", "seq"),
    )
    op.create_table(
        NEW.format("pbc_request"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("requested_of", sa.Text(), server_default="", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        _pk("pbc_request", "id"),
        sa.UniqueConstraint("ref", name=op.f("uq_pbc_request_ref")),
    )
    op.create_table(
        NEW.format("evidence_blob"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _pk("evidence_blob", "id"),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_blob_sha256")),
    )
    op.create_table(
        NEW.format("evidence"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("provided_by", sa.Text(), server_default="", nullable=False),
        sa.Column("pbc_request_id", sa.Integer(), nullable=True),
        sa.Column("attached_by", sa.Text(), nullable=False),
        sa.Column("attached_at", sa.String(length=32), nullable=False),
        _fk("evidence", "blob_id", "evidence_blob.id"),
        _fk("evidence", "pbc_request_id", "pbc_request.id"),
        _pk("evidence", "id"),
        sa.UniqueConstraint("ref", name=op.f("uq_evidence_ref")),
    )
    targets = ("control_id", "test_id", "sample_item_id", "pbc_request_id")
    op.create_table(
        NEW.format("evidence_link"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in targets),
        sa.CheckConstraint(
            " + ".join(f"({name} IS NOT NULL)" for name in targets) + " = 1",
            name=op.f("ck_evidence_link_one_target"),
        ),
        _fk("evidence_link", "control_id", "control.id"),
        _fk("evidence_link", "evidence_id", "evidence.id"),
        _fk("evidence_link", "pbc_request_id", "pbc_request.id"),
        _fk("evidence_link", "sample_item_id", "sample_item.id"),
        _fk("evidence_link", "test_id", "control_test.id"),
        _pk("evidence_link", "id"),
    )
    op.create_table(
        NEW.format("population"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("sheet_name", sa.Text(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("id_column", sa.Text(), nullable=False),
        sa.Column("date_column", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        _fk("population", "test_id", "control_test.id"),
        _pk("population", "id"),
        sa.UniqueConstraint("test_id", name=op.f("uq_population_test_id")),
    )
    op.create_table(
        NEW.format("population_row"),
        sa.Column("population_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        _fk("population_row", "population_id", "population.id", ondelete="CASCADE"),
        _pk("population_row", "population_id", "row_no"),
    )


def _copy_back() -> None:
    """Live rows only, keys back to integers by `fw_back`; the history renumbered in time order."""
    live = "WHERE deleted_at IS NULL"
    engagement_columns = (
        "client, system_name, report_type, as_of_date, period_start, period_end, tsc_categories, iso_scope, status, "
        "report_release_date, documentation_completion_date, opinion, subservice_treatment, "
        "subservice_organizations, auditor_firm, auditor_city, opinion_basis"
    )
    test_columns = (
        "kind, procedure, methods, population, population_size, sample_size, selection, seed, conclusion, "
        "conclusion_note, risk, size_override_reason"
    )
    statements = [
        f"INSERT INTO engagement__new SELECT 1, {engagement_columns} FROM engagement {live}",
        f"INSERT INTO person__new SELECT fw_back('person', id), name, initials, role FROM person {live}",
        f"INSERT INTO tickmark__new SELECT symbol, meaning FROM tickmark {live}",
        f"INSERT INTO description_section__new SELECT code, text FROM description_section {live}",
        "INSERT INTO mapping__new SELECT ROW_NUMBER() OVER (ORDER BY sort_order, iso_code, soc2_code), iso_code, "
        f"soc2_code, relationship, rationale, origin, active FROM mapping {live}",
        "INSERT INTO control__new SELECT fw_back('control', id), ref, title, description, owner, frequency, nature, "
        f"control_type, is_key FROM control {live}",
        "INSERT INTO control_requirement__new SELECT fw_back('control', control_id), requirement_code "
        f"FROM control_requirement {live}",
        "INSERT INTO dismissed_suggestion__new SELECT fw_back('control', control_id), requirement_code "
        f"FROM dismissed_suggestion {live}",
        "INSERT INTO soa_line__new SELECT annex_code, included, justification, implementation_status "
        f"FROM soa_line {live}",
        "INSERT INTO control_test__new SELECT fw_back('control_test', id), ref, fw_back('control', control_id), "
        f"{test_columns} FROM control_test {live}",
        "INSERT INTO sample_item__new SELECT fw_back('sample_item', id), fw_back('control_test', test_id), seq, "
        f"identifier, item_date, result, tickmarks, deviation_text, population_row_no FROM sample_item {live}",
        "INSERT INTO deviation__new SELECT fw_back('deviation', id), fw_back('control_test', test_id), description, "
        f"root_cause, management_response, effect, iso_grade FROM deviation {live}",
        "INSERT INTO history__new SELECT ROW_NUMBER() OVER (ORDER BY at_utc, origin, seq), at_utc, person, action, "
        "item_type, fw_item_back(item_type, item_id), old_values, new_values FROM history",
        "INSERT INTO pbc_request__new SELECT fw_back('pbc_request', id), ref, request, requested_of, due_date, "
        f"status, received_date FROM pbc_request {live}",
        "INSERT INTO evidence_blob__new SELECT b.id, b.sha256, b.size FROM evidence_blob b "
        "WHERE EXISTS (SELECT 1 FROM evidence e WHERE e.blob_sha256 = b.sha256 AND e.deleted_at IS NULL)",
        "INSERT INTO evidence__new SELECT fw_back('evidence', e.id), e.ref, b.id, e.original_name, "
        "e.media_type, e.received_date, e.provided_by, fw_back('pbc_request', e.pbc_request_id), e.attached_by, "
        "e.attached_at FROM evidence e JOIN evidence_blob b ON b.sha256 = e.blob_sha256 WHERE e.deleted_at IS NULL",
        "INSERT INTO evidence_link__new SELECT fw_back('evidence_link', id), fw_back('evidence', evidence_id), "
        "fw_back('control', control_id), fw_back('control_test', test_id), fw_back('sample_item', sample_item_id), "
        f"fw_back('pbc_request', pbc_request_id) FROM evidence_link {live}",
        "INSERT INTO population__new SELECT fw_back('population', id), fw_back('control_test', test_id), "
        "source_name, source_sha256, sheet_name, columns, id_column, date_column, row_count, imported_by, "
        f"imported_at FROM population {live}",
        "INSERT INTO population_row__new SELECT fw_back('population', r.population_id), r.row_no, r.identifier, "
        'r.item_date, r."values" FROM population_row r JOIN population p ON p.id = r.population_id '
        "WHERE p.deleted_at IS NULL",
        # Chunks of content no live evidence needs were already dropped; their rows went with the blob.
        "DELETE FROM evidence_chunk WHERE chunk_key NOT IN (SELECT id FROM evidence_blob__new)",
    ]
    for statement in statements:
        op.execute(statement)


def _old_indexes() -> None:
    op.create_index(op.f("ix_control_requirement_requirement_code"), "control_requirement", ["requirement_code"])
    op.create_index(op.f("ix_control_test_control_id"), "control_test", ["control_id"])
    op.create_index(op.f("ix_deviation_test_id"), "deviation", ["test_id"])
    op.create_index(op.f("ix_sample_item_test_id"), "sample_item", ["test_id"])
    op.create_index(op.f("ix_evidence_blob_id"), "evidence", ["blob_id"])
    op.create_index(op.f("ix_evidence_link_evidence_id"), "evidence_link", ["evidence_id"])
    for target in ("control_id", "test_id", "sample_item_id", "pbc_request_id"):
        op.create_index(
            f"uq_evidence_link_{target}",
            "evidence_link",
            [target, "evidence_id"],
            unique=True,
            sqlite_where=sa.text(f"{target} IS NOT NULL"),
        )
