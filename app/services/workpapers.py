"""The engagement's workpapers: made from the templates, edited, answered, linked, marked complete; and what
finalizing checks (`read_completion_items`).

Rules the auditors can rely on:
- An index reference (A-100) is unique among the live workpapers and may be changed; nothing links by it.
- A workpaper is complete when it is marked complete and nothing is missing (`domain.workpapers.missing`),
  worked out on every read: marking one complete is refused while something is missing, naming what.
- The report release date never precedes a workpaper dated on or before it (management's signed assertion, the
  written representations): neither the date on the workpaper nor the release date may be set so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select

from fieldwork.app.domain.ids import ControlId, WorkpaperId, WorkpaperItemId
from fieldwork.app.domain.judgements import OpinionWorksheet
from fieldwork.app.domain.workpapers import (
    Answer,
    ChecklistItem,
    CompletionItem,
    DateRule,
    Shows,
    Workpaper,
    WorkpaperFields,
    WorkpaperKind,
    WorkpaperShape,
    check_ref,
    completion_item,
    member_line,
    missing,
    report_date_conflict,
)
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.engagement import read_team
from fieldwork.app.services.grouped import evidence_by, grouped
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import find_id
from fieldwork.app.services.requirements import require_auditable
from fieldwork.app.storage.schema import (
    control,
    engagement,
    evidence_link,
    live,
    workpaper,
    workpaper_control,
    workpaper_item,
    workpaper_requirement,
)
from fieldwork.app.workpaper_templates import WorkpaperTemplate

#: The shape of a workpaper made from no template: nothing asked of it beyond its kind.
OWN = WorkpaperShape()

# --- making workpapers -----------------------------------------------------------------------------------------


def _fields_row(fields: WorkpaperFields) -> dict[str, Any]:
    ref = check_ref(fields.ref)
    if ref is None:
        raise ValidationError(f"'{fields.ref.strip()}' is not an index reference like A-100.")
    title = fields.title.strip()
    if not title:
        raise ValidationError(f"Give workpaper {ref} a title.")
    return {
        "ref": ref,
        "title": title,
        "kind": WorkpaperKind(fields.kind).value,
        "body": fields.body.strip(),
        "completion_item": fields.completion_item,
        "dated": fields.dated,
        "signed_by": fields.signed_by.strip(),
        "signer_title": fields.signer_title.strip(),
    }


def _shape_row(shape: WorkpaperShape) -> dict[str, Any]:
    return {
        "template": shape.template,
        "member_statement": shape.member_statement,
        "asks_signer": shape.asks_signer,
        "date_label": shape.date_label,
        "date_rule": shape.date_rule.value if shape.date_rule else None,
        "shows": shape.shows.value if shape.shows else None,
    }


def _refuse_taken_ref(conn: Connection, ref: str, own: WorkpaperId | None) -> None:
    taken = conn.execute(
        select(workpaper.c.id, workpaper.c.title).where(workpaper.c.ref == ref, live(workpaper))
    ).first()
    if taken is not None and taken.id != own:
        raise ValidationError(f"{ref} is already the reference of {taken.title}; choose another.")


def insert_workpaper(
    ch: Changes, fields: WorkpaperFields, shape: WorkpaperShape = OWN, items: Sequence[str] = ()
) -> WorkpaperId:
    """A workpaper with its checklist items and a confirmation line per team member where one is asked for."""
    row = _fields_row(fields)
    _refuse_taken_ref(ch.conn, row["ref"], None)
    workpaper_id = WorkpaperId(ch.insert(workpaper, {**row, **_shape_row(shape)}))
    lines: list[dict[str, Any]] = [{"prompt": prompt} for prompt in items]
    if shape.member_statement:
        lines += [{"prompt": member_line(shape.member_statement, m), "person_id": m.id} for m in read_team(ch.conn)]
    _append_items(ch, workpaper_id, lines)
    return workpaper_id


def insert_from_template(ch: Changes, template: WorkpaperTemplate) -> WorkpaperId:
    return insert_workpaper(ch, template.fields, template.shape, template.items)


def add_from_templates(db: Engagement, templates: Sequence[WorkpaperTemplate]) -> list[Workpaper]:
    """Add the templates' workpapers to an engagement (one made before them, or the firm's new ones) in one change."""
    with changes(db) as ch:
        made = [insert_from_template(ch, template) for template in templates]
        return [w for w in read_workpapers(ch.conn) if w.id in made]


def missing_templates(conn: Connection, templates: Sequence[WorkpaperTemplate]) -> list[WorkpaperTemplate]:
    """Templates the engagement has no live workpaper from."""
    used = set(conn.execute(select(workpaper.c.template).where(live(workpaper))).scalars())
    return [t for t in templates if t.id not in used]


def create_workpaper(db: Engagement, fields: WorkpaperFields) -> Workpaper:
    """A workpaper of the auditor's own, from no template."""
    with changes(db) as ch:
        return read_workpaper(ch.conn, insert_workpaper(ch, fields))


