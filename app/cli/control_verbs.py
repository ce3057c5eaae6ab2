"""`fieldwork control add | edit | link | list`: the client's controls from a script.

Every verb goes through the services the app uses, so each change is one action in the history. The services
are imported by the command that runs, so registering the verbs stays cheap.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.arguments import choice
from fieldwork.app.cli.engagement_verbs import _date
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.domain.over_time import ControlDates, Span
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import ControlType, Frequency, Nature

if TYPE_CHECKING:
    from fieldwork.app.domain.records import Control

#: Given for a date or a reference to clear it ("--effective-to none").
NONE = "none"


def date_or_none(text: str) -> date | str:
    return NONE if text.strip().lower() == NONE else _date(text)


def _fields(parser: argparse.ArgumentParser, required_title: bool) -> None:
    parser.add_argument("--title", required=required_title, help="a short title")
    parser.add_argument("--description", help="what the control does, as the client describes it")
    parser.add_argument("--owner", help="who performs or owns it")
    parser.add_argument("--frequency", type=choice(Frequency), help=", ".join(f.value for f in Frequency))
    parser.add_argument("--nature", type=choice(Nature), help=", ".join(n.value for n in Nature))
    parser.add_argument("--type", dest="control_type", type=choice(ControlType), help="preventive or detective")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--key", dest="is_key", action="store_true", default=None, help="a key control")
    key.add_argument("--not-key", dest="is_key", action="store_false", help="not a key control")
    dates = parser.add_argument_group("over time (a date, or 'none' to clear it)")
    dates.add_argument("--effective-from", type=date_or_none, metavar="DATE", help="in operation from this day")
    dates.add_argument("--effective-to", type=date_or_none, metavar="DATE", help="in operation until this day")
    dates.add_argument("--replaces", metavar="REF", help="the control this one replaced (from --effective-from)")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    controls = verbs.add_parser("control", help="add, change, link and list the client's controls")
    actions = controls.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a control (with its requirements and dates)")
    add.add_argument("file", type=Path)
    _fields(add, required_title=True)
    add.add_argument("--requirement", action="append", default=[], metavar="CODE", help="a requirement it serves")
    add_passphrase_options(add)
    add.set_defaults(func=cmd_add)

    edit = actions.add_parser("edit", help="change a control's fields (only those given)")
    edit.add_argument("file", type=Path)
    edit.add_argument("control", metavar="REF", help="the control's reference (C-001) or id")
    _fields(edit, required_title=False)
    add_passphrase_options(edit)
    edit.set_defaults(func=cmd_edit)

    link = actions.add_parser("link", help="link a control to requirements (or unlink them)")
    link.add_argument("file", type=Path)
    link.add_argument("control", metavar="REF", help="the control's reference (C-001) or id")
    link.add_argument("codes", nargs="+", metavar="CODE", help="requirement codes (CC6.1, 8.4, A.5.2)")
    link.add_argument("--unlink", action="store_true", help="remove these links instead")
    add_passphrase_options(link)
    link.set_defaults(func=cmd_link)

    listing = actions.add_parser("list", help="list the controls")
    listing.add_argument("file", type=Path)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(listing)
    listing.set_defaults(func=cmd_list)


def _input(args: argparse.Namespace, current: ControlInput) -> ControlInput:
    given = {
        name: getattr(args, name)
        for name in ("title", "description", "owner", "frequency", "nature", "control_type", "is_key")
        if getattr(args, name) is not None
    }
    return replace(current, **given)


def _dates(args: argparse.Namespace, current: ControlDates) -> ControlDates | None:
    """The dates as changed by the arguments, or None when none was given."""
    given = {
        name: None if value == NONE else value
        for name in ("effective_from", "effective_to", "replaces")
        if (value := getattr(args, name)) is not None
    }
    return replace(current, **given) if given else None


def _said(found: Control) -> str:
    dates = f" from {found.effective_from}" if found.effective_from else ""
    dates += f" until {found.effective_to}" if found.effective_to else ""
    replaced = f", replacing {found.replaces_ref}" if found.replaces_ref else ""
    return f"{found.ref} {found.title} ({', '.join(found.requirements) or 'no requirements'}){dates}{replaced}"


def cmd_add(args: argparse.Namespace) -> int:
    from fieldwork.app.services.control_dates import create_dated_control

    values = _input(args, ControlInput(args.title))
    dates = _dates(args, ControlDates()) or ControlDates()
    with open_for_command(args.file, args.passphrase_file) as db:
        made = create_dated_control(db, values, args.requirement, dates)
    print(f"Added {_said(made)}.")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    from fieldwork.app.services.control_dates import edit_control, held_dates
    from fieldwork.app.services.controls import control_input, get_control

    with open_for_command(args.file, args.passphrase_file) as db:
        found = get_control(db, args.control)
        values = control_input(found)
        changed = _input(args, values)
        made = edit_control(db, found.id, changed if changed != values else None, _dates(args, held_dates(found)))
    print(f"Saved {_said(made)}.")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from fieldwork.app.services.controls import get_control, link_requirement, unlink_requirement

    act = unlink_requirement if args.unlink else link_requirement
    with open_for_command(args.file, args.passphrase_file) as db:
        found = get_control(db, args.control)
        for code in args.codes:
            found = act(db, found.id, code.strip())
    print(f"{found.ref} serves {', '.join(found.requirements) or 'no requirement'}.")
    return 0


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _spans(spans: list[Span]) -> list[dict[str, str]]:
    return [{"from": span.start.isoformat(), "to": span.end.isoformat()} for span in spans]


def control_document(found: Control, untested: list[Span]) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "ref": found.ref,
        "title": found.title,
        "description": found.description,
        "owner": found.owner,
        "frequency": found.frequency.value,
        "nature": found.nature.value,
        "type": found.control_type.value,
        "key": found.is_key,
        "requirements": list(found.requirements),
        "effective_from": _day(found.effective_from),
        "effective_to": _day(found.effective_to),
        "replaces": found.replaces_ref,
        "replaced_by": found.replaced_by_ref,
        "untested": _spans(untested),
        "predecessor_id": str(found.predecessor_id) if found.predecessor_id else None,
    }


def cmd_list(args: argparse.Namespace) -> int:
    from fieldwork.app.domain.timeline import control_notes, coverage_gaps, gap_text
    from fieldwork.app.services.controls import read_controls
    from fieldwork.app.services.engagement import read_period_span
    from fieldwork.app.services.testing import read_tests

    with open_for_command(args.file, args.passphrase_file) as db, db.reading() as conn:
        found = read_controls(conn)
        period = read_period_span(conn)
        gaps = coverage_gaps(found, read_tests(conn), period)
    if args.json:
        json.dump([control_document(c, gaps.get(c.id, [])) for c in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for control in found:
        key = "key" if control.is_key else "   "
        print(f"{control.ref:<10} {key} {control.frequency.label:<17} {control.title[:60]}")
        print(f"{'':<15}{', '.join(control.requirements) or '(no requirements)'}")
        for note in [*control_notes(control, period), gap_text(gaps.get(control.id, []))]:
            if note:
                print(f"{'':<15}{note}")
    return 0
