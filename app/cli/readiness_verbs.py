"""`fieldwork readiness`: which ISO/IEC 42001 requirements the controls serve (the gap from SOC 2), and the AI
control templates that close the rest; add one, or write the readiness workbook for the client."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.unlock import add_passphrase_options, open_for_command
from fieldwork.app.domain.readiness import Coverage

if TYPE_CHECKING:
    from fieldwork.app.ai_library import Library
    from fieldwork.app.services.readiness import ReadinessPage


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    readiness = verbs.add_parser(
        "readiness",
        help="the ISO/IEC 42001 gap from the SOC 2 controls, and AI control templates to close it",
        description="For each ISO/IEC 42001 subclause and included Annex A control: a linked control, a control "
        "reaching it through a SOC 2 criterion and the crosswalk (wholly or partly), or none.",
    )
    readiness.add_argument("file", type=Path)
    readiness.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="TEMPLATE",
        help="add the AI control from this template (with its links and suggested tests) first; repeatable",
    )
    readiness.add_argument("--templates", action="store_true", help="list the AI control templates and exit")
    readiness.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="write the readiness workbook for the client")
    readiness.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(readiness)
    readiness.set_defaults(func=cmd_readiness)


def cmd_readiness(args: argparse.Namespace) -> int:
    from fieldwork.app.ai_library import load_library
    from fieldwork.app.services.readiness import add_template, find_template, readiness_page

    library = load_library()
    for problem in library.problems:
        print(f"fieldwork: warning: a template was left out: {problem}", file=sys.stderr)
    if args.templates:
        _print_library(library)
        return 0
    templates = [find_template(library, template_id) for template_id in args.add]
    with open_for_command(args.file, args.passphrase_file) as db:
        for template in templates:
            made = add_template(db, template)
            print(f"Added {made.ref} {made.title} ({', '.join(made.requirements)}) from template {template.id}.")
        page = readiness_page(db, library)
    if args.xlsx:
        from fieldwork.app.exports.readiness_workbook import write_readiness_workbook
        from fieldwork.app.tasks import Task

        write_readiness_workbook(page, args.xlsx, Task())
        print(f"Wrote the readiness workbook to {args.xlsx}")
    elif args.json:
        print(json.dumps(_json(page), indent=2, ensure_ascii=False))
    else:
        _print_page(page)
    return 0


def _json(page: ReadinessPage) -> dict[str, Any]:
    readiness = page.readiness
    return {
        "crosswalk": readiness.crosswalk,
        "counts": {coverage.value: readiness.count(coverage) for coverage in Coverage},
        "excluded": list(readiness.excluded),
        "requirements": [
            {
                "code": line.code,
                "title": line.title,
                "coverage": line.coverage.value,
                "linked": list(line.linked),
                "via": [
                    {"control": route.control_ref, "soc2": route.soc2_code, "relationship": route.relationship.value}
                    for route in line.routes
                ],
                "templates": list(line.templates),
            }
            for line in readiness.lines
        ],
    }


def _print_page(page: ReadinessPage) -> None:
    readiness = page.readiness
    print(readiness.summary)
    for line in readiness.lines:
        reach = "; ".join(line.linked) if line.linked else line.via or "-"
        print(f"{line.code:<8} {line.coverage.label:<22} {reach[:100]}")
        if line.coverage.needs_work and line.templates:
            print(f"{'':<31}template: {'; '.join(line.templates)}")


def _print_library(library: Library) -> None:
    for template in library.templates:
        source = "" if template.source == "bundled" else " (firm)"
        print(f"{template.id}{source}: {template.title}")
        print(f"    serves {', '.join(template.requirements)}; tests: {', '.join(t.title for t in template.tests)}")
    print(f"Firm templates go in {library.firm_folder / 'ai_controls'} (procedures: ai_test_procedures).")
