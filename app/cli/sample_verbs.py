"""`fieldwork sample`: import a test's population, draw (or extend) its sample, and print the selection.

The services are imported when the command runs, so registering the verb stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.app.cli.arguments import choice
from fieldwork.app.cli.table_options import add_table_options, reading_task
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.sampling import Population, PopulationSource, Risk, SampleDraw
from fieldwork.app.domain.vocabulary import Selection
from fieldwork.app.errors import ValidationError

if TYPE_CHECKING:
    from fieldwork.app.storage.engagement_file import EngagementFile


def _rows(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' should be row numbers like 3,17,42") from exc


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sample = verbs.add_parser("sample", help="import a test's population, select its sample, and print it")
    sample.add_argument("file", type=Path)
    sample.add_argument("--test", required=True, help="the test's reference (C-001.T1) or id")
    source = sample.add_argument_group("population (needed once; the same file again is not re-imported)")
    source.add_argument("--population", type=Path, metavar="PATH", help="a CSV or XLSX file of the population")
    add_table_options(source)
    source.add_argument("--id-column", help="the column identifying an item (default: guessed from the header)")
    source.add_argument("--date-column", help="the column dating an item (default: the first column of dates)")
    source.add_argument("--date-format", help="how dates are written, if not 2026-03-31 (e.g. %%d/%%m/%%Y)")
    sample.add_argument("--size", type=int, help="items to select (default: the plan, else the suggestion)")
    sample.add_argument(
        "--method",
        type=choice(Selection),
        default=Selection.RANDOM,
        help="random (default), systematic, haphazard, targeted or all",
    )
    sample.add_argument("--seed", type=int, help="the random seed (default: a new one, recorded)")
    sample.add_argument("--rows", type=_rows, default=[], help="haphazard or targeted: the rows picked, e.g. 3,17")
    sample.add_argument("--risk", type=choice(Risk), help="low, moderate or high: picks the size within the range")
    sample.add_argument("--reason", help="why the size differs from the suggestion, or why the sample is extended")
    sample.add_argument("--extend", action="store_true", help="add --size items (or --rows) to the existing sample")
    add_passphrase_options(sample)
    sample.set_defaults(func=cmd_sample)


def _progress(done: int, total: int, label: str) -> None:
    if sys.stderr.isatty():
        print(f"\rimporting: {label} ({done * 100 // max(total, 1)}%)", end="", file=sys.stderr, flush=True)


def _ensure_population(db: EngagementFile, test_id: TestId, args: argparse.Namespace) -> Population:
    from fieldwork.app.services import population, population_files

    current = population.get_population(db, test_id)
    if args.population is None:
        if current is None:
            raise ValidationError("The test has no population yet: give it with --population PATH.")
        return current
    source = PopulationSource(args.population, args.sheet, args.header_row, args.encoding)
    shown = population_files.preview(source)
    id_column = args.id_column or shown.id_column
    date_column = args.date_column or shown.date_column
    if (
        current is not None
        and (current.sheet_name, current.id_column, current.date_column) == (shown.sheet, id_column, date_column)
        and current.source_sha256 == population_files.file_sha256(args.population)
    ):
        return current  # the same file read the same way: a re-run, or an extension
    imported = population.import_population(
        db, test_id, source, id_column, date_column, date_format=args.date_format, task=reading_task("importing")
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    dated = f", dated by '{date_column}'" if date_column else ""
    print(f"Imported {imported.row_count:,} items from {imported.source_name} (identified by '{id_column}'{dated}).")
    return imported


def _print_draw(draw: SampleDraw, extended: bool) -> None:
    how = draw.method.label.lower()
    seed = f", seed {draw.seed}" if draw.seed is not None else ""
    interval = f", interval {draw.interval:.4g}" if draw.interval else ""
    verb = f"added {len(draw.items)} by {how} selection" if extended else f"{how} selection of {len(draw.items)}"
    print(f"{draw.test_ref}: {verb} from {draw.eligible:,} items{seed}{interval}; sample size {draw.sample_size}.")
    print(f"{'row':>9}  {'identifier':<30}  date")
    for item in draw.items:
        print(f"{item.row_no:>9}  {item.identifier[:30]:<30}  {item.item_date.isoformat() if item.item_date else '-'}")


def cmd_sample(args: argparse.Namespace) -> int:
    from fieldwork.app.services import sampling, testing

    with open_for_command(args.file, args.passphrase_file) as db:
        test_id = testing.get_test(db, args.test).id
        found = _ensure_population(db, test_id, args)
        if found.outside_period:
            print(
                f"fieldwork: warning: {found.outside_period:,} item(s) are dated outside {found.outside_label} "
                "and cannot be selected.",
                file=sys.stderr,
            )
        if args.extend:
            draw = sampling.extend_sample(db, test_id, count=args.size or 0, rows=args.rows, reason=args.reason or "")
        else:
            suggestion = sampling.suggested_size(db, test_id, args.risk)
            print(f"Suggested size: {suggestion.reasoning}")
            draw = sampling.select_sample(
                db,
                test_id,
                args.method,
                size=args.size,
                seed=args.seed,
                rows=args.rows,
                risk=args.risk,
                reason=args.reason,
            )
    _print_draw(draw, args.extend)
    return 0
