"""What can be signed off, and each item's content as a sign-off fingerprints it.

A sign-off records the hash of its item's content when signed; the item is "changed after review" when its
content now hashes differently, however the change arrived (the app, a script, a merge). So the content is
everything a reviewer reviews: a test with its sample, deviations, population and evidence; a control with its
links; a conclusion with what it considered; a finding with its links and life cycle. Contents are read in bulk,
one query per table (or for one item), so the workbook can show every item's state at scale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, select
from sqlalchemy.sql.elements import ColumnElement

from fieldwork.app.domain.ids import WorkpaperId, parse_id
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.errors import NotFoundError
from fieldwork.app.storage.chain import content_hash
from fieldwork.app.storage.schema import (
    compensating_control,
    conclusion_deviation,
    control,
    control_requirement,
    control_test,
    description_section,
    deviation,
    deviation_sample_item,
    evidence,
    evidence_link,
    finding,
    finding_deviation,
    finding_requirement,
    live,
    opinion,
    population,
    requirement_conclusion,
    sample_item,
    soa_line,
)


class ItemType(Labelled):
    """The kinds of item a preparer and a reviewer sign; the value is how the file names them."""

    CONTROL = "control", "Control"
    TEST = "control_test", "Test"
    CONCLUSION = "requirement_conclusion", "Conclusion"
    FINDING = "finding", "Finding"
    SOA_LINE = "soa_line", "SoA line"
    DESCRIPTION = "description_section", "Description section"
    OPINION = "opinion", "Opinion"
    WORKPAPER = "workpaper", "Workpaper"


#: The opinion is one item, whatever its areas.
OPINION_KEY = "opinion"

#: The page a reviewer lands on from each kind of item (a note, a changed item): items keyed by a UUID are opened by
#: it, the others by their code; the opinion is the worksheet.
PAGES = {
    ItemType.CONTROL: Page.CONTROL,
    ItemType.TEST: Page.TEST,
    ItemType.CONCLUSION: Page.REQUIREMENT,
    ItemType.FINDING: Page.FINDINGS,
    ItemType.SOA_LINE: Page.SOA,
    ItemType.DESCRIPTION: Page.SETTINGS,
    ItemType.OPINION: Page.OPINION,
    ItemType.WORKPAPER: Page.WORKPAPER,
}


def written_key(item_type: ItemType, key: str) -> str:
    """How a workbook row and `review notes --json` name an item, read back by `resolve_item`: "control_test:<id>"."""
    return f"{item_type.value}:{key}"


def item_target(item_type: ItemType, key: str) -> Target:
    """Where an item is opened, from the key the file keeps for it (its sign-offs', its notes')."""
    page = PAGES[ItemType(item_type)]
    if page.key_type is UUID:
        return Target(page, parse_id(key))
    return Target(page, key if page.key_type is str else None)


@dataclass(frozen=True)
class Item:
    """One signable item: how the file keys it, how people name it, and its content's hash now."""

    item_type: ItemType
    key: str
    ref: str
    content_hash: str


#: (key, the reference people use, the content) for each item of one type (or the one asked for).
Contents = Iterator[tuple[str, str, Any]]


