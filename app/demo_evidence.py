"""The demo's PBC list and a handful of small evidence files, so the library and the exports are not empty.

The files are synthetic (generated from fixed seeds, a few KB each): the same bytes, and so the same SHA-256,
on every machine. They are not repeated by `scale`; benchmarks that need large evidence attach their own.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fieldwork.app.domain.refs import sample_ref
from fieldwork.app.services.evidence import LinkKind, Receipt, attach_stream, resolve_link
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import Changes
from fieldwork.app.services.pbc import PbcRequestInput, PbcStatus, find_request_id, insert_request
from fieldwork.app.tasks import Task

#: Days before the due date that the demo's received requests came in.
DAYS_EARLY = 2


@dataclass(frozen=True)
class DemoFile:
    name: str
    request: str
    links: tuple[tuple[LinkKind, str], ...]
    content: Callable[[random.Random], str]


def _new_hires(rng: random.Random) -> str:
    rows = ["employee_id,name,department,start_date,acknowledged_code_on"]
    for n in range(52):
        start = date(2025, 10, 1) + timedelta(days=rng.randrange(365))
        signed = start - timedelta(days=rng.randrange(0, 6))
        rows.append(
            f"HIRE-{1001 + n},Employee {1001 + n},{rng.choice(['Eng', 'Sales', 'People', 'ML'])},{start},{signed}"
        )
    return "\n".join(rows) + "\n"


def _deployments(rng: random.Random) -> str:
    rows = ["run_id,repository,commit,pull_request,approved_by,deployed_at_utc"]
    for n in range(120):
        when = date(2025, 10, 1) + timedelta(days=rng.randrange(365))
        commit = f"{rng.getrandbits(40):010x}"
        rows.append(f"{880000 + n},hiring-platform,{commit},#{4100 + n},reviewer{rng.randrange(1, 9)},{when}T14:02:00Z")
    return "\n".join(rows) + "\n"


def _monitoring(rng: random.Random) -> str:
    rows = ["week,model,auc,psi_drift,adverse_impact_ratio,alert,reviewed_by"]
    for week in range(1, 53):
        air = round(rng.uniform(0.78, 0.97), 3)
        alert = "fairness" if air < 0.8 else ""
        auc, drift = rng.uniform(0.81, 0.86), rng.uniform(0, 0.2)
        rows.append(f"2026-W{week:02d},candidate-ranker-v3,{auc:.3f},{drift:.3f},{air},{alert},ML Platform Lead")
    return "\n".join(rows) + "\n"


#: The bias auditor's data table for the Match Score: (sex, race or ethnicity, applicants, scored above the median).
SCORING_RATES = (
    ("Female", "Hispanic or Latino", 412, 131),
    ("Female", "White", 803, 259),
    ("Female", "Black or African American", 356, 110),
    ("Female", "Asian", 231, 77),
    ("Female", "Two or more races", 61, 19),
    ("Female", "Native Hawaiian or Pacific Islander", 9, 3),
    ("Male", "Hispanic or Latino", 447, 151),
    ("Male", "White", 871, 302),
    ("Male", "Black or African American", 368, 121),
    ("Male", "Asian", 262, 92),
    ("Male", "Two or more races", 68, 23),
    ("Male", "American Indian or Alaska Native", 12, 4),
    ("", "White", 40, 12),
)
BIAS_AUDIT_FILE = "2026 bias audit - Match Score scoring rates.csv"


def _scoring_rates(rng: random.Random) -> str:
    """One row per applicant, shuffled: whether the Match Score put them above the requisition's median."""
    rows = []
    for sex, race, applicants, above in SCORING_RATES:
        rows += [(sex, race, "Yes" if n < above else "No") for n in range(applicants)]
    rng.shuffle(rows)
    lines = ["applicant_ref,sex,race_ethnicity,scored_above_median"]
    lines += [f"APP-{100001 + n},{sex},{race},{above}" for n, (sex, race, above) in enumerate(rows)]
    return "\n".join(lines) + "\n"


