"""Entry point of `fieldwork`: a verb runs headless; anything else opens the desktop app."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fieldwork import app
from fieldwork.app.bug_log import log_bug
from fieldwork.app.cli import (
    control_verbs,
    crosswalk_verbs,
    engagement_verbs,
    evidence_verbs,
    export_verbs,
    fairness_verbs,
    matrix_verbs,
    readiness_verbs,
    review_verbs,
    roll_forward_verbs,
    sample_verbs,
    testing_verbs,
)
from fieldwork.app.errors import FieldworkError
from fieldwork.app.tasks import Cancelled

if TYPE_CHECKING:
    from fieldwork.app.engagement import Engagement

VERB_MODULES = [
    engagement_verbs,
    export_verbs,
    evidence_verbs,
    sample_verbs,
    fairness_verbs,
    crosswalk_verbs,
    readiness_verbs,
    control_verbs,
    testing_verbs,
    matrix_verbs,
    roll_forward_verbs,
    review_verbs,
]


def verbs_parser() -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser for headless verbs, and the verbs' names."""
    parser = argparse.ArgumentParser(prog="fieldwork", description="Audit fieldwork for SOC 2 + ISO/IEC 42001.")
    parser.add_argument("--version", action="version", version=f"{app.APP_NAME} {app.__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    for module in VERB_MODULES:
        module.register(verbs)
    return parser, sorted(verbs.choices)


def app_parser(verb_names: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldwork",
        description="Open the desktop app (with no FILE: the start screen). "
        f"Headless verbs: {', '.join(verb_names)} (fieldwork VERB --help).",
    )
    parser.add_argument("--version", action="version", version=f"{app.APP_NAME} {app.__version__}")
    parser.add_argument("file", nargs="?", type=Path, help="an engagement file to open")
    parser.add_argument("--demo", action="store_true", help="open the demo engagement (created on first use)")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation in a temporary folder, then exit"
    )
    return parser


def _show_workspace(db: Engagement) -> str:
    """The self-test's desktop step. Qt is imported here, so a broken Qt fails that step, not the whole test."""
    from fieldwork.ui.self_test import show_workspace

    return show_workspace(db)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, verb_names = verbs_parser()
    is_verb = bool(args_list) and args_list[0] in verb_names
    try:
        if is_verb or args_list[:1] == ["--version"]:
            args = parser.parse_args(args_list)
            return int(args.func(args))
        options = app_parser(verb_names).parse_args(args_list)
        if options.self_test:
            from fieldwork.app.self_test import run_self_test

            return run_self_test(_show_workspace)
        from fieldwork.ui.application import run_app

        return run_app(options.file, demo=options.demo)
    except FieldworkError as exc:
        print(f"fieldwork: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except Cancelled:
        print("fieldwork: cancelled; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("fieldwork: interrupted.", file=sys.stderr)
        return 130
    except UnicodeEncodeError as exc:
        if "surrogates not allowed" not in str(exc):
            raise
        # Bytes on the command line that are not UTF-8 (a name from another system) reach Python as
        # lone surrogates, which no file or engagement can store.
        print("fieldwork: a value or name given is not valid UTF-8 text; nothing was changed.", file=sys.stderr)
        return 2
    except Exception as exc:
        log = log_bug(exc, f"the command {args_list[0] if is_verb else 'fieldwork'}")
        print(f"fieldwork: internal error ({type(exc).__name__}: {exc}); details in {log}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
