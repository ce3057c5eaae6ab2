"""The demo engagement: a fictional AI software company, from `resources/sample`.

`scale` repeats the controls (with their tests, samples and deviations) to make large
engagements for benchmarks; every copy keeps the same requirement links. Sample items
are generated from each test's plan with its own seed, dated across the days the test
covers, so the demo is the same on every machine. Controls may carry the dates they were
in operation and the control they replaced; tests, their round and window.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from fieldwork.app.demo_ai import fill_demo_ai, fill_demo_fairness
from fieldwork.app.demo_evidence import fill_demo_evidence
from fieldwork.app.demo_judgements import fill_demo_judgements
from fieldwork.app.demo_review import act_as, fill_demo_review, team_of
from fieldwork.app.demo_subservice import fill_demo_subservice
from fieldwork.app.demo_workpapers import fill_demo_workpapers
from fieldwork.app.domain.ids import new_id
from fieldwork.app.domain.over_time import Span, covered_window, in_operation
from fieldwork.app.domain.records import EngagementDetails, TeamMember, Tickmark
from fieldwork.app.domain.refs import control_test_ref
from fieldwork.app.domain.vocabulary import (
    ImplementationStatus,
    ReportType,
    Role,
    SampleResult,
)
from fieldwork.app.resources import resource_path
from fieldwork.app.services.engagement import create_engagement, put_tickmark
from fieldwork.app.services.history import Changes
from fieldwork.app.storage.database import Passphrase
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import (
    control,
    control_requirement,
    control_test,
    description_section,
    deviation,
    deviation_sample_item,
    sample_item,
    soa_line,
)
from fieldwork.app.workpaper_templates import load_workpaper_templates


def load_demo_content() -> dict[str, Any]:
    with resource_path("sample", "demo_engagement.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def demo_details(data: dict[str, Any]) -> EngagementDetails:
    raw = data["engagement"]
    return EngagementDetails(
        client=raw["client"],
        system_name=raw["system"],
        report_type=ReportType(raw["report_type"]),
        period_start=date.fromisoformat(raw["period_start"]),
        period_end=date.fromisoformat(raw["period_end"]),
        tsc_categories=tuple(raw["tsc_categories"]),
        iso_scope=raw["iso_scope"],
        auditor_firm=raw.get("auditor_firm", ""),
        auditor_city=raw.get("auditor_city", ""),
    )


@dataclass
class _Rows:
    controls: list[dict[str, Any]]
    links: list[dict[str, Any]]
    tests: list[dict[str, Any]]
    items: list[dict[str, Any]]
    deviations: list[dict[str, Any]]
    deviation_items: list[dict[str, Any]]


DEVIATION, NO_EXCEPTION = SampleResult.DEVIATION.value, SampleResult.NO_EXCEPTION.value


def _day(raw: dict[str, Any], key: str) -> date | None:
    return date.fromisoformat(raw[key]) if raw.get(key) else None


def _sample_rows(
    test: dict[str, Any],
    test_id: UUID,
    copy: int,
    window: Span,
    deviation_text: dict[int, str],
    deviation_dates: dict[int, date],
) -> list[dict[str, Any]]:
    """The sample as drawn; an item a deviation names carries the date the deviation states, and the items
    are numbered in date order with it (a deviation "made on 2026-02-11" is not dated in January)."""
    size = int(test.get("sample_size") or 0)
    population = max(int(test.get("population_size") or size), size)
    rng = random.Random(int(test.get("seed") or 0) * 1000 + copy)
    picks = sorted(rng.sample(range(population), size))
    recorded = round(size * float(test.get("progress", 1)))
    start, span = window.start, window.days - 1
    prefix, spread = test.get("item_prefix", "ITEM-"), max(population, 1)
    rows = []
    for seq, index in enumerate(picks, start=1):
        is_deviation = (seq - 1) in deviation_text
        has_result = seq <= recorded or is_deviation
        result = None
        if has_result:
            result = DEVIATION if is_deviation else NO_EXCEPTION
        rows.append(
            {
                "id": new_id(),
                "test_id": test_id,
                "seq": seq,
                "identifier": f"{prefix}{1001 + index}",
                "item_date": deviation_dates.get(seq - 1, start + timedelta(days=(index * span) // spread)),
                "result": result,
                "tickmarks": "x" if is_deviation else ("a" if has_result else ""),
                "deviation_text": deviation_text.get(seq - 1, ""),
            }
        )
    for seq, row in enumerate(sorted(rows, key=lambda row: cast(date, row["item_date"])), start=1):
        row["seq"] = seq  # stable: items of one date keep their drawn order
    return rows  # in drawn order, as the deviations' sample_index counts them


def _control_rows(data: dict[str, Any], scale: int, period: Span) -> _Rows:
    rows = _Rows([], [], [], [], [], [])
    for copy in range(1, scale + 1):
        ids = {raw["ref"]: new_id() for raw in data["controls"]}
        for raw in data["controls"]:
            ref = raw["ref"] if copy == 1 else f"{raw['ref']}-{copy}"
            control_id = ids[raw["ref"]]
            rows.controls.append(
                {
                    "id": control_id,
                    "ref": ref,
                    "title": raw["title"],
                    "description": raw["description"],
                    "owner": raw["owner"],
                    "frequency": raw["frequency"],
                    "nature": raw["nature"],
                    "control_type": raw["control_type"],
                    "is_key": bool(raw["key"]),
                    "effective_from": _day(raw, "effective_from"),
                    "effective_to": _day(raw, "effective_to"),
                    "replaces_id": ids[raw["replaces"]] if raw.get("replaces") else None,
                }
            )
            rows.links += [{"control_id": control_id, "requirement_code": code} for code in raw["requirements"]]
            operating = in_operation(period, _day(raw, "effective_from"), _day(raw, "effective_to"))
            for number, test in enumerate(raw["tests"], start=1):
                window = covered_window(period, operating, _day(test, "window_start"), _day(test, "window_end"))
                assert window is not None
                _add_test(rows, test, control_id, control_test_ref(ref, number), copy, window)
    return rows


def _add_test(rows: _Rows, test: dict[str, Any], control_id: UUID, ref: str, copy: int, window: Span) -> None:
    test_id = new_id()
    rows.tests.append(
        {
            "id": test_id,
            "ref": ref,
            "control_id": control_id,
            "kind": test["kind"],
            "procedure": test["procedure"],
            "methods": list(test["methods"]),
            "population": test.get("population", ""),
            "population_size": test.get("population_size"),
            "sample_size": test.get("sample_size"),
            "size_override_reason": test.get("size_override_reason"),
            "selection": test.get("selection"),
            "seed": test.get("seed"),
            "conclusion": test.get("conclusion"),
            "conclusion_note": test.get("conclusion_note", ""),
            "round": test.get("round"),
            "window_start": _day(test, "window_start"),
            "window_end": _day(test, "window_end"),
        }
    )
    texts: dict[int, str] = {}
    dates: dict[int, date] = {}
    found_in: list[tuple[UUID, list[int]]] = []
    for number, found in enumerate(test.get("deviations", []), start=1):
        for index in found["sample_index"]:
            texts[index] = found["description"]
        for index, stated in zip(found["sample_index"], found.get("item_dates", ()), strict=False):
            dates[index] = date.fromisoformat(stated)
        deviation_id = new_id()
        found_in.append((deviation_id, found["sample_index"]))
        rows.deviations.append(
            {
                "id": deviation_id,
                "ref": f"{ref}.D{number}",
                "test_id": test_id,
                "description": found["description"],
                "root_cause": found.get("root_cause", ""),
                "management_response": found.get("management_response", ""),
                "effect": found.get("effect", ""),
                "nature": found.get("nature"),
                "expected_deviations": found.get("expected_deviations"),
                "extended": bool(found.get("extended")),
                "extension_result": found.get("extension_result", ""),
                "evaluation": found.get("evaluation", ""),
            }
        )
    if test["kind"] == "operating":
        items = _sample_rows(test, test_id, copy, window, texts, dates)
        rows.items += items
        for deviation_id, indexes in found_in:
            rows.deviation_items += [
                {"deviation_id": deviation_id, "sample_item_id": items[index]["id"]} for index in indexes
            ]


def fill_demo(ch: Changes, data: dict[str, Any], scale: int) -> None:
    """Write the demo's records into a new engagement, in the caller's transaction."""
    details = demo_details(data)
    period = details.period
    assert period is not None
    team = team_of(ch)  # each part recorded as the member who would have done it
    act_as(ch, team["OC"])
    for mark in data.get("tickmarks", []):
        put_tickmark(ch, Tickmark(mark["symbol"], mark["meaning"]))
    for code, text in data.get("system_description", {}).items():
        ch.update(description_section, {"code": code}, {"text": text})
    for line in data.get("soa", []):
        status = line.get("implementation_status")
        ch.update(
            soa_line,
            {"annex_code": line["control"]},
            {
                "included": bool(line["included"]),
                "justification": line.get("justification", ""),
                "implementation_status": ImplementationStatus(status).value if status else None,
            },
        )
    rows = _control_rows(data, scale, period)
    ch.insert_many(control, rows.controls)
    ch.insert_many(control_requirement, rows.links)
    ch.insert_many(control_test, rows.tests)
    fill_demo_ai(ch, data)
    fill_demo_subservice(ch, data)
    act_as(ch, team["PN"])
    ch.insert_many(sample_item, rows.items)
    ch.insert_many(deviation, rows.deviations)
    ch.insert_many(deviation_sample_item, rows.deviation_items)
    fill_demo_evidence(ch, data)
    fill_demo_fairness(ch)
    act_as(ch, team["HB"])
    fill_demo_judgements(ch, data)
    act_as(ch, team["OC"])
    fill_demo_workpapers(ch, data)
    fill_demo_review(ch, data)


def create_demo(path: Path | str, passphrase: Passphrase = None, scale: int = 1) -> EngagementFile:
    """Write the demo engagement to a new file (atomically: all of it or nothing)."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    data = load_demo_content()
    team = [TeamMember(m["name"], m["initials"], Role(m["role"])) for m in data["team"]]
    db, _warnings = create_engagement(
        path,
        demo_details(data),
        team,
        passphrase,
        fill=lambda ch: fill_demo(ch, data, scale),
        workpapers=load_workpaper_templates(firm_files=False),  # the same demo on every machine
    )
    return db
