"""`fieldwork evidence add | list | extract`: the evidence library from a script.

The services are imported by the command that runs, so registering the verbs stays cheap.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from fieldwork.app.cli.engagement_verbs import _date
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.tasks import Task

MIB = 1 << 20


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evidence = verbs.add_parser("evidence", help="attach, list and extract evidence files")
    actions = evidence.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="attach files (streamed, hashed, the same content stored once)")
    add.add_argument("file", type=Path)
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add.add_argument("--control", action="append", default=[], metavar="REF", help="link to a control (C-001)")
    add.add_argument("--test", action="append", default=[], metavar="ID", help="link to a test (C-001.T2 or id)")
    add.add_argument(
        "--sample-item", action="append", default=[], metavar="REF", help="link to a sample item (C-001.T2 #3)"
    )
    add.add_argument(
        "--workpaper",
        action="append",
        default=[],
        metavar="REF",
        help="link to an engagement workpaper (C-100)",
    )
    add.add_argument(
        "--ai-system", action="append", default=[], metavar="NAME", help="link to an AI system (AI-01 or its name)"
    )
    add.add_argument("--request", metavar="ID", help="the PBC request answered (PBC-004 or id): marks it received")
    add.add_argument("--received", type=_date, metavar="DATE", help="when the client provided the files")
    add.add_argument("--provided-by", default="", metavar="NAME", help="who provided the files")
    add_passphrase_options(add)
    add.set_defaults(func=cmd_add)

    listing = actions.add_parser("list", help="list the evidence library")
    listing.add_argument("file", type=Path)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(listing)
    listing.set_defaults(func=cmd_list)

    extract = actions.add_parser("extract", help="save a copy of a file (its SHA-256 checked on the way)")
    extract.add_argument("file", type=Path)
    extract.add_argument("evidence", metavar="ID", help="an evidence reference (E-0001) or id")
    extract.add_argument("--to", type=Path, required=True, metavar="DIR", help="an existing folder")
    add_passphrase_options(extract)
    extract.set_defaults(func=cmd_extract)


def _progress(verb: str) -> Task:
    """Byte progress on one terminal line; nothing when stderr is a file or a pipe."""

    def show(done: int, total: int, label: str) -> None:
        if sys.stderr.isatty():
            percent = 100 * done // total if total else 100
            line = f"\r{verb} {_printable(label)[:40]}: {done / MIB:,.0f} of {total / MIB:,.0f} MiB ({percent}%)"
            print(f"{line:<80}", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    return Task(show)


def _printable(text: str) -> str:
    """A client's file name may carry terminal escape sequences; show them, never run them."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def cmd_add(args: argparse.Namespace) -> int:
    from fieldwork.app.services.evidence import LinkKind, Receipt, attach_files, find_link
    from fieldwork.app.services.pbc import find_request_id

    with open_for_command(args.file, args.passphrase_file) as db:
        targets = [find_link(db, LinkKind.CONTROL, ref) for ref in args.control]
        targets += [find_link(db, LinkKind.TEST, ref) for ref in args.test]
        targets += [find_link(db, LinkKind.SAMPLE_ITEM, ref) for ref in args.sample_item]
        targets += [find_link(db, LinkKind.WORKPAPER, ref) for ref in args.workpaper]
        targets += [find_link(db, LinkKind.AI_SYSTEM, name) for name in args.ai_system]
        with db.reading() as conn:
            request = find_request_id(conn, args.request) if args.request else None
        receipt = Receipt(args.received, args.provided_by, request)
        added = attach_files(db, args.paths, targets, receipt, _progress("attaching"))
    for found in added:
        print(f"{found.ref}  {_printable(found.original_name)}  {found.size:,} bytes  sha256 {found.sha256}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from fieldwork.app.services.evidence import list_evidence

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        files = list_evidence(db)
    if args.json:
        json.dump([asdict(f) for f in files], sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    for f in files:
        received = f.received_date.isoformat() if f.received_date else "-"
        used = ", ".join(f.used_by) or "unused"
        print(f"{f.ref}  {f.size:>14,}  {received:<10}  {_printable(f.original_name)}  [{used}]")
    print(f"{len(files)} file(s).")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from fieldwork.app.services.evidence_copies import extract_evidence

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        written = extract_evidence(db, args.evidence, args.to, _progress("extracting"))
    print(f"Wrote {_printable(str(written))} (SHA-256 checked).")
    return 0
