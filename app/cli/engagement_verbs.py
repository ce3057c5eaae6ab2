"""Verbs on whole engagements: new, info, demo, verify, passphrase, backup, export-plain.

Each command imports its services when it runs: registering the verbs stays cheap for `--version` and `--help`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldwork.app.cli.unlock import (
    add_new_file_options,
    add_passphrase_options,
    open_for_command,
    passphrase_for_new_file,
    remember_if_wanted,
)
from fieldwork.app.domain.records import EngagementDetails, TeamMember
from fieldwork.app.domain.vocabulary import TSC_CATEGORIES, Framework, ReportType, Role
from fieldwork.app.errors import ValidationError
from fieldwork.app.passphrase import from_file_or_environment

if TYPE_CHECKING:
    from fieldwork.app.domain.ipe import IpeRegister
    from fieldwork.app.domain.workpapers import Stage, Workpaper
    from fieldwork.app.services.judged import Judgements
    from fieldwork.app.services.overview import Overview
    from fieldwork.app.storage.engagement_file import EngagementFile

#: The demo at scale 1 holds 79 controls and 477 sample items in about 4 MB; 200 times that is far past any
#: real engagement (the benchmarks use 20). More only fills a disk and takes minutes.
MAX_DEMO_SCALE = 200


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-31") from exc


def _member(text: str) -> TeamMember:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"'{text}' should be NAME,INITIALS,ROLE")
    try:
        return TeamMember(parts[0], parts[1], Role(Role.parse(parts[2])))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = verbs.add_parser("new", help="create an engagement file")
    new.add_argument("file", type=Path)
    new.add_argument("--client", required=True, help="the service organization")
    new.add_argument("--system", required=True, help="the system under examination")
    kind = new.add_mutually_exclusive_group(required=True)
    kind.add_argument("--type1", metavar="AS_OF", type=_date, help="SOC 2 Type 1 as of this date")
    kind.add_argument("--type2", nargs=2, metavar=("START", "END"), type=_date, help="SOC 2 Type 2 period")
    new.add_argument("--category", action="append", default=[], choices=TSC_CATEGORIES[1:], help="add a category")
    new.add_argument("--iso-scope", default="", help="the ISO/IEC 42001 AIMS scope statement")
    new.add_argument("--member", action="append", default=[], type=_member, help="NAME,INITIALS,ROLE")
    add_new_file_options(new)
    new.set_defaults(func=cmd_new)

    info = verbs.add_parser("info", help="show an engagement's details, progress, controls and tests")
    info.add_argument("file", type=Path)
    info.add_argument("--json", action="store_true", help="machine-readable output")
    add_passphrase_options(info)
    info.set_defaults(func=cmd_info)

    demo = verbs.add_parser("demo", help="write the demo engagement to a new file")
    demo.add_argument("file", type=Path)
    demo.add_argument(
        "--scale", type=int, default=1, help=f"repeat the controls N times, 1 to {MAX_DEMO_SCALE} (benchmarks)"
    )
    add_new_file_options(demo)
    demo.set_defaults(func=cmd_demo)

    check = verbs.add_parser("verify", help="check the file's integrity (and every evidence hash)")
    check.add_argument("file", type=Path)
    add_passphrase_options(check)
    check.set_defaults(func=cmd_verify)

    rekey = verbs.add_parser("passphrase", help="change the passphrase (or encrypt a plain file)")
    rekey.add_argument("file", type=Path)
    add_passphrase_options(rekey)
    rekey.add_argument("--new-passphrase-file", type=Path, required=True, metavar="PATH")
    rekey.add_argument("--no-remember", action="store_true")
    rekey.set_defaults(func=cmd_passphrase)

    backup = verbs.add_parser("backup", help="a consistent copy, encrypted as the file is (even while it is open)")
    backup.add_argument("file", type=Path)
    backup.add_argument("destination", type=Path, metavar="DEST", help="a new file, or a folder to put it in")
    add_passphrase_options(backup)
    backup.set_defaults(func=cmd_backup)

    plain = verbs.add_parser("export-plain", help="write an UNENCRYPTED copy (for an archive that requires one)")
    plain.add_argument("file", type=Path)
    plain.add_argument("target", type=Path)
    add_passphrase_options(plain)
    plain.set_defaults(func=cmd_export_plain)


def cmd_new(args: argparse.Namespace) -> int:
    from fieldwork.app.services.engagement import create_engagement

    if args.type1:
        details = EngagementDetails(args.client, args.system, ReportType.TYPE1, as_of_date=args.type1)
    else:
        start, end = args.type2
        details = EngagementDetails(args.client, args.system, ReportType.TYPE2, start, end)
    details = EngagementDetails(
        **{**asdict(details), "tsc_categories": ("Security", *args.category), "iso_scope": args.iso_scope}
    )
    passphrase = passphrase_for_new_file(args)
    db, warnings = create_engagement(args.file, details, args.member, passphrase)
    remember_if_wanted(db, args)
    for warning in warnings:
        print(f"fieldwork: warning: {warning}", file=sys.stderr)
    print(f"Created {args.file} ({'encrypted' if db.encrypted else 'UNENCRYPTED'}).")
    db.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fieldwork.app.demo import create_demo

    if not 1 <= args.scale <= MAX_DEMO_SCALE:
        raise ValidationError(f"--scale takes a whole number from 1 to {MAX_DEMO_SCALE}.")
    passphrase = passphrase_for_new_file(args)
    db = create_demo(args.file, passphrase, args.scale)
    remember_if_wanted(db, args)
    print(f"Wrote the demo engagement to {args.file} ({'encrypted' if db.encrypted else 'UNENCRYPTED'}).")
    db.close()
    return 0


def info_document(view: Overview, controls: list[Any], tests: list[Any], judged: Judgements) -> dict[str, Any]:
    details = view.details
    in_scope = set(view.in_scope)
    return {
        "engagement": {
            "client": details.client,
            "system": details.system_name,
            "report_type": details.report_type.value,
            "period_start": details.period_start.isoformat() if details.period_start else None,
            "period_end": details.period_end.isoformat() if details.period_end else None,
            "as_of_date": details.as_of_date.isoformat() if details.as_of_date else None,
            "tsc_categories": list(details.tsc_categories),
            "iso_scope": details.iso_scope,
        },
        "file": asdict(view.facts),
        "counts": view.counts,
        "progress": [
            {
                "framework": group.framework.value,
                "group": group.key,
                "title": group.title,
                "status": group.status.value,
                **asdict(group.counts),
            }
            for group in view.groups
        ],
        "coverage": {
            framework.value: {
                "in_scope": [c for c in view.in_scope if _framework_of(c) is framework],
                "excluded": [c for c in view.statuses if c not in in_scope and _framework_of(c) is framework],
                "uncovered": [c for c in view.gaps if _framework_of(c) is framework],
            }
            for framework in Framework
        },
        "requirements": {code: state.status.value for code, state in view.statuses.items()},
        "controls": [
            {"id": str(c.id), "ref": c.ref, "title": c.title, "requirements": list(c.requirements)} for c in controls
        ],
        "tests": [
            {
                "id": str(t.id),
                "ref": t.ref,
                "control": t.control_ref,
                "kind": t.kind.value,
                "status": t.status.value,
                "sample_size": t.sample_size,
                "sample_items": t.items_total,
                "deviations": t.deviation_count,
            }
            for t in tests
        ],
        **judgement_document(judged),
    }


def judgement_document(judged: Judgements) -> dict[str, Any]:
    """Conclusions, findings and the opinion, named as the issue tracker and the workbook name them."""
    worksheet = judged.worksheet
    return {
        "conclusions": [
            {
                "requirement": c.code,
                "conclusion": c.conclusion.value,
                "basis": c.basis,
                "progress": c.progress.value,
                "deviations": list(c.deviations),
                "findings": list(c.findings),
                "compensating_controls": list(c.compensating_controls),
                "unsupported": c.unsupported or None,
            }
            for c in judged.conclusions
        ],
        "findings": [
            {
                "ref": f.ref,
                "kind": f.kind.value,
                "requirements": list(f.requirements),
                "status": f.status.value,
                "statement": f.statement,
                "deviations": list(f.deviations),
                "ai_systems": list(f.ai_systems),
                "due_date": f.due_date.isoformat() if f.due_date else None,
            }
            for f in judged.findings
        ],
        "opinion": {
            "recorded": worksheet.overall_recorded.value,
            "proposed": worksheet.overall_proposed.value,
            "supported": worksheet.supported,
            "reasons": list(worksheet.reasons),
            "areas": [
                {
                    "area": judged_area.area.value,
                    "recorded": judged_area.kind.value,
                    "proposed": worksheet.proposed(judged_area.area).value,
                    "basis": judged_area.basis,
                    "departure_reason": judged_area.departure_reason or None,
                }
                for judged_area in worksheet.recorded
            ],
        },
    }


def work_document(stage: Stage, workpapers: list[Workpaper], register: IpeRegister) -> dict[str, Any]:
    """The engagement around the tests: its stage, its workpapers, and each population's IPE assessment."""
    return {
        "stage": {"stage": stage.stage.value, "reason": stage.reason},
        "workpapers": [
            {
                "ref": w.ref,
                "title": w.title,
                "kind": w.kind.value,
                "complete": w.complete,
                "completion_item": w.fields.completion_item,
                "missing": list(w.missing),
            }
            for w in workpapers
        ],
        "ipe": [
            {
                "test": p.test_ref,
                "assessed": p.assessed,
                "result": p.result.value if p.result else None,
                "assessment": p.assessment.ref if p.assessment else None,
            }
            for p in register.populations
        ],
        "ipe_rule": {"required": register.rule.required, "reason": register.rule.reason or None},
    }


