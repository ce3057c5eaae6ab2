"""`fieldwork test add | list` and `fieldwork result set`: test plans and sample results from a script.

Every verb goes through the services the app uses, so each change is one action in the history. The services
are imported by the command that runs, so registering the verbs stays cheap.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.arguments import choice
from fieldwork.app.cli.control_verbs import NONE
from fieldwork.app.cli.engagement_verbs import _date
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.domain.over_time import TestRound, TestTiming
from fieldwork.app.domain.records import SampleItemInput, TestPlan
from fieldwork.app.domain.timeline import test_title
from fieldwork.app.domain.vocabulary import Method, SampleResult, TestKind
from fieldwork.app.errors import ValidationError

if TYPE_CHECKING:
    from fieldwork.app.domain.records import ControlTest, SampleItem
    from fieldwork.app.storage.engagement_file import EngagementFile


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tests = verbs.add_parser("test", help="add and list tests of controls")
    actions = tests.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a test to a control")
    add.add_argument("file", type=Path)
    add.add_argument("--control", required=True, metavar="REF", help="the control's reference (C-001) or id")
    add.add_argument("--kind", required=True, type=choice(TestKind), help="design or operating")
    add.add_argument("--procedure", default="", help="what the auditor does")
    add.add_argument("--method", action="append", default=[], type=choice(Method), help="inspection, ...; repeat")
    add.add_argument("--population", default="", metavar="TEXT", help="what the population is and where it is from")
    add.add_argument("--size", type=int, metavar="N", help="the planned sample size")
    add.add_argument("--round", type=choice(TestRound), help="interim, update or remediation_retest")
    add.add_argument("--window-start", type=_date, metavar="DATE", help="the first day the test covers")
    add.add_argument("--window-end", type=_date, metavar="DATE", help="the last day the test covers")
    add_passphrase_options(add)
    add.set_defaults(func=cmd_add)

    listing = actions.add_parser("list", help="list the tests (of one control, or all)")
    listing.add_argument("file", type=Path)
    listing.add_argument("--control", metavar="REF", help="only this control's tests")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(listing)
    listing.set_defaults(func=cmd_list)

    result = verbs.add_parser("result", help="record sample results")
    result_actions = result.add_subparsers(dest="action", metavar="ACTION", required=True)
    put = result_actions.add_parser("set", help="record the result of a sample item (or add the next item)")
    put.add_argument("file", type=Path)
    put.add_argument("--test", required=True, metavar="REF", help="the test's reference (C-001.T2) or id")
    put.add_argument("--item", required=True, type=int, metavar="N", help="the item's number in the sample")
    put.add_argument("--result", required=True, help="no_exception, deviation, or none to clear it")
    put.add_argument("--deviation", metavar="TEXT", help="what was found (needed for a deviation)")
    put.add_argument("--tickmarks", metavar="MARKS", help="tickmarks from the legend, e.g. 'a c'")
    put.add_argument("--identifier", help="the item's identifier; with a new N, adds the item")
    put.add_argument("--date", type=_date, metavar="DATE", help="the item's date")
    add_passphrase_options(put)
    put.set_defaults(func=cmd_result)


def cmd_add(args: argparse.Namespace) -> int:
    from fieldwork.app.services.test_windows import add_timed_test

    plan = TestPlan(args.kind, args.procedure, tuple(args.method), args.population, sample_size=args.size)
    timing = TestTiming(args.round, args.window_start, args.window_end)
    with open_for_command(args.file, args.passphrase_file) as db:
        made = add_timed_test(db, args.control, plan, timing)
    window = f", covering {made.window.label}" if made.window and made.kind is TestKind.OPERATING else ""
    print(f"Added {made.ref}: {test_title(made)}{window}.")
    return 0


def test_document(test: ControlTest) -> dict[str, Any]:
    window = test.window
    return {
        "id": str(test.id),
        "ref": test.ref,
        "control": test.control_ref,
        "kind": test.kind.value,
        "round": test.round.value if test.round else None,
        "procedure": test.procedure,
        "methods": [method.value for method in test.methods],
        "population": test.population,
        "planned_size": test.sample_size,
        "window": {"from": window.start.isoformat(), "to": window.end.isoformat()} if window else None,
        "status": test.status.value,
        "conclusion": test.conclusion.value if test.conclusion else None,
        "sample_items": test.items_total,
        "items_with_result": test.items_with_result,
        "deviations": test.deviation_count,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from fieldwork.app.services.controls import find_control_id
    from fieldwork.app.services.testing import read_tests

    with open_for_command(args.file, args.passphrase_file) as db, db.reading() as conn:
        control_id = find_control_id(conn, args.control) if args.control else None
        found = read_tests(conn, control_id=control_id)
    if args.json:
        json.dump([test_document(t) for t in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for test in found:
        sample = f"{test.items_with_result}/{test.sample_size or test.items_total}" if test.items_total else "-"
        window = test.window.label if test.window and test.kind is TestKind.OPERATING else ""
        print(f"{test.ref:<14} {test_title(test)[:48]:<48} {test.status.label:<12} {sample:>7}  {window}")
    return 0


def _result(text: str) -> SampleResult | None:
    if text.strip().lower() == NONE:
        return None
    try:
        return SampleResult(SampleResult.parse(text))
    except ValueError as exc:
        raise ValidationError(f"--result {exc}.") from None


def cmd_result(args: argparse.Namespace) -> int:
    from fieldwork.app.services import testing

    result = _result(args.result)
    with open_for_command(args.file, args.passphrase_file) as db:
        test = testing.get_test(db, args.test)
        items = {item.seq: item for item in testing.list_sample_items(db, test.id)}
        item = items.get(args.item)
        if item is None:
            stored = _add_item(db, test, items, args, result)
        else:
            changed = _changed(item, args, result)
            stored = testing.update_sample_item(db, item.id, changed)
    outcome = stored.result.label if stored.result else "no result"
    print(f"{test.ref} item {stored.seq} ({stored.identifier}): {outcome}.")
    return 0


def _changed(item: SampleItem, args: argparse.Namespace, result: SampleResult | None) -> SampleItemInput:
    values = SampleItemInput(item.identifier, item.item_date, result, item.tickmarks, item.deviation_text)
    given = {
        name: value
        for name, value in (
            ("identifier", args.identifier),
            ("item_date", args.date),
            ("tickmarks", args.tickmarks),
            ("deviation_text", args.deviation),
        )
        if value is not None
    }
    if result is not SampleResult.DEVIATION and "deviation_text" not in given:
        given["deviation_text"] = ""
    return replace(values, **given)


def _add_item(
    db: EngagementFile,
    test: ControlTest,
    items: dict[int, SampleItem],
    args: argparse.Namespace,
    result: SampleResult | None,
) -> SampleItem:
    from fieldwork.app.services import testing

    following = max(items, default=0) + 1
    if args.identifier is None or args.item != following:
        held = f"its items are numbered up to {max(items)}" if items else "it has no items yet"
        raise ValidationError(
            f"{test.ref} has no sample item {args.item} ({held}); give --identifier to add item {following}."
        )
    values = SampleItemInput(args.identifier, args.date, result, args.tickmarks or "", args.deviation or "")
    return testing.add_sample_items(db, test.id, [values])[0]
