"""The demo's engagement workpapers, partly done, and its IPE assessments for most populations.

Planning is done (acceptance, the risk assessment, materiality) but for one partner's independence confirmation;
the description's testing is under way; the completion workpapers wait for the end of fieldwork, the opinion memo
in draft. Most populations are assessed complete and accurate; one listing was found incomplete and the tests
still open have theirs to come. Everything goes through the services' rules: a workpaper is marked complete only
if nothing is missing, an assessment's result only with what it rests on.
"""

from __future__ import annotations

import io
import random
from datetime import date
from typing import Any

from fieldwork.app.demo_evidence import document
from fieldwork.app.domain.ipe import IpeInput, IpeResult
from fieldwork.app.domain.workpapers import Answer
from fieldwork.app.services.controls import find_control_id
from fieldwork.app.services.engagement import read_team
from fieldwork.app.services.evidence import Link, LinkKind, Receipt, attach_stream
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import Changes
from fieldwork.app.services.ipe import insert_key_report, put_population
from fieldwork.app.services.testing import find_test_id, read_test
from fieldwork.app.services.workpapers import find_workpaper_id, put_answer, put_complete, put_links, read_workpaper
from fieldwork.app.storage.schema import workpaper
from fieldwork.app.tasks import Task

#: The demo's engagement letter, kept on the acceptance workpaper.
LETTER_SECTIONS = ("Scope and period", "Responsibilities of management", "Responsibilities of the service auditor")


def _answers(ch: Changes, ref: str, raw: dict[str, Any]) -> None:
    found = read_workpaper(ch.conn, find_workpaper_id(ch.conn, ref))
    initials = {m.id: m.initials for m in read_team(ch.conn)}
    general = [item for item in found.items if item.person_id is None]
    for item, (answer, note) in zip(general, raw.get("answers", []), strict=False):
        put_answer(ch, item.id, Answer(answer), note)
    by_member = raw.get("answers_by_member", {})
    for item in found.items:
        if item.person_id is not None and initials.get(item.person_id) in by_member:
            answer, note = by_member[initials[item.person_id]]
            put_answer(ch, item.id, Answer(answer), note)


def _workpaper(ch: Changes, ref: str, raw: dict[str, Any]) -> None:
    workpaper_id = find_workpaper_id(ch.conn, ref)
    if "body" in raw:
        ch.update(workpaper, {"id": workpaper_id}, {"body": raw["body"]})
    _answers(ch, ref, raw)
    if raw.get("requirements") or raw.get("controls"):
        controls = [find_control_id(ch.conn, control_ref) for control_ref in raw.get("controls", [])]
        put_links(ch, workpaper_id, raw.get("requirements", []), controls)
    if raw.get("evidence"):
        content = document(raw["evidence"].removesuffix(".md"), LETTER_SECTIONS)(random.Random(ref))
        target = Link(LinkKind.WORKPAPER, workpaper_id)
        source = io.BytesIO(content.encode("utf-8"))
        receipt = Receipt(date.fromisoformat(raw["received"]), raw["provided_by"])
        attach_stream(ch, source, raw["evidence"], [target], receipt, ByteProgress(Task(), 0))
    if raw.get("complete"):
        put_complete(ch, workpaper_id)


def _assessment(raw: dict[str, Any], procedures: dict[str, str], count: int | None) -> IpeInput:
    procedure = procedures.get(raw.get("procedure", ""), "")
    text = procedure.format(by=raw["by"], system=raw["system"], count=count)
    result = raw.get("result", "reliable") if procedure else None
    return IpeInput(
        source_system=raw["system"],
        report=raw["report"],
        parameters=raw["parameters"],
        produced_by=raw["by"],
        produced_on=date.fromisoformat(raw["on"]),
        observed=raw["observed"],
        procedures=text.strip(),
        result=IpeResult(result) if result else None,
        name=raw.get("name", ""),
    )


def fill_demo_workpapers(ch: Changes, data: dict[str, Any]) -> None:
    """Write the demo's workpaper answers and IPE assessments in the caller's transaction (after its tests)."""
    for ref, raw in data.get("workpapers", {}).items():
        _workpaper(ch, ref, raw)
    ipe = data.get("ipe", {})
    procedures = ipe.get("procedures", {})
    for raw in ipe.get("populations", []):
        test_id = find_test_id(ch.conn, raw["test"])
        put_population(ch, test_id, _assessment(raw, procedures, read_test(ch.conn, test_id).population_size))
    for raw in ipe.get("reports", []):
        insert_key_report(ch, find_control_id(ch.conn, raw["control"]), _assessment(raw, procedures, None))
