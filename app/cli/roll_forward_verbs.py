"""`fieldwork roll-forward OLD NEW (--type2 START END | --type1 DATE)`: next period's engagement from this one's.

OLD is opened read only and never changed. Encrypted in, encrypted out: NEW takes OLD's passphrase unless
`--new-passphrase-file` gives another; a plain OLD makes NEW as `fieldwork new` does (a passphrase, or
`--unencrypted`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldwork.app.cli.engagement_verbs import _date
from fieldwork.app.cli.unlock import add_passphrase_options, passphrase_for_new_file, remember_if_wanted, unlock
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.errors import ValidationError
from fieldwork.app.passphrase import from_file_or_environment


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roll = verbs.add_parser(
        "roll-forward",
        help="start next period's engagement from this one (plans, no results)",
        description="Copies the team, tickmarks, the system description (marked to update), controls and their "
        "links, test plans, the SoA, the PBC list (reopened, due dates moved) and open ISO findings (to follow "
        "up); never samples, results or conclusions. OLD is read only and never changed.",
    )
    roll.add_argument("old", type=Path, metavar="OLD")
    roll.add_argument("new", type=Path, metavar="NEW")
    kind = roll.add_mutually_exclusive_group(required=True)
    kind.add_argument("--type1", metavar="AS_OF", type=_date, help="SOC 2 Type 1 as of this date")
    kind.add_argument("--type2", nargs=2, metavar=("START", "END"), type=_date, help="SOC 2 Type 2 period")
    roll.add_argument("--with-evidence", action="store_true", help="also copy the documents linked to controls")
    add_passphrase_options(roll)
    roll.add_argument("--new-passphrase-file", type=Path, metavar="PATH", help="NEW's passphrase (default: OLD's)")
    roll.add_argument("--unencrypted", action="store_true", help="a plain NEW from a plain OLD (not recommended)")
    roll.add_argument("--no-remember", action="store_true", help="do not store NEW's passphrase in the keychain")
    roll.set_defaults(func=cmd_roll_forward)


def _new_passphrase(args: argparse.Namespace, old: str | None) -> str | None:
    if old is not None:
        if args.unencrypted:
            raise ValidationError(
                f"{args.old.name} is encrypted, so its next engagement is too (export-plain makes a plain copy)."
            )
        return from_file_or_environment(args.new_passphrase_file) if args.new_passphrase_file else old
    return passphrase_for_new_file(
        argparse.Namespace(unencrypted=args.unencrypted, passphrase_file=args.new_passphrase_file)
    )


def _progress(done: int, total: int, label: str) -> None:
    if sys.stderr.isatty():
        print(f"\rrolling forward: {label:<40}", end="", file=sys.stderr, flush=True)


def cmd_roll_forward(args: argparse.Namespace) -> int:
    from fieldwork.app.opening import open_as_source
    from fieldwork.app.services.roll_forward import NewPeriod, roll_forward
    from fieldwork.app.tasks import Task

    type1 = NewPeriod(ReportType.TYPE1, as_of=args.type1)
    period = type1 if args.type1 else NewPeriod(ReportType.TYPE2, *args.type2)
    with unlock(args.old, args.passphrase_file, open_as_source) as source:
        passphrase = _new_passphrase(args, source.passphrase)
        db, done = roll_forward(
            source, args.new, period, passphrase, with_evidence=args.with_evidence, task=Task(_progress)
        )
    remember_if_wanted(db, args)
    db.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    copied = ", ".join(f"{count} {noun}" for noun, count in done.copied.items() if count)
    print(f"Rolled {args.old.name} forward to {args.new} ({'encrypted' if db.encrypted else 'UNENCRYPTED'}).")
    print(f"Copied: {copied}.")
    print(f"Source: engagement {done.source_engagement_id}, SHA-256 {done.source_sha256}.")
    for reason in done.left_out:
        print(f"Left out: {reason}.")
    return 0