def _live(conn: Connection, table: Table, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Live rows as plain dicts, without the bookkeeping a change of which is not a change of content."""
    query = select(table).where(live(table), *where)
    rows = conn.execute(query).mappings()
    return [{k: v for k, v in row.items() if k not in ("version", "deleted_at")} for row in rows]


def _by(rows: list[dict[str, Any]], column: str, drop: tuple[str, ...] = ("id",)) -> dict[Any, list[dict[str, Any]]]:
    found: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row[column]].append({k: v for k, v in row.items() if k != column and k not in drop})
    return found


def _refs(conn: Connection, query: Any) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = defaultdict(list)
    for key, ref in conn.execute(query):
        found[key].append(ref)
    return {key: sorted(refs) for key, refs in found.items()}


def _files(conn: Connection, column: str, within: Any = None) -> dict[Any, list[str]]:
    """Evidence references per item the links name in `column`."""
    target = evidence_link.c[column]
    query = select(target, evidence.c.ref).join(evidence, evidence.c.id == evidence_link.c.evidence_id)
    query = query.where(target.is_not(None), live(evidence_link))
    return _refs(conn, query if within is None else query.where(target.in_(within)))


def _uuid(key: str | None) -> UUID | None:
    if key is None:
        return None
    found = parse_id(key)
    if found is None:
        raise NotFoundError(f"There is no item {key} in this engagement.")
    return found


def _controls(conn: Connection, key: str | None) -> Contents:
    only = _uuid(key)
    where = [] if only is None else [control.c.id == only]
    link = control_requirement.c
    links = select(link.control_id, link.requirement_code).where(live(control_requirement))
    linked = _refs(conn, links if only is None else links.where(link.control_id == only))
    files = _files(conn, "control_id")
    for row in _live(conn, control, *where):
        cid = row.pop("id")
        yield str(cid), row["ref"], {**row, "requirements": linked.get(cid, []), "evidence": files.get(cid, [])}


def _tests(conn: Connection, key: str | None) -> Contents:
    only = _uuid(key)

    def of(table: Table) -> list[ColumnElement[bool]]:
        return [] if only is None else [table.c.test_id == only]

    items = _live(conn, sample_item, *of(sample_item))
    seq_of = {row["id"]: row["seq"] for row in items}
    items_of: dict[Any, list[Any]] = {}
    for row in items:
        items_of.setdefault(row["test_id"], []).append(row["id"])
    sample = _by(items, "test_id")
    links = _by(_live(conn, deviation_sample_item), "deviation_id", drop=())
    deviations = _live(conn, deviation, *of(deviation))
    for row in deviations:
        row["sample_items"] = sorted(seq_of.get(link["sample_item_id"], 0) for link in links.get(row["id"], []))
    found_in = _by(deviations, "test_id")
    populations = {row.pop("test_id"): row for row in _live(conn, population, *of(population))}
    files = _files(conn, "test_id")
    item_files = _files(conn, "sample_item_id", None if only is None else list(seq_of))
    for row in _live(conn, control_test, *([] if only is None else [control_test.c.id == only])):
        tid = row.pop("id")
        held = populations.get(tid, {})
        content = {
            **row,
            "sample": sample.get(tid, []),
            "deviations": found_in.get(tid, []),
            "population": {k: held[k] for k in ("source_name", "source_sha256", "row_count") if k in held},
            "evidence": files.get(tid, []),
            "item_evidence": sorted((seq_of[i], ref) for i in items_of.get(tid, []) for ref in item_files.get(i, [])),
        }
        yield str(tid), row["ref"], content


def _conclusions(conn: Connection, key: str | None) -> Contents:
    where = [] if key is None else [requirement_conclusion.c.requirement_code == key]
    considered = _refs(
        conn,
        select(conclusion_deviation.c.requirement_code, deviation.c.ref)
        .join(deviation, deviation.c.id == conclusion_deviation.c.deviation_id)
        .where(live(conclusion_deviation)),
    )
    compensating = _refs(
        conn,
        select(compensating_control.c.requirement_code, control.c.ref)
        .join(control, control.c.id == compensating_control.c.control_id)
        .where(live(compensating_control)),
    )
    for row in _live(conn, requirement_conclusion, *where):
        code = row.pop("requirement_code")
        extra = {"deviations": considered.get(code, []), "compensating_controls": compensating.get(code, [])}
        yield code, code, {**row, **extra}


def _findings(conn: Connection, key: str | None) -> Contents:
    only = _uuid(key)
    raised = finding_requirement.c
    against = _refs(conn, select(raised.finding_id, raised.requirement_code).where(live(finding_requirement)))
    from_deviations = _refs(
        conn,
        select(finding_deviation.c.finding_id, deviation.c.ref)
        .join(deviation, deviation.c.id == finding_deviation.c.deviation_id)
        .where(live(finding_deviation)),
    )
    files = _files(conn, "finding_id")
    for row in _live(conn, finding, *([] if only is None else [finding.c.id == only])):
        fid = row.pop("id")
        links = {
            "requirements": against.get(fid, []),
            "deviations": from_deviations.get(fid, []),
            "evidence": files.get(fid, []),
        }
        yield str(fid), row["ref"], {**row, **links}


def _natural(table: Table, column: str) -> Callable[[Connection, str | None], Contents]:
    """Items keyed by a code every copy shares (an SoA line, a description section)."""

    def read(conn: Connection, key: str | None) -> Contents:
        for row in _live(conn, table, *([] if key is None else [table.c[column] == key])):
            yield row[column], row[column], row

    return read


def _opinion(conn: Connection, key: str | None) -> Contents:
    if key not in (None, OPINION_KEY):
        return
    yield OPINION_KEY, "Opinion", sorted(_live(conn, opinion), key=lambda row: row["area"])


def _workpapers(conn: Connection, key: str | None) -> Contents:
    """An engagement workpaper: what its content() says (text, checklist answers, dates, signer)."""
    from fieldwork.app.services.workpapers import read_workpapers

    found = _uuid(key)
    if key is not None and found is None:
        return
    for paper in read_workpapers(conn, None if found is None else WorkpaperId(found)):
        yield str(paper.id), paper.fields.ref, paper.content()


READERS: dict[ItemType, Callable[[Connection, str | None], Contents]] = {
    ItemType.CONTROL: _controls,
    ItemType.TEST: _tests,
    ItemType.CONCLUSION: _conclusions,
    ItemType.FINDING: _findings,
    ItemType.SOA_LINE: _natural(soa_line, "annex_code"),
    ItemType.DESCRIPTION: _natural(description_section, "code"),
    ItemType.OPINION: _opinion,
    ItemType.WORKPAPER: _workpapers,
}


def read_items(conn: Connection, item_type: ItemType, key: str | None = None) -> dict[str, Item]:
    """Every item of a type (or the one keyed `key`), with its content's hash now."""
    kind = ItemType(item_type)
    return {found: Item(kind, found, ref, content_hash(content)) for found, ref, content in READERS[kind](conn, key)}


#: Up to this many signed items of a kind are hashed one by one; beyond it, all items of the kind in one read.
#: Measured at --scale 20 (3,160 tests, /tmp scripts in the issue-16-ui report): all tests in one read 240-530 ms,
#: one test 7-10 ms; so a navigator refresh after an edit costs 20 ms, not 450, while few items are signed.
ONE_BY_ONE = 40


def read_signed_items(conn: Connection, item_type: ItemType, keys: Collection[str]) -> dict[str, Item]:
    """The items keyed `keys` (those signed), with their content's hash now; those deleted since are left out."""
    if len(keys) > ONE_BY_ONE:
        every = read_items(conn, item_type)
        return {key: every[key] for key in keys if key in every}
    return {found: item for key in keys for found, item in read_items(conn, item_type, key).items()}


def read_item(conn: Connection, item_type: ItemType, key: str) -> Item:
    found = read_items(conn, item_type, key).get(key)
    if found is None:
        raise NotFoundError(f"There is no {ItemType(item_type).label.lower()} {key} to sign in this engagement.")
    return found


def resolve_item(conn: Connection, text: str) -> tuple[ItemType, str]:
    """An item named as a workbook row keys it ("control_test:<uuid>") or as people do: C-001, C-001.T2, F-001,
    A-100 (a workpaper), DC4, "opinion", or a requirement's code (its conclusion where one is recorded, else its
    SoA line)."""
    from fieldwork.app.services.controls import find_control_id
    from fieldwork.app.services.findings import find_finding_id
    from fieldwork.app.services.testing import find_test_id
    from fieldwork.app.services.workpapers import find_workpaper_id

    said = text.strip()
    kind, _, key = said.partition(":")  # as `written_key` wrote it
    if key and kind in {k.value for k in ItemType}:
        return read_item(conn, ItemType(kind), key).item_type, key
    upper = said.upper()
    if upper == OPINION_KEY.upper():
        return ItemType.OPINION, OPINION_KEY
    finders = (
        (ItemType.TEST, find_test_id),
        (ItemType.CONTROL, find_control_id),
        (ItemType.FINDING, find_finding_id),
        (ItemType.WORKPAPER, find_workpaper_id),
    )
    for found_type, finder in finders:
        try:
            return found_type, str(finder(conn, said))
        except NotFoundError:
            continue
    for found_type in (ItemType.CONCLUSION, ItemType.SOA_LINE, ItemType.DESCRIPTION):
        if read_items(conn, found_type, upper if found_type is not ItemType.CONCLUSION else said):
            return found_type, upper if found_type is not ItemType.CONCLUSION else said
    raise NotFoundError(f"There is no item {said!r} in this engagement to sign or note.")
