"""`fieldwork signoff`, `fieldwork review import | notes | changed` and `fieldwork finalize`: review from a script.

Whoever runs them acts as the engagement team member their profile names (the app's profile, or FIELDWORK_USER
where no profile is saved), as in the app: the same services, the same refusals, one history entry per action.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.arguments import choice
from fieldwork.app.cli.engagement_verbs import _date
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.services.signables import written_key
from fieldwork.app.services.signoffs import SignRole

if TYPE_CHECKING:
    from fieldwork.app.services.review_notes import ReviewNote
    from fieldwork.app.services.signoffs import ItemSignOffs, SignOff


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    signoff = verbs.add_parser("signoff", help="sign an item off as its preparer or reviewer (or take it back)")
    signoff.add_argument("file", type=Path)
    signoff.add_argument(
        "--item", required=True, metavar="REF", help="C-001, C-001.T2, F-001, DC4, A.6.2.5, CC6.1, A-100, opinion"
    )
    signoff.add_argument("--role", required=True, type=choice(SignRole), help="preparer or reviewer")
    signoff.add_argument("--remove", action="store_true", help="take your own sign-off in this role back")
    add_passphrase_options(signoff)
    signoff.set_defaults(func=cmd_signoff)

    review = verbs.add_parser("review", help="review notes: import a manager's workbook, list notes and changes")
    actions = review.add_subparsers(dest="action", metavar="ACTION", required=True)
    brought = actions.add_parser("import", help="bring in the notes written in an exported workbook")
    brought.add_argument("file", type=Path)
    brought.add_argument("workbook", type=Path, help="the workbook exported from this engagement, with notes added")
    add_passphrase_options(brought)
    brought.set_defaults(func=cmd_import)
    notes = actions.add_parser("notes", help="list the review notes")
    notes.add_argument("file", type=Path)
    notes.add_argument("--open", dest="open_only", action="store_true", help="only notes not yet cleared")
    notes.add_argument("--json", action="store_true", help="print JSON")
    add_passphrase_options(notes)
    notes.set_defaults(func=cmd_notes)
    changed = actions.add_parser("changed", help="items changed after their sign-off, with what changed")
    changed.add_argument("file", type=Path)
    add_passphrase_options(changed)
    changed.set_defaults(func=cmd_changed)

    final = verbs.add_parser("finalize", help="finalize the engagement: checks, verification, manifest, read-only")
    final.add_argument("file", type=Path)
    final.add_argument("--release-date", required=True, type=_date, metavar="YYYY-MM-DD", help="the report's date")
    add_passphrase_options(final)
    final.set_defaults(func=cmd_finalize)


def _who(found: SignOff | None, role: str) -> str:
    if found is None:
        return f"no {role}"
    return f"{role} {found.initials} {found.signed_at[:10]}{' (changed since)' if found.stale else ''}"


def signoff_line(state: ItemSignOffs) -> str:
    """One item's sign-offs as a line: "C-001: preparer DR 2026-10-02; reviewer SO 2026-10-09"."""
    parts = [_who(state.preparer, "preparer"), _who(state.reviewer, "reviewer")]
    return f"{state.item.ref}: {'; '.join(parts)}{'  CHANGED AFTER REVIEW' if state.stale else ''}"


def cmd_signoff(args: argparse.Namespace) -> int:
    from fieldwork.app.services.signables import resolve_item
    from fieldwork.app.services.signoffs import list_signoffs, sign, unsign

    with open_for_command(args.file, args.passphrase_file) as db:
        with db.reading() as conn:
            kind, key = resolve_item(conn, args.item)
        if args.remove:
            unsign(db, kind, key, args.role)
            state = list_signoffs(db, kind, key)[key]
        else:
            state = sign(db, kind, key, args.role)
    print(signoff_line(state))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from fieldwork.app.services.review_import import import_review_notes

    with open_for_command(args.file, args.passphrase_file) as db:
        report = import_review_notes(db, args.workbook)
    print(f"{args.workbook.name}: {report.summary}.")
    for ref in report.added:
        print(f"  added {ref}")
    for ref in report.cleared:
        print(f"  cleared {ref}")
    for problem in report.unplaced:
        print(f"  not placed: {problem}")
    return 0


def _note(note: ReviewNote) -> dict[str, Any]:
    return {
        "ref": note.ref,
        "item": note.item_ref,
        "item_key": written_key(note.item_type, note.item_key),
        "status": note.status.value,
        "raised_by": note.raised_by,
        "raised_at": note.raised_at,
        "text": note.text,
        "response": note.response,
        "responded_by": note.responded_by,
        "cleared_by": note.cleared_by,
    }


def cmd_notes(args: argparse.Namespace) -> int:
    from fieldwork.app.services.review_notes import list_notes

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        notes = list_notes(db, open_only=args.open_only)
    if args.json:
        json.dump([_note(n) for n in notes], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for note in notes:
        print(f"{note.ref:<8} {note.item_ref:<14} {note.status.label:<32} {note.raised_by}: {note.text}")
        if note.response:
            print(f"{'':<8} {'':<14} {'response':<32} {note.responded_by}: {note.response}")
    print(f"{len(notes)} note(s){', open ones only' if args.open_only else ''}.")
    return 0


def cmd_changed(args: argparse.Namespace) -> int:
    from fieldwork.app.services.signoffs import changed_since_review

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        found = changed_since_review(db)
    for changed in found:
        print(signoff_line(changed.state))
        for entry in changed.changes:
            print(
                f"    {entry.at_utc[:16]} {entry.person}: {entry.action} {_values(entry.old_values, entry.new_values)}"
            )
    print(f"{len(found)} item(s) changed after review.")
    return 1 if found else 0


def _values(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    names = sorted({*(old or {}), *(new or {})})
    return "; ".join(f"{name}: {(old or {}).get(name)!r} -> {(new or {}).get(name)!r}" for name in names)


def cmd_finalize(args: argparse.Namespace) -> int:
    from fieldwork.app.services.finalizing import finalize

    with open_for_command(args.file, args.passphrase_file) as db:
        done = finalize(db, args.release_date)
    print(
        f"{args.file.name}: finalized on {done.finalized_at[:10]} by {done.member}. Report released "
        f"{done.release_date}; documentation complete by {done.completion_date}; kept until {done.retention_until}. "
        f"The manifest records {len(done.manifest['evidence'])} evidence hash(es) and the history's head."
    )
    return 0