def document(title: str, sections: tuple[str, ...]) -> Callable[[random.Random], str]:
    def write(rng: random.Random) -> str:
        body = [f"# {title}", "", "Synthetic document generated for the Fieldwork demo engagement.", ""]
        for number, heading in enumerate(sections, start=1):
            body += [f"## {number}. {heading}", ""]
            body += [f"{heading} requirement {n}: reviewed on cycle {rng.randrange(1, 13)}." for n in range(1, 9)]
            body.append("")
        return "\n".join(body)

    return write


DEMO_FILES = (
    DemoFile(
        "Code of Business Conduct v4.2.md",
        "PBC-002",
        ((LinkKind.CONTROL, "C-001"), (LinkKind.TEST, "C-001.T1")),
        document("Code of Business Conduct v4.2", ("Integrity", "Responsible AI Principles", "Speaking up")),
    ),
    DemoFile(
        "BambooHR new hires 2025-10-01 to 2026-09-30.csv",
        "PBC-002",
        ((LinkKind.TEST, "C-001.T2"), *((LinkKind.SAMPLE_ITEM, sample_ref("C-001.T2", n)) for n in (1, 2, 3))),
        _new_hires,
    ),
    DemoFile(
        "GitHub Actions deployments FY2026.csv",
        "PBC-001",
        (
            (LinkKind.TEST, "C-074.T2"),
            (LinkKind.SAMPLE_ITEM, "C-074.T2 #1"),
            (LinkKind.SAMPLE_ITEM, "C-074.T2 #2"),
        ),
        _deployments,
    ),
    DemoFile(
        "AI Governance Committee charter v2.md",
        "PBC-004",
        ((LinkKind.CONTROL, "C-004"), (LinkKind.TEST, "C-004.T1")),
        document("AI Governance Committee charter", ("Purpose", "Membership", "Meetings", "Decisions")),
    ),
    DemoFile(
        "AI system impact assessment - Candidate Ranker v3.md",
        "PBC-005",
        ((LinkKind.CONTROL, "C-021"), (LinkKind.SAMPLE_ITEM, "C-021.T2 #1"), (LinkKind.AI_SYSTEM, "Match Score")),
        document("AI system impact assessment", ("Intended use", "Fairness and bias", "Harm to individuals")),
    ),
    DemoFile(
        "Weekly model monitoring log 2026.csv",
        "PBC-007",
        ((LinkKind.TEST, "C-040.T2"),),
        _monitoring,
    ),
    DemoFile(
        BIAS_AUDIT_FILE,
        "PBC-011",
        ((LinkKind.TEST, "C-022.T2"), (LinkKind.AI_SYSTEM, "Match Score")),
        _scoring_rates,
    ),
)


def demo_file_content(name: str) -> bytes:
    """A demo file's bytes, as attached (the same seed gives the same bytes)."""
    seed, found = next((n, f) for n, f in enumerate(DEMO_FILES, start=1) if f.name == name)
    return found.content(random.Random(seed)).encode("utf-8")


def fill_demo_evidence(ch: Changes, data: dict[str, Any]) -> None:
    """Write the PBC list from the demo content, then attach the demo files in answer to it."""
    received: dict[str, tuple[date, str]] = {}
    for raw in data.get("pbc_requests", []):
        due = date.fromisoformat(raw["due"])
        done = raw["status"] == PbcStatus.RECEIVED  # "overdue" is derived, so it is stored as open
        on = due - timedelta(days=DAYS_EARLY)
        status = PbcStatus.RECEIVED if done else PbcStatus.OPEN
        values = PbcRequestInput(raw["request"], raw["requested_of"], due, status, on if done else None)
        insert_request(ch, values, raw["ref"])
        received[raw["ref"]] = (on, raw["requested_of"])
    progress = ByteProgress(Task(), 0)
    for demo_file in DEMO_FILES:
        on, provider = received[demo_file.request]
        receipt = Receipt(on, provider, find_request_id(ch.conn, demo_file.request))
        targets = [resolve_link(ch.conn, kind, ref) for kind, ref in demo_file.links]
        content = io.BytesIO(demo_file_content(demo_file.name))
        attach_stream(ch, content, demo_file.name, targets, receipt, progress)
