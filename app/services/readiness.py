"""The gap view from SOC 2 to SOC 2 + ISO/IEC 42001, and adding an AI control from a template to close gaps.

A client with a SOC 2 control set already serves much of ISO/IEC 42001 through the crosswalk: a control that
serves a SOC 2 criterion reaches the ISO requirements the engagement's crosswalk relates to that criterion.
`read_readiness` says, for each ISO requirement in scope, whether a control is linked to it, reaches it through
SOC 2 (wholly: an equal or subset link; partly: intersect or superset only), or none does. The screen and the
readiness workbook read the same records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from fieldwork.app.ai_library import SERVABLE, ControlTemplate, Library, load_library
from fieldwork.app.domain.readiness import WHOLE, Coverage, Readiness, ReadinessLine, Route
from fieldwork.app.domain.records import Control, EngagementDetails, Mapping, TestPlan
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError
from fieldwork.app.services.controls import insert_control, read_control, read_controls
from fieldwork.app.services.crosswalk_update import VERSION_KEY
from fieldwork.app.services.engagement import read_details, read_facts
from fieldwork.app.services.history import changes, utc_now
from fieldwork.app.services.requirements import read_mappings, read_requirements
from fieldwork.app.services.testing import insert_test
from fieldwork.app.storage.schema import fieldwork_meta, soa_line


def read_readiness(conn: Connection, library: Library) -> Readiness:
    """Every ISO/IEC 42001 subclause and included Annex A control, with how the engagement's controls serve it."""
    excluded = set(conn.execute(select(soa_line.c.annex_code).where(soa_line.c.included.is_(False))).scalars())
    controls = read_controls(conn)
    serving: dict[str, list[Control]] = defaultdict(list)
    for found in controls:
        for code in found.requirements:
            serving[code].append(found)
    links: dict[str, list[Mapping]] = defaultdict(list)
    for link in read_mappings(conn):
        links[link.iso_code].append(link)
    templates: dict[str, list[str]] = defaultdict(list)
    for template in library.templates:
        for code in template.requirements:
            templates[code].append(template.title)
    lines = []
    for requirement in read_requirements(conn):
        if requirement.framework is not Framework.ISO42001 or requirement.kind not in SERVABLE:
            continue
        if requirement.code in excluded:
            continue
        routes = tuple(
            Route(found.ref, found.title, link.soc2_code, link.relationship, link.rationale)
            for link in links[requirement.code]
            for found in serving[link.soc2_code]
        )
        linked = tuple(f"{found.ref} {found.title}" for found in serving[requirement.code])
        lines.append(
            ReadinessLine(
                requirement.code,
                requirement.title,
                _coverage(linked, routes),
                linked,
                routes,
                tuple(templates[requirement.code]),
            )
        )
    held = conn.execute(select(fieldwork_meta.c.value).where(fieldwork_meta.c.key == VERSION_KEY)).scalar() or ""
    return Readiness(tuple(lines), tuple(sorted(excluded)), held)


def _coverage(linked: tuple[str, ...], routes: tuple[Route, ...]) -> Coverage:
    if linked:
        return Coverage.LINKED
    if any(route.relationship in WHOLE for route in routes):
        return Coverage.THROUGH_SOC2
    return Coverage.PARTLY if routes else Coverage.GAP


@dataclass(frozen=True)
class ReadinessPage:
    """What the readiness screen and workbook show: the gap view, the library it offers, and whose it is."""

    details: EngagementDetails
    engagement_id: str
    readiness: Readiness
    library: Library
    generated_at: str


def readiness_page(db: Engagement, library: Library | None = None) -> ReadinessPage:
    """The library is read first (its files, outside any transaction), then the engagement in one snapshot."""
    library = library or load_library()
    with db.reading() as conn:
        facts = read_facts(conn, db.encrypted)
        return ReadinessPage(read_details(conn), facts.engagement_id, read_readiness(conn, library), library, utc_now())


def add_template(db: Engagement, template: ControlTemplate) -> Control:
    """Create the template's control, linked to the requirements it serves, with its suggested tests: one change."""
    with changes(db) as ch:
        control_id = insert_control(ch, template.control, template.requirements)
        for procedure in template.tests:
            insert_test(ch, control_id, TestPlan(procedure.kind, procedure.procedure, procedure.methods))
        detail = {"template": template.id, "source": template.source, "tests": [test.id for test in template.tests]}
        ch.record("add from template", "control", str(control_id), detail)
        return read_control(ch.conn, control_id)


def find_template(library: Library, template_id: str) -> ControlTemplate:
    found = library.template(template_id)
    if found is None:
        known = ", ".join(template.id for template in library.templates)
        raise NotFoundError(f"There is no AI control template {template_id!r} (the templates are: {known}).")
    return found