def _framework_of(code: str) -> Framework:
    is_iso = code[0].isdigit() or code.startswith("A.")
    return Framework.ISO42001 if is_iso else Framework.SOC2


def _print_info(doc: dict[str, Any]) -> None:
    e, f, n = doc["engagement"], doc["file"], doc["counts"]
    period = f"as of {e['as_of_date']}" if e["as_of_date"] else f"{e['period_start']} to {e['period_end']}"
    print(f"{e['client']}: {e['system']}")
    print(f"  {ReportType(e['report_type']).label}, {period}; categories: {', '.join(e['tsc_categories'])}")
    print(f"  File: {'encrypted' if f['encrypted'] else 'UNENCRYPTED'}, engagement {f['engagement_id']}")
    print(f"  Stage: {doc['stage']['stage']}: {doc['stage']['reason']}")
    if f.get("rolled_from_engagement_id"):
        print(f"  Rolled forward from engagement {f['rolled_from_engagement_id']} (SHA-256 {f['rolled_from_sha256']})")
    counts = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in n.items())
    print(f"  Counts: {counts}")
    print("\nProgress (concluded / in progress / exceptions / not started / excluded):")
    for g in doc["progress"]:
        counts = (
            f"{g['concluded']:>3} {g['in_progress']:>3} {g['exceptions']:>3} {g['not_started']:>3} {g['excluded']:>3}"
        )
        print(f"  {g['title'][:60]:<60} {counts}")
    total = sum(len(coverage["in_scope"]) for coverage in doc["coverage"].values())
    print(f"\nRequirements in scope: {total}")
    for framework, coverage in doc["coverage"].items():
        missing = ", ".join(coverage["uncovered"]) or "none"
        excluded = f" (and {len(coverage['excluded'])} excluded in the SoA)" if coverage["excluded"] else ""
        print(
            f"{Framework(framework).label}: {len(coverage['in_scope'])} requirements in scope{excluded}; "
            f"without a control: {missing}"
        )
    print("\nWorkpapers:")
    for w in doc["workpapers"]:
        state = "complete" if w["complete"] else f"{len(w['missing'])} point(s) open"
        print(f"  {w['ref']:<8} {w['title'][:60]:<60} {state}{'  (completion item)' if w['completion_item'] else ''}")
    assessed = sum(p["assessed"] for p in doc["ipe"])
    print(f"\nPopulations relied on: {len(doc['ipe'])}, IPE assessed for {assessed}")
    print("\nControls:")
    for c in doc["controls"]:
        print(f"  {c['ref']:<10} {c['title'][:70]}  [{', '.join(c['requirements'])}]")
    print("\nTests:")
    for t in doc["tests"]:
        sample = f"{t['sample_items']}/{t['sample_size']}" if t["sample_size"] else "-"
        print(f"  {t['ref']:<14} {t['kind']:<10} {t['status']:<12} sample {sample}")


