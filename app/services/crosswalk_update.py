"""Offering a newer bundled crosswalk to an engagement, and accepting it.

An engagement copies the crosswalk into its own `mapping` rows when it is created and records the version in
`fieldwork_meta` (`catalog_crosswalk`). It keeps them until the user accepts a newer one: then the links the
crosswalk added are inserted, the ones it retired are deleted and the ones it reworded are updated, in one
change, each in the history, with the new version recorded. The engagement's own links (origin `engagement`:
added by the auditor, or a bundled link the auditor re-judged) are never touched, and a bundled link switched
off for the engagement stays off.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from fieldwork.app.catalog import CrosswalkLink, load_catalog
from fieldwork.app.domain.crosswalk import CrosswalkChange, CrosswalkUpdate, LinkChange
from fieldwork.app.domain.records import Mapping
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.history import changes
from fieldwork.app.services.requirements import read_mappings
from fieldwork.app.storage.schema import fieldwork_meta, mapping, requirement

VERSION_KEY = "catalog_crosswalk"
CATALOG = "catalog"
#: Why a link is removed when the bundled crosswalk does not say.
NO_REASON = "The bundled crosswalk no longer makes this link."


def read_crosswalk_update(conn: Connection) -> CrosswalkUpdate:
    """What accepting the bundled crosswalk would change; no changes unless it is newer than the one held."""
    catalog = load_catalog()
    bundled = catalog.versions["crosswalk"]
    held = conn.execute(select(fieldwork_meta.c.value).where(fieldwork_meta.c.key == VERSION_KEY)).scalar() or ""
    rows = read_mappings(conn, active_only=False)
    own = {(row.iso_code, row.soc2_code) for row in rows if row.origin != CATALOG}
    update = CrosswalkUpdate(held, bundled, (), len(own))
    if not update.available:
        return update
    known = set(conn.execute(select(requirement.c.code)).scalars())
    ours = {(row.iso_code, row.soc2_code): row for row in rows if row.origin == CATALOG}
    theirs = {(link.iso, link.soc2): link for link in catalog.links if {link.iso, link.soc2} <= known}
    found: list[CrosswalkChange] = []
    for pair, link in theirs.items():
        row = ours.get(pair)
        if row is None and pair not in own:
            found.append(_change(LinkChange.ADDED, link))
        elif row is not None and (row.relationship, row.rationale) != (link.relationship, link.rationale):
            found.append(_change(LinkChange.CHANGED, link, row))
    for pair, row in ours.items():
        if pair not in theirs:
            reason = catalog.retired.get(pair, NO_REASON)
            found.append(CrosswalkChange(LinkChange.REMOVED, *pair, row.relationship, reason))
    order = {item.code: item.order for item in catalog.items}
    found.sort(key=lambda item: (order.get(item.iso_code, 0), order.get(item.soc2_code, 0)))
    return CrosswalkUpdate(held, bundled, tuple(found), len(own))


def _change(kind: LinkChange, link: CrosswalkLink, row: Mapping | None = None) -> CrosswalkChange:
    proposed = (kind, link.iso, link.soc2, link.relationship, link.rationale)
    return CrosswalkChange(*proposed) if row is None else CrosswalkChange(*proposed, row.relationship, row.rationale)


def crosswalk_update(db: Engagement) -> CrosswalkUpdate:
    with db.reading() as conn:
        return read_crosswalk_update(conn)


def accept_crosswalk(db: Engagement) -> CrosswalkUpdate:
    """Take the bundled crosswalk's links into the engagement (one change); returns what was changed.

    Refuses nothing: with no newer crosswalk it changes nothing and says so in what it returns."""
    with changes(db) as ch:
        update = read_crosswalk_update(ch.conn)
        if not update.available:
            return update
        order = {(link.iso, link.soc2): number for number, link in enumerate(load_catalog().links, start=1)}
        for item in update.changes:
            values = {"relationship": item.relationship.value, "rationale": item.rationale, "origin": CATALOG}
            if item.change is LinkChange.ADDED:
                ch.insert(mapping, {**item.key, **values, "sort_order": order[item.iso_code, item.soc2_code]})
            elif item.change is LinkChange.REMOVED:
                ch.delete(mapping, item.key)
            else:
                ch.update(mapping, item.key, values)  # switched off for the engagement: stays off
        if update.held:
            ch.update(fieldwork_meta, {"key": VERSION_KEY}, {"value": update.bundled})
        else:
            ch.insert(fieldwork_meta, {"key": VERSION_KEY, "value": update.bundled})
        counts = {kind.value: update.count(kind) for kind in LinkChange}
        ch.record("accept crosswalk", "crosswalk", update.bundled, {"from": update.held, **counts})
    return update