def update_workpaper(db: Engagement, workpaper_id: WorkpaperId, fields: WorkpaperFields) -> Workpaper:
    row = _fields_row(fields)
    with changes(db) as ch:
        _refuse_taken_ref(ch.conn, row["ref"], workpaper_id)
        shape = _shape(_require(ch.conn, workpaper_id))
        conflict = report_date_conflict(fields, shape, _release_date(ch.conn))
        if conflict:
            raise ValidationError(conflict)
        ch.update(workpaper, {"id": workpaper_id}, row)
        return read_workpaper(ch.conn, workpaper_id)


def delete_workpaper(db: Engagement, workpaper_id: WorkpaperId) -> None:
    """Delete a workpaper with its items and links; the evidence files stay in the library."""
    with changes(db) as ch:
        _require(ch.conn, workpaper_id)
        ch.delete_where(evidence_link, evidence_link.c.workpaper_id == workpaper_id)
        ch.delete_where(workpaper_item, workpaper_item.c.workpaper_id == workpaper_id)
        ch.delete(workpaper, {"id": workpaper_id})  # its requirement and control links go with it


def find_workpaper_id(conn: Connection, ref_or_id: str | UUID) -> WorkpaperId:
    return WorkpaperId(find_id(conn, workpaper, ref_or_id, "workpaper"))


def _require(conn: Connection, workpaper_id: WorkpaperId) -> Any:
    found = conn.execute(select(workpaper).where(workpaper.c.id == workpaper_id, live(workpaper))).mappings().first()
    if found is None:
        raise NotFoundError("That workpaper no longer exists.")
    return found


# --- checklist items ---------------------------------------------------------------------------------------------


def _append_items(ch: Changes, workpaper_id: WorkpaperId, lines: Sequence[dict[str, Any]]) -> None:
    """Items numbered after the workpaper's highest (a removed item's number is not given again)."""
    last = ch.conn.execute(
        select(func.coalesce(func.max(workpaper_item.c.seq), 0)).where(workpaper_item.c.workpaper_id == workpaper_id)
    ).scalar_one()
    rows = [
        {"workpaper_id": workpaper_id, "seq": last + n, "prompt": line["prompt"], "person_id": line.get("person_id")}
        for n, line in enumerate(lines, start=1)
    ]
    ch.insert_many(workpaper_item, rows)


def add_item(db: Engagement, workpaper_id: WorkpaperId, prompt: str) -> Workpaper:
    if not prompt.strip():
        raise ValidationError("Write the checklist item's question or statement.")
    with changes(db) as ch:
        _require(ch.conn, workpaper_id)
        _append_items(ch, workpaper_id, [{"prompt": prompt.strip()}])
        return read_workpaper(ch.conn, workpaper_id)


def add_member_lines(db: Engagement, workpaper_id: WorkpaperId) -> Workpaper:
    """A confirmation line for each team member who has none yet (someone joined the team after it was made)."""
    with changes(db) as ch:
        statement = _require(ch.conn, workpaper_id)["member_statement"]
        if not statement:
            raise ValidationError("This workpaper asks no confirmation of each team member.")
        have = set(
            ch.conn.execute(
                select(workpaper_item.c.person_id).where(
                    workpaper_item.c.workpaper_id == workpaper_id, live(workpaper_item)
                )
            ).scalars()
        )
        lines = [
            {"prompt": member_line(statement, m), "person_id": m.id} for m in read_team(ch.conn) if m.id not in have
        ]
        _append_items(ch, workpaper_id, lines)
        return read_workpaper(ch.conn, workpaper_id)


