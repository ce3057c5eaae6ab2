"""What the verbs that read a client's table (a population, a decisions file) share: how to read it, and progress."""

from __future__ import annotations

import argparse
import sys

from fieldwork.app.tasks import Task


def add_table_options(group: argparse._ActionsContainer) -> None:
    """--sheet, --header-row and --encoding: how to read a CSV or XLSX file (see `PopulationSource`)."""
    group.add_argument("--sheet", help="the XLSX sheet (default: the first)")
    group.add_argument(
        "--header-row", type=int, metavar="N", help="the row naming the columns (0: none; default: found)"
    )
    group.add_argument("--encoding", default="utf-8-sig", help="a CSV file's text encoding (default: UTF-8)")


def reading_task(verb: str) -> Task:
    """A task that shows how far the file has been read, on a terminal only (never in a pipe or a log)."""

    def show(done: int, total: int, label: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{verb}: {label} ({done * 100 // max(total, 1)}%)", end="", file=sys.stderr, flush=True)

    return Task(show)
