"""The judgements read together, as the opinion weighs them: one read for the exports, `info` and the screens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.judgements import Finding, Misstatement, OpinionWorksheet, RequirementConclusion
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.conclusions import Grounds, read_conclusions, read_grounds
from fieldwork.app.services.findings import read_findings
from fieldwork.app.services.misstatements import read_misstatements
from fieldwork.app.services.opinion import read_worksheet


@dataclass(frozen=True)
class Judgements:
    grounds: Grounds
    conclusions: tuple[RequirementConclusion, ...]
    findings: tuple[Finding, ...]
    misstatements: tuple[Misstatement, ...]
    worksheet: OpinionWorksheet


def read_judgements(conn: Connection) -> Judgements:
    grounds = read_grounds(conn)
    conclusions = read_conclusions(conn, grounds)
    return Judgements(
        grounds=grounds,
        conclusions=tuple(conclusions),
        findings=tuple(read_findings(conn)),
        misstatements=tuple(read_misstatements(conn)),
        worksheet=read_worksheet(conn, grounds, conclusions),
    )


def judgements(db: Engagement) -> Judgements:
    with db.reading() as conn:
        return read_judgements(conn)