def answer_item(db: Engagement, item_id: WorkpaperItemId, answer: Answer | None, note: str = "") -> Workpaper:
    with changes(db) as ch:
        return read_workpaper(ch.conn, put_answer(ch, item_id, answer, note))


def put_answer(ch: Changes, item_id: WorkpaperItemId, answer: Answer | None, note: str = "") -> WorkpaperId:
    """Answer a checklist item inside the caller's change; the workpaper it belongs to."""
    values = {"answer": Answer(answer).value if answer else None, "note": note.strip()}
    ch.update(workpaper_item, {"id": item_id}, values)
    query = select(workpaper_item.c.workpaper_id).where(workpaper_item.c.id == item_id)
    return WorkpaperId(ch.conn.execute(query).scalar_one())


def remove_item(db: Engagement, item_id: WorkpaperItemId) -> Workpaper:
    with changes(db) as ch:
        removed = ch.delete(workpaper_item, {"id": item_id})
        return read_workpaper(ch.conn, removed["workpaper_id"])


# --- links and completion ----------------------------------------------------------------------------------------


def set_links(
    db: Engagement, workpaper_id: WorkpaperId, requirements: Sequence[str], controls: Sequence[ControlId]
) -> Workpaper:
    """Make the workpaper's linked requirements and controls exactly these (a risk assessment links the criteria a
    risk threatens and the controls that address it)."""
    with changes(db) as ch:
        put_links(ch, workpaper_id, requirements, controls)
        return read_workpaper(ch.conn, workpaper_id)


def put_links(
    ch: Changes, workpaper_id: WorkpaperId, requirements: Sequence[str], controls: Sequence[ControlId]
) -> None:
    codes = [code.strip() for code in requirements if code.strip()]
    _require(ch.conn, workpaper_id)
    for code in codes:
        require_auditable(ch.conn, code)
    query = select(control.c.id).where(control.c.id.in_(list(controls)), live(control))
    if len(set(ch.conn.execute(query).scalars())) != len(set(controls)):
        raise NotFoundError("A control named for the workpaper no longer exists.")
    owner = ("workpaper_id", workpaper_id)
    ch.set_links(workpaper_requirement, owner, "requirement_code", codes)
    ch.set_links(workpaper_control, owner, "control_id", list(controls))


def mark_complete(db: Engagement, workpaper_id: WorkpaperId, complete: bool = True) -> Workpaper:
    """Mark a workpaper done (refused while something is missing, naming it), or open it again."""
    with changes(db) as ch:
        put_complete(ch, workpaper_id, complete)
        return read_workpaper(ch.conn, workpaper_id)


def put_complete(ch: Changes, workpaper_id: WorkpaperId, complete: bool = True) -> None:
    found = read_workpaper(ch.conn, workpaper_id)
    if complete and found.missing:
        raise ValidationError(f"{found.ref} is not complete yet: {'; '.join(found.missing)}.")
    ch.update(workpaper, {"id": workpaper_id}, {"completed_at": ch.at_utc if complete else None})


def check_report_date(conn: Connection, release: date | None) -> None:
    """Refuse a report release date before a workpaper that must be dated on or before it (the signed assertion,
    the written representations)."""
    if release is None:
        return
    for found in read_workpapers(conn, with_worksheet=False):
        conflict = report_date_conflict(found.fields, found.shape, release)
        if conflict:
            raise ValidationError(conflict)


# --- reading -------------------------------------------------------------------------------------------------------


def _release_date(conn: Connection) -> date | None:
    found: date | None = conn.execute(select(engagement.c.report_release_date).where(live(engagement))).scalar()
    return found


def _shape(row: Any) -> WorkpaperShape:
    return WorkpaperShape(
        template=row["template"],
        member_statement=row["member_statement"],
        asks_signer=row["asks_signer"],
        date_label=row["date_label"],
        date_rule=DateRule(row["date_rule"]) if row["date_rule"] else None,
        shows=Shows(row["shows"]) if row["shows"] else None,
    )


def _fields(row: Any) -> WorkpaperFields:
    return WorkpaperFields(
        ref=row["ref"],
        title=row["title"],
        kind=WorkpaperKind(row["kind"]),
        body=row["body"],
        completion_item=row["completion_item"],
        dated=row["dated"],
        signed_by=row["signed_by"],
        signer_title=row["signer_title"],
    )


