"""`fieldwork export`: the draft report (PDF) and the workpapers (Excel), in one call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.unlock import add_passphrase_options, open_for_command
from app.errors import ValidationError
from app.tasks import Task


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = verbs.add_parser("export", help="write the draft report (PDF) and/or the workpapers (XLSX)")
    export.add_argument("file", type=Path)
    export.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="the draft combined report")
    export.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="the workpapers")
    add_passphrase_options(export)
    export.set_defaults(func=cmd_export)


def _printer(label: str) -> Task:
    def show(done: int, total: int, step: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{label}: {done}/{total} {step[:40]:<40}", end="", file=sys.stderr, flush=True)

    return Task(show)


def cmd_export(args: argparse.Namespace) -> int:
    if not args.pdf and not args.xlsx:
        raise ValidationError("Say what to write: --pdf OUT.pdf, --xlsx OUT.xlsx, or both.")
    from app.exports.dataset import gather

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        data = gather(db)
    if args.pdf:
        from app.exports.pdf_report import write_report

        write_report(data, args.pdf, _printer("report"))
        print(f"Wrote the draft report to {args.pdf}")
    if args.xlsx:
        from app.exports.workbook import write_workbook

        write_workbook(data, args.xlsx, _printer("workpapers"))
        print(f"Wrote the workpapers to {args.xlsx}")
    return 0
