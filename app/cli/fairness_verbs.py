"""`fieldwork fairness`: re-perform a fairness review for a test from the decisions file, and print the table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork.app.cli.table_options import add_table_options, reading_task
from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.domain.sampling import PopulationSource

if TYPE_CHECKING:
    from fieldwork.app.domain.fairness import FairnessResult


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fairness = verbs.add_parser(
        "fairness",
        help="re-perform a fairness review: selection rates by group and the four-fifths rule",
        description="Selection rates by group from a decisions file (CSV or XLSX), each group's impact ratio against "
        "the most selected group, and groups below four fifths of it. The result is stored with the test and the run "
        "recorded in the engagement's history.",
    )
    fairness.add_argument("file", type=Path)
    fairness.add_argument("--test", required=True, help="the test's reference (C-001.T2) or id")
    fairness.add_argument("--decisions", type=Path, required=True, metavar="PATH", help="the decisions (CSV or XLSX)")
    fairness.add_argument("--group-column", required=True, metavar="G", help="the column naming each person's group")
    fairness.add_argument("--outcome-column", required=True, metavar="O", help="the column holding each decision")
    fairness.add_argument(
        "--favourable",
        action="append",
        default=[],
        metavar="VALUE",
        help="an outcome that is favourable (any case; repeat for several). Without it the outcomes must be "
        "yes/no, true/false or 1/0, and yes, true and 1 are favourable",
    )
    add_table_options(fairness)
    fairness.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(fairness)
    fairness.set_defaults(func=cmd_fairness)


def cmd_fairness(args: argparse.Namespace) -> int:
    from fieldwork.app.services.fairness import figures_json, run_fairness

    source = PopulationSource(args.decisions, args.sheet, args.header_row, args.encoding)
    with open_for_command(args.file, args.passphrase_file) as db:
        result = run_fairness(
            db, args.test, source, args.group_column, args.outcome_column, args.favourable, reading_task("reading")
        )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        document = {"test": result.test_ref, "computed_by": result.computed_by, "computed_at": result.computed_at}
        print(json.dumps({**document, **figures_json(result.figures)}, indent=2, ensure_ascii=False))
    else:
        _print_table(result)
    return 0


def _print_table(result: FairnessResult) -> None:
    from fieldwork.app.services.fairness import percent, ratio_text

    figures = result.figures
    sheet = f", sheet {figures.sheet}" if figures.sheet else ""
    print(f"{result.test_ref}: fairness review re-performed on {figures.source_name}{sheet}")
    print(f"SHA-256 {figures.sha256}")
    print(f"{figures.decisions:,} decisions by {figures.group_column!r}; outcome {figures.outcome_column!r}.")
    print(figures.rule)
    width = max(len("group"), *(len(group.group) for group in figures.groups))
    print(f"{'group':<{width}}  {'decisions':>10}  {'favourable':>10}  {'rate':>8}  {'ratio':>6}")
    for group in figures.groups:
        flags = [flag for flag, on in (("below 4/5", group.below_four_fifths), ("small", group.small)) if on]
        print(
            f"{group.group:<{width}}  {group.decisions:>10,}  {group.favourable:>10,}  "
            f"{percent(group.selection_rate):>8}  {ratio_text(group.impact_ratio):>6}  {', '.join(flags)}".rstrip()
        )
    print(
        f"Ratio: the group's selection rate over that of {figures.reference.group}, the most selected group (cut, "
        "not rounded, to 3 decimals); below 0.8, four fifths, is evidence of adverse impact to examine."
    )
    for caveat in figures.caveats:
        print(f"Caveat: {caveat}")
    print(f"Stored with {result.test_ref} by {result.computed_by} at {result.computed_at}.")
