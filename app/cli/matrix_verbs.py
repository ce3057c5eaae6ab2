"""`fieldwork matrix export | import`: the control matrix in Excel, out and back.

Import reads the sheets named like the export's (Controls, Tests) unless told, guesses each field's column from
the headers (`--column FIELD=HEADER` to choose), and lists every row: added, changed, unchanged or refused. One
refused row and nothing is written; `--dry-run` writes nothing in any case.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldwork.app.cli.table_options import reading_task
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.errors import ValidationError


def _column(text: str) -> tuple[str, str]:
    field, equals, header = text.partition("=")
    if not equals or not field.strip():
        raise argparse.ArgumentTypeError(f"'{text}' should be FIELD=HEADER, e.g. reference='Control ID'")
    return field.strip().lower().replace(" ", "_"), header.strip()


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    matrix = verbs.add_parser("matrix", help="the control matrix in Excel: export it, or import one")
    actions = matrix.add_subparsers(dest="action", metavar="ACTION", required=True)

    out = actions.add_parser("export", help="write the controls and test plans to a workbook")
    out.add_argument("file", type=Path)
    out.add_argument("target", type=Path, metavar="OUT.xlsx")
    add_passphrase_options(out)
    out.set_defaults(func=cmd_export)

    take = actions.add_parser("import", help="take controls and test plans from a workbook (CSV: controls only)")
    take.add_argument("file", type=Path)
    take.add_argument("source", type=Path, metavar="IN.xlsx")
    take.add_argument("--dry-run", action="store_true", help="list what would change, and write nothing")
    take.add_argument(
        "--controls-sheet", metavar="NAME", help="the sheet of controls (default: Controls, or the first)"
    )
    take.add_argument("--tests-sheet", metavar="NAME", help="the sheet of tests (default: Tests, if there is one)")
    take.add_argument("--no-tests", action="store_true", help="import the controls only")
    take.add_argument(
        "--column", action="append", default=[], type=_column, metavar="FIELD=HEADER", help="a Controls column"
    )
    take.add_argument(
        "--test-column", action="append", default=[], type=_column, metavar="FIELD=HEADER", help="a Tests column"
    )
    add_passphrase_options(take)
    take.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    from fieldwork.app.exports.control_matrix import write_control_matrix

    with open_for_command(args.file, args.passphrase_file) as db:
        count = write_control_matrix(db, args.target, reading_task("writing"))
    print(f"Wrote the control matrix ({count} controls) to {args.target}")
    return 0


def _overrides(given: list[tuple[str, str]], names: set[str]) -> dict[str, tuple[str, ...]]:
    chosen: dict[str, tuple[str, ...]] = {}
    for field, header in given:
        if field not in names:
            raise ValidationError(f"There is no field {field}; the fields are {', '.join(sorted(names))}.")
        chosen[field] = (header,) if header else ()
    return chosen


def cmd_import(args: argparse.Namespace) -> int:
    from fieldwork.app.domain.sampling import PopulationSource
    from fieldwork.app.services.matrix_fields import TESTS_SHEET, ControlField, TestField
    from fieldwork.app.services.matrix_import import Action, MatrixSource, SheetSource, import_matrix

    controls = SheetSource(
        PopulationSource(args.source, args.controls_sheet), overrides=_overrides(args.column, set(ControlField))
    )
    tests = SheetSource(
        PopulationSource(args.source, args.tests_sheet or TESTS_SHEET),
        overrides=_overrides(args.test_column, set(TestField)),
        optional=args.tests_sheet is None,
    )
    source = MatrixSource(controls, None if args.no_tests else tests)
    with open_for_command(args.file, args.passphrase_file) as db:
        outcome = import_matrix(db, source, write=not args.dry_run, task=reading_task("reading"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for line in outcome.lines:
        if line.action in (Action.ADD, Action.CHANGE):
            print(line.text)
    for line in outcome.problems:
        print(f"fieldwork: {line.text}", file=sys.stderr)
    print(f"{outcome.file_name}: {outcome.summary}.")
    if outcome.problems:
        print(f"fieldwork: nothing was imported: {outcome.refused_rows} row(s) cannot be taken.", file=sys.stderr)
        return 1
    print("Imported." if outcome.written else "Dry run: nothing was written.")
    return 0