def _items(conn: Connection) -> dict[WorkpaperId, list[ChecklistItem]]:
    query = select(workpaper_item).where(live(workpaper_item)).order_by(workpaper_item.c.seq)
    found: dict[WorkpaperId, list[ChecklistItem]] = defaultdict(list)
    for row in conn.execute(query).mappings():
        answer = Answer(row["answer"]) if row["answer"] else None
        item = ChecklistItem(row["id"], row["seq"], row["prompt"], answer, row["note"], row["person_id"])
        found[row["workpaper_id"]].append(item)
    return found


def _worksheet_reasons(conn: Connection, worksheet: OpinionWorksheet | None) -> tuple[str, ...]:
    if worksheet is None:
        from fieldwork.app.services.judged import read_judgements  # the judgements read the whole file: only when shown

        worksheet = read_judgements(conn).worksheet
    if worksheet.supported:
        return ()
    return (f"The opinion worksheet does not support the opinion recorded: {'; '.join(worksheet.reasons)}",)


def read_workpapers(
    conn: Connection,
    workpaper_id: WorkpaperId | None = None,
    *,
    worksheet: OpinionWorksheet | None = None,
    with_worksheet: bool = True,
) -> list[Workpaper]:
    """The workpapers in reference order, each with its items, links, evidence and what it still misses.

    A workpaper showing the opinion worksheet is not complete while the worksheet does not support the opinion
    recorded; `worksheet` passes one already read (the exports read it once), `with_worksheet=False` skips it.
    """
    query = select(workpaper).where(live(workpaper)).order_by(workpaper.c.ref)
    if workpaper_id is not None:
        query = query.where(workpaper.c.id == workpaper_id)
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    items = _items(conn)
    codes = grouped(
        conn,
        select(workpaper_requirement.c.workpaper_id, workpaper_requirement.c.requirement_code)
        .where(live(workpaper_requirement))
        .order_by(workpaper_requirement.c.requirement_code),
    )
    linked = grouped(
        conn,
        select(workpaper_control.c.workpaper_id, control.c.id, control.c.ref)
        .join(control, control.c.id == workpaper_control.c.control_id)
        .where(live(workpaper_control))
        .order_by(control.c.ref),
    )
    files = evidence_by(conn, evidence_link.c.workpaper_id)
    team, release = read_team(conn), _release_date(conn)
    shows_worksheet = with_worksheet and any(row["shows"] == Shows.OPINION_WORKSHEET.value for row in rows)
    reasons = _worksheet_reasons(conn, worksheet) if shows_worksheet else ()
    made = []
    for row in rows:
        fields, shape, own = _fields(row), _shape(row), tuple(items.get(row["id"], ()))
        file_reasons = reasons if shape.shows is Shows.OPINION_WORKSHEET else ()
        controls = linked.get(row["id"], [])
        found = files.get(row["id"], [])
        made.append(
            Workpaper(
                id=row["id"],
                fields=fields,
                shape=shape,
                completed_at=row["completed_at"],
                items=own,
                requirements=tuple(codes.get(row["id"], ())),
                controls=tuple(ref for _, ref in controls),
                control_ids=tuple(key for key, _ in controls),
                evidence=tuple(ref for _, ref in found),
                evidence_ids=tuple(key for key, _ in found),
                missing=missing(fields, shape, own, team, release, file_reasons),
            )
        )
    return made


def read_workpaper(conn: Connection, workpaper_id: WorkpaperId) -> Workpaper:
    found = read_workpapers(conn, workpaper_id)
    if not found:
        raise NotFoundError("That workpaper no longer exists.")
    return found[0]


def list_workpapers(db: Engagement) -> list[Workpaper]:
    with db.reading() as conn:
        return read_workpapers(conn)


def read_completion_items(conn: Connection, workpapers: Sequence[Workpaper] | None = None) -> list[CompletionItem]:
    """What finalizing checks: every workpaper marked as a completion item, whether it is complete and why not."""
    found = read_workpapers(conn) if workpapers is None else workpapers
    return [completion_item(w) for w in found if w.fields.completion_item]


def completion_items(db: Engagement) -> list[CompletionItem]:
    with db.reading() as conn:
        return read_completion_items(conn)