def engagement_info(db: EngagementFile) -> dict[str, Any]:
    """What `info --json` prints, read in one transaction."""
    from fieldwork.app.cli.ai_document import ai_systems_document
    from fieldwork.app.cli.subservice_document import subservice_document
    from fieldwork.app.services.ai_coverage import read_ai_overview
    from fieldwork.app.services.controls import read_controls
    from fieldwork.app.services.ipe import read_register
    from fieldwork.app.services.judged import read_judgements
    from fieldwork.app.services.overview import read_overview
    from fieldwork.app.services.stage import read_stage
    from fieldwork.app.services.subservice import read_subservice
    from fieldwork.app.services.testing import read_tests
    from fieldwork.app.services.unevidenced import read_tests_without_evidence
    from fieldwork.app.services.workpapers import read_workpapers

    with db.reading() as conn:
        judged = read_judgements(conn)
        view = read_overview(conn, db.encrypted, list(judged.grounds.scope), judged.grounds.statuses)
        tests = read_tests(conn)
        workpapers = read_workpapers(conn, worksheet=judged.worksheet)
        stage = read_stage(conn, tests, workpapers)
        doc = info_document(view, read_controls(conn), tests, judged)
        doc.update(work_document(stage, workpapers, read_register(conn, tests)))
        ai = read_ai_overview(conn, judged.grounds, view.details, judged.findings)
        doc["ai_systems"] = ai_systems_document(ai)
        doc["tests_concluded_without_evidence"] = list(read_tests_without_evidence(conn).values())
        doc.update(subservice_document(read_subservice(conn)))
        return doc


