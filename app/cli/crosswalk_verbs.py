"""`fieldwork crosswalk diff | accept`: what a newer bundled crosswalk would change in an engagement, and taking it."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command

if TYPE_CHECKING:
    from fieldwork.app.domain.crosswalk import CrosswalkUpdate


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crosswalk = verbs.add_parser("crosswalk", help="review or accept a newer bundled crosswalk for an engagement")
    actions = crosswalk.add_subparsers(dest="action", metavar="ACTION", required=True)
    diff = actions.add_parser("diff", help="the links a newer crosswalk adds, removes or rewords, each with why")
    diff.add_argument("file", type=Path)
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(diff)
    diff.set_defaults(func=cmd_diff)
    accept = actions.add_parser("accept", help="take the newer crosswalk's links (the engagement's own stay)")
    accept.add_argument("file", type=Path)
    add_passphrase_options(accept)
    accept.set_defaults(func=cmd_accept)


def _json(update: CrosswalkUpdate) -> dict[str, Any]:
    changes = [
        {
            "change": item.change.value,
            "iso": item.iso_code,
            "soc2": item.soc2_code,
            "relationship": item.relationship.value,
            "rationale": item.rationale,
            "old_relationship": item.old_relationship.value if item.old_relationship else None,
            "old_rationale": item.old_rationale,
        }
        for item in update.changes
    ]
    return {"held": update.held, "bundled": update.bundled, "available": update.available, "changes": changes}


def _print(update: CrosswalkUpdate) -> None:
    print(f"The engagement holds crosswalk {update.held or '(unknown)'}; this Fieldwork carries {update.bundled}.")
    for item in update.changes:
        head = f"{item.change.label.lower():<8} {item.iso_code} - {item.soc2_code} ({item.relationship.label.lower()})"
        print(textwrap.fill(item.rationale, 110, initial_indent=f"{head}: ", subsequent_indent=" " * 9))
        if item.old_relationship is not None:
            was = f"was ({item.old_relationship.label.lower()}): {item.old_rationale}"
            print(textwrap.fill(was, 110, initial_indent=" " * 9, subsequent_indent=" " * 9))
    if update.own_links:
        print(f"The engagement's own links ({update.own_links}) stay as they are.")


def cmd_diff(args: argparse.Namespace) -> int:
    from fieldwork.app.services.crosswalk_update import crosswalk_update

    with open_for_command(args.file, args.passphrase_file) as db:
        update = crosswalk_update(db)
    if args.json:
        print(json.dumps(_json(update), indent=2, ensure_ascii=False))
    elif not update.available:
        print(f"The engagement's crosswalk ({update.held}) is the newest this Fieldwork carries; nothing to accept.")
    else:
        _print(update)
        print(f"{update.summary}. Take them with: fieldwork crosswalk accept {args.file}")
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    from fieldwork.app.services.crosswalk_update import accept_crosswalk

    with open_for_command(args.file, args.passphrase_file) as db:
        update = accept_crosswalk(db)
    if not update.available:
        print(f"The engagement's crosswalk ({update.held}) is the newest this Fieldwork carries; nothing changed.")
    else:
        print(f"Accepted crosswalk {update.bundled} (was {update.held or 'unknown'}): {update.summary}.")
    return 0
