"""`fieldwork export`: the draft report (PDF and/or Word), the ISO/IEC 42001 findings report (PDF and/or Word),
the workpapers (Excel) and the review pack, in one call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.tasks import Task


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = verbs.add_parser("export", help="write the draft report (PDF, DOCX) and/or the workpapers (XLSX)")
    export.add_argument("file", type=Path)
    export.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="the draft combined report as a PDF")
    export.add_argument("--docx", type=Path, metavar="OUT.docx", help="the draft combined report, editable in Word")
    export.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="the workpapers")
    export.add_argument(
        "--findings-pdf", type=Path, metavar="OUT.pdf", help="the ISO/IEC 42001 findings report, as a PDF"
    )
    export.add_argument(
        "--findings-docx", type=Path, metavar="OUT.docx", help="the ISO/IEC 42001 findings report, editable in Word"
    )
    export.add_argument(
        "--audience",
        choices=[a.value for a in Audience],
        default=Audience.INTERNAL.value,
        help="internal (default for drafts: with workpaper detail) or client (the examination report only)",
    )
    export.add_argument(
        "--without-crosswalk", action="store_true", help="leave the appendix with the crosswalk used out of the report"
    )
    pack = export.add_argument_group("review pack (the workpapers and the evidence they cite, UNENCRYPTED)")
    pack.add_argument("--review-pack", type=Path, metavar="DIR", help="write the review pack into this new folder")
    pack.add_argument("--key-controls-only", action="store_true", help="only key controls, their tests and evidence")
    pack.add_argument(
        "--changed-since-review",
        action="store_true",
        help="only controls and tests changed after review or not yet reviewed, and their evidence",
    )
    pack.add_argument(
        "--unencrypted-ok", action="store_true", help="confirm that the pack is not encrypted (else you are asked)"
    )
    add_passphrase_options(export)
    export.set_defaults(func=cmd_export)


def _printer(label: str) -> Task:
    def show(done: int, total: int, step: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{label}: {done}/{total} {step[:40]:<40}", end="", file=sys.stderr, flush=True)

    return Task(show)


def _unencrypted_confirmed(args: argparse.Namespace) -> bool:
    """`--unencrypted-ok`, or a yes typed at a terminal; a script without the option is refused."""
    if args.unencrypted_ok:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise ValidationError(
            "The review pack is NOT encrypted (anyone with the folder can read the client's data): add "
            "--unencrypted-ok to write it."
        )
    print(
        "The review pack is NOT encrypted: anyone with the folder can read the client's data. "
        "The engagement's history will record it.",
        file=sys.stderr,
    )
    return input("Write it? [y/N] ").strip().lower() in {"y", "yes"}


def _review_pack(args: argparse.Namespace) -> None:
    from fieldwork.app.exports.review_pack import PackOptions, write_review_pack

    if not _unencrypted_confirmed(args):
        raise ValidationError("The review pack was not written.")
    options = PackOptions(args.key_controls_only, args.changed_since_review)
    with open_for_command(args.file, args.passphrase_file) as db:  # it writes: the history records the pack
        written = write_review_pack(db, args.review_pack, _printer("review pack"), options)
    limited = f", limited to {options.description}" if options.description else ""
    print(
        f"Wrote the review pack to {written.folder} (UNENCRYPTED, owner-only): {written.workbook.name} and "
        f"{written.evidence_files} evidence file(s){limited}; the engagement's history records it."
    )


def cmd_export(args: argparse.Namespace) -> int:
    documents = (args.pdf, args.docx, args.xlsx, args.findings_pdf, args.findings_docx)
    if not any(documents) and not args.review_pack:
        raise ValidationError(
            "Say what to write: --pdf OUT.pdf, --docx OUT.docx, --xlsx OUT.xlsx, --findings-pdf OUT.pdf, "
            "--findings-docx OUT.docx, --review-pack DIR, or several."
        )
    if (args.key_controls_only or args.changed_since_review) and not args.review_pack:
        raise ValidationError(
            "--key-controls-only and --changed-since-review limit a review pack: add --review-pack DIR."
        )
    if args.review_pack:
        _review_pack(args)
    if not any(documents):
        return 0
    from fieldwork.app.exports.dataset import gather

    options = ReportOptions(Audience(args.audience), crosswalk=not args.without_crosswalk)
    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        data = gather(db)
    if args.pdf:
        from fieldwork.app.exports.pdf_report import write_report

        write_report(data, args.pdf, _printer("report"), options)
        print(f"Wrote the draft report ({options.audience.label.lower()}) to {args.pdf}")
    if args.docx:
        from fieldwork.app.exports.docx_report import write_docx

        write_docx(data, args.docx, _printer("report"), options)
        print(f"Wrote the draft report ({options.audience.label.lower()}) to {args.docx}")
    if args.findings_pdf:
        from fieldwork.app.exports.pdf_report import write_findings_pdf

        write_findings_pdf(data, args.findings_pdf, _printer("findings report"), options)
        print(f"Wrote the findings report ({options.audience.label.lower()}) to {args.findings_pdf}")
    if args.findings_docx:
        from fieldwork.app.exports.docx_report import write_findings_docx

        write_findings_docx(data, args.findings_docx, _printer("findings report"), options)
        print(f"Wrote the findings report ({options.audience.label.lower()}) to {args.findings_docx}")
    if args.xlsx:
        from fieldwork.app.exports.workbook import write_workbook

        write_workbook(data, args.xlsx, _printer("workpapers"))
        print(f"Wrote the workpapers to {args.xlsx}")
    return 0