def cmd_info(args: argparse.Namespace) -> int:
    from fieldwork.app.cli.ai_document import print_ai_systems
    from fieldwork.app.cli.subservice_document import print_subservice

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        doc = engagement_info(db)
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print_info(doc)
        print_ai_systems(doc["ai_systems"])
        print_subservice(doc)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from fieldwork.app.services.verify import verify

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        findings = verify(db)
    for finding in findings:
        print(f"{'ok  ' if finding.ok else 'FAIL'} {finding.check}: {finding.detail}")
    failed = [f for f in findings if not f.ok]
    print(f"{args.file.name}: {'all checks passed' if not failed else f'{len(failed)} check(s) failed'}.")
    return 1 if failed else 0


def cmd_passphrase(args: argparse.Namespace) -> int:
    from fieldwork.app.services.security import change_passphrase

    db = open_for_command(args.file, args.passphrase_file)
    new = from_file_or_environment(args.new_passphrase_file)
    assert new is not None
    db, warning = change_passphrase(db, new, remember_it=not args.no_remember)
    db.close()
    if warning:
        print(f"fieldwork: {warning}", file=sys.stderr)
    print(f"{args.file.name}: the passphrase has been changed.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from fieldwork.app.services.backup import back_up

    with open_for_command(args.file, args.passphrase_file, writes=False) as db:
        written = back_up(db, args.destination)
        kind = "encrypted: it opens with the same passphrase" if db.encrypted else "UNENCRYPTED, as the file is"
    print(f"Wrote a backup to {written} ({kind}).")
    return 0


def cmd_export_plain(args: argparse.Namespace) -> int:
    from fieldwork.app.services.security import export_unencrypted_copy

    with open_for_command(args.file, args.passphrase_file) as db:
        print(
            "fieldwork: warning: the copy is NOT encrypted; anyone with it can read the client's data.", file=sys.stderr
        )
        export_unencrypted_copy(db, args.target)
    print(f"Wrote an unencrypted copy to {args.target}; the engagement's history records it.")
    return 0
