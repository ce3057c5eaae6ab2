"""The engagement itself: creating the file, its details, team, tickmarks and system description."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, insert, select

from fieldwork import app
from fieldwork.app.catalog import Catalog, load_catalog
from fieldwork.app.domain.ids import PersonId, new_id
from fieldwork.app.domain.judgements import OpinionArea
from fieldwork.app.domain.over_time import Span
from fieldwork.app.domain.records import EngagementDetails, FileFacts, TeamMember, Tickmark
from fieldwork.app.domain.vocabulary import (
    DESCRIPTION_HEADINGS,
    TSC_CATEGORIES,
    Opinion,
    ReportType,
    RequirementKind,
    Role,
)
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.history import Changes, changes, utc_now
from fieldwork.app.storage.database import Passphrase
from fieldwork.app.storage.engagement_file import EngagementFile, create_engagement_file
from fieldwork.app.storage.schema import (
    description_section,
    engagement,
    fieldwork_meta,
    finalization,
    live,
    mapping,
    opinion,
    person,
    requirement,
    sample_item,
    soa_line,
    tickmark,
)

if TYPE_CHECKING:
    from fieldwork.app.workpaper_templates import WorkpaperLibrary

FORMAT_NAME = "fieldwork-engagement"
MIN_TYPE2_DAYS = 90
MAX_TYPE2_DAYS = 366

DEFAULT_TICKMARKS = (
    Tickmark("a", "Agreed to supporting documentation without exception"),
    Tickmark("b", "Approval evidenced by an authorized approver before the change"),
    Tickmark("c", "Reperformed by the auditor without exception"),
    Tickmark("x", "Exception noted: see the deviation"),
)


def validate_details(details: EngagementDetails) -> tuple[str, ...]:
    """Raise for what cannot be right; return warnings for what is unusual."""
    if not details.client.strip():
        raise ValidationError("Enter the service organization (the client).")
    if not details.system_name.strip():
        raise ValidationError("Enter the name of the system under examination.")
    unknown = [c for c in details.tsc_categories if c not in TSC_CATEGORIES]
    if unknown:
        raise ValidationError(f"Unknown Trust Services category: {', '.join(unknown)}.")
    if "Security" not in details.tsc_categories:
        raise ValidationError("Security (the Common Criteria) is always in scope of a SOC 2 examination.")
    warnings: list[str] = []
    if details.report_type is ReportType.TYPE1:
        if details.as_of_date is None:
            raise ValidationError("A Type 1 examination needs an as-of date.")
    else:
        warnings += _period_warnings(details.period_start, details.period_end)
    if details.completion_days not in (60, 45, 14):
        raise ValidationError("Documentation is completed 60, 45 or 14 days after the report release date.")
    if details.retention_years < 5:
        raise ValidationError("Engagement files are retained for at least 5 years (7 for PCAOB work).")
    return tuple(warnings)


def _period_warnings(start: date | None, end: date | None) -> list[str]:
    if start is None or end is None:
        raise ValidationError("A Type 2 examination needs a period start and end date.")
    if end <= start:
        raise ValidationError(f"The period ends ({end}) before it starts ({start}).")
    days = (end - start).days + 1
    if days < MIN_TYPE2_DAYS:
        return [f"The period is {days} days; a Type 2 period is usually at least 3 months."]
    if days > MAX_TYPE2_DAYS:
        return [f"The period is {days} days; a Type 2 period is usually no longer than 12 months."]
    return []


def normalized(details: EngagementDetails) -> EngagementDetails:
    """Trim text, order categories as the TSC does, drop the date fields the type does not use, and date the
    documentation completion from the report release (it is never typed)."""
    known = [c for c in TSC_CATEGORIES if c in details.tsc_categories]
    categories = tuple(known + [c for c in details.tsc_categories if c not in TSC_CATEGORIES])
    type1 = details.report_type is ReportType.TYPE1
    release = details.report_release_date
    return replace(
        details,
        client=details.client.strip(),
        system_name=details.system_name.strip(),
        tsc_categories=categories,
        iso_scope=details.iso_scope.strip(),
        auditor_firm=details.auditor_firm.strip(),
        auditor_city=details.auditor_city.strip(),
        as_of_date=details.as_of_date if type1 else None,
        period_start=None if type1 else details.period_start,
        period_end=None if type1 else details.period_end,
        documentation_completion_date=release + timedelta(days=details.completion_days) if release else None,
    )


def _details_row(details: EngagementDetails) -> dict[str, Any]:
    row = asdict(details)
    row["tsc_categories"] = list(details.tsc_categories)
    return row


def create_engagement(
    path: Path | str,
    details: EngagementDetails,
    team: Sequence[TeamMember] = (),
    passphrase: Passphrase = None,
    fill: Callable[[Changes], None] | None = None,
    workpapers: WorkpaperLibrary | None = None,
) -> tuple[EngagementFile, tuple[str, ...]]:
    """A new engagement file with the bundled catalogs, an SoA line per Annex A control, the team and the
    workpapers of the templates (`workpapers`, else the bundled and the firm's; a broken one is a warning).

    `fill` adds more records in the same transaction (the demo engagement), so a
    failure leaves no file behind.
    """
    from fieldwork.app.services.workpapers import insert_from_template  # it reads the team from here: import when used
    from fieldwork.app.workpaper_templates import load_workpaper_templates

    details = normalized(details)
    library = workpapers if workpapers is not None else load_workpaper_templates()
    warnings = validate_details(details) + tuple(f"Workpaper template left out: {p}" for p in library.problems)
    members = _team_rows(team)
    catalog = load_catalog()

    def populate(db: Engagement) -> None:
        with changes(db) as ch:
            engagement_id = new_id()
            _write_catalog(ch.conn, catalog)
            _write_meta(ch, catalog, engagement_id)
            ch.insert(engagement, {"id": engagement_id, **_details_row(details)})
            for row in members:
                ch.insert(person, row)
            for mark in DEFAULT_TICKMARKS:
                ch.insert(tickmark, asdict(mark))
            ch.insert_many(description_section, [{"code": code, "text": ""} for code in DESCRIPTION_HEADINGS])
            annex = [i.code for i in catalog.items if i.kind is RequirementKind.ANNEX_CONTROL]
            ch.insert_many(soa_line, [{"annex_code": code, "included": True, "justification": ""} for code in annex])
            ch.insert_many(opinion, [{"area": area.value, "kind": Opinion.UNMODIFIED.value} for area in OpinionArea])
            for template in library.templates:
                insert_from_template(ch, template)
            if fill is not None:
                fill(ch)

    return create_engagement_file(path, passphrase, populate), warnings


def _write_catalog(conn: Connection, catalog: Catalog) -> None:
    """Copy the catalogs in; they are reference data, so not one history entry per row."""
    conn.execute(
        insert(requirement),
        [
            {
                "code": i.code,
                "framework": i.framework.value,
                "kind": i.kind.value,
                "title": i.title,
                "description": i.description,
                "parent_code": i.parent,
                "category": i.category,
                "group_name": i.group,
                "sort_order": i.order,
            }
            for i in catalog.items
        ],
    )
    conn.execute(
        insert(mapping),
        [
            {
                "iso_code": link.iso,
                "soc2_code": link.soc2,
                "relationship": link.relationship.value,
                "rationale": link.rationale,
                "origin": "catalog",
                "active": True,
                "sort_order": order,
            }
            for order, link in enumerate(catalog.links, start=1)
        ],
    )


def _write_meta(ch: Changes, catalog: Catalog, engagement_id: UUID) -> None:
    meta = {
        "format": FORMAT_NAME,
        "engagement_id": str(engagement_id),
        "created_with": f"{app.APP_NAME} {app.__version__}",
        "created_at": utc_now(),
        **{f"catalog_{name}": version for name, version in catalog.versions.items()},
    }
    ch.insert_many(fieldwork_meta, [{"key": key, "value": value} for key, value in meta.items()])


def _member_row(member: TeamMember) -> dict[str, Any]:
    name, initials = member.name.strip(), member.initials.strip().upper()
    if not name or not initials:
        raise ValidationError("Each team member needs a name and initials.")
    return {"name": name, "initials": initials, "role": Role(member.role).value}


def _team_rows(team: Sequence[TeamMember]) -> list[dict[str, Any]]:
    """The first team's rows, refused before any file is made when two people share initials."""
    rows = [_member_row(member) for member in team]
    seen: set[str] = set()
    for row in rows:
        if row["initials"] in seen:
            raise ValidationError(f"Initials {row['initials']} are given to two team members; each needs their own.")
        seen.add(row["initials"])
    return rows


def get_details(db: Engagement) -> EngagementDetails:
    with db.reading() as conn:
        return read_details(conn)


def read_details(conn: Connection) -> EngagementDetails:
    row = conn.execute(select(engagement).where(live(engagement))).mappings().one()
    return EngagementDetails(
        client=row["client"],
        system_name=row["system_name"],
        report_type=ReportType(row["report_type"]),
        period_start=row["period_start"],
        period_end=row["period_end"],
        as_of_date=row["as_of_date"],
        tsc_categories=tuple(row["tsc_categories"]),
        iso_scope=row["iso_scope"],
        report_release_date=row["report_release_date"],
        documentation_completion_date=row["documentation_completion_date"],
        auditor_firm=row["auditor_firm"],
        auditor_city=row["auditor_city"],
        completion_days=row["completion_days"],
        retention_years=row["retention_years"],
        allow_self_review=row["allow_self_review"],
    )


def read_period_span(conn: Connection) -> Span | None:
    return read_details(conn).period


def update_details(db: Engagement, details: EngagementDetails) -> tuple[str, ...]:
    from fieldwork.app.services.workpapers import check_report_date

    details = normalized(details)
    warnings = validate_details(details)
    with changes(db) as ch:
        check_report_date(ch.conn, details.report_release_date)
        key = ch.conn.execute(select(engagement.c.id).where(live(engagement))).scalar_one()
        ch.update(engagement, {"id": key}, _details_row(details))
    return warnings


def read_finalized_at(conn: Connection) -> str | None:
    """When the engagement was finalized (UTC), or None (finalizing's record; the stage reads it)."""
    found: str | None = conn.execute(select(finalization.c.finalized_at).where(live(finalization))).scalar()
    return found


def file_facts(db: Engagement) -> FileFacts:
    with db.reading() as conn:
        return read_facts(conn, db.encrypted)


def read_facts(conn: Connection, encrypted: bool) -> FileFacts:
    meta = dict(conn.execute(select(fieldwork_meta.c.key, fieldwork_meta.c.value)).all())
    return FileFacts(
        engagement_id=meta["engagement_id"],
        encrypted=encrypted,
        created_with=meta["created_with"],
        created_at=meta["created_at"],
        catalog_versions={k.removeprefix("catalog_"): v for k, v in meta.items() if k.startswith("catalog_")},
        rolled_from_engagement_id=meta.get("rolled_from_engagement_id"),
        rolled_from_sha256=meta.get("rolled_from_sha256"),
    )


def list_team(db: Engagement) -> list[TeamMember]:
    with db.reading() as conn:
        return read_team(conn)


def read_team(conn: Connection) -> list[TeamMember]:
    rows = conn.execute(select(person).where(live(person)).order_by(person.c.id)).mappings().all()
    return [TeamMember(r["name"], r["initials"], Role(r["role"]), r["id"]) for r in rows]


def add_team_member(db: Engagement, member: TeamMember) -> PersonId:
    row = _member_row(member)
    with changes(db) as ch:
        _refuse_duplicate_initials(ch.conn, row["initials"], None)
        return PersonId(ch.insert(person, row))


def update_team_member(db: Engagement, member: TeamMember) -> None:
    if member.id is None:
        raise NotFoundError("That team member has not been saved yet.")
    row = _member_row(member)
    with changes(db) as ch:
        _refuse_duplicate_initials(ch.conn, row["initials"], member.id)
        ch.update(person, {"id": member.id}, row)


def remove_team_member(db: Engagement, member_id: PersonId) -> None:
    with changes(db) as ch:
        ch.delete(person, {"id": member_id})


def _refuse_duplicate_initials(conn: Connection, initials: str, own_id: PersonId | None) -> None:
    existing = conn.execute(select(person.c.id).where(person.c.initials == initials, live(person))).scalar()
    if existing is not None and existing != own_id:
        raise ValidationError(f"Initials {initials} are already used by another team member.")


def list_tickmarks(db: Engagement) -> list[Tickmark]:
    with db.reading() as conn:
        return read_tickmarks(conn)


def read_tickmarks(conn: Connection) -> list[Tickmark]:
    rows = conn.execute(select(tickmark).where(live(tickmark)).order_by(tickmark.c.symbol)).mappings().all()
    return [Tickmark(r["symbol"], r["meaning"]) for r in rows]


def set_tickmark(db: Engagement, mark: Tickmark) -> None:
    with changes(db) as ch:
        put_tickmark(ch, mark)


def put_tickmark(ch: Changes, mark: Tickmark) -> None:
    """Add a symbol to the legend, or give one already there its new meaning."""
    symbol, meaning = mark.symbol.strip(), mark.meaning.strip()
    if not symbol or len(symbol) > 8 or " " in symbol:
        raise ValidationError("A tickmark symbol is 1 to 8 characters without spaces.")
    if not meaning:
        raise ValidationError(f"Say what tickmark {symbol} means.")
    exists = ch.conn.execute(select(tickmark.c.symbol).where(tickmark.c.symbol == symbol, live(tickmark))).scalar()
    if exists is None:
        ch.insert(tickmark, {"symbol": symbol, "meaning": meaning})
    else:
        ch.update(tickmark, {"symbol": symbol}, {"meaning": meaning})


def remove_tickmark(db: Engagement, symbol: str) -> None:
    """Remove a symbol from the legend; refused while a sample item uses it (its meaning would be lost)."""
    with changes(db) as ch:
        marked = ch.conn.execute(
            select(sample_item.c.identifier, sample_item.c.tickmarks).where(
                sample_item.c.tickmarks.contains(symbol, autoescape=True), live(sample_item)
            )
        )
        used = [identifier for identifier, marks in marked if symbol in marks.split()]
        if used:
            raise ValidationError(
                f"Tickmark {symbol} is used on {len(used)} sample item(s), {used[0]} first; "
                "change those items before removing it from the legend."
            )
        ch.delete(tickmark, {"symbol": symbol})


def system_description(db: Engagement) -> dict[str, str]:
    """The client's description of the system under each DC 200 heading, in report order."""
    with db.reading() as conn:
        return read_system_description(conn)


def read_system_description(conn: Connection) -> dict[str, str]:
    texts = dict(conn.execute(select(description_section.c.code, description_section.c.text)).all())  # never deleted
    return {code: texts.get(code, "") for code in DESCRIPTION_HEADINGS}


def set_description_section(db: Engagement, code: str, text: str) -> None:
    """Save a section's text; once edited, a section carried forward from the prior period is this period's."""
    if code not in DESCRIPTION_HEADINGS:
        raise ValidationError(f"{code} is not a description-of-the-system heading (DC1 to DC9).")
    with changes(db) as ch:
        ch.update(description_section, {"code": code}, {"text": text, "to_update": False})


def read_sections_to_update(conn: Connection) -> frozenset[str]:
    """The sections carried forward from the prior period and not yet edited for this one."""
    query = select(description_section.c.code).where(description_section.c.to_update.is_(True))
    return frozenset(conn.execute(query).scalars())
