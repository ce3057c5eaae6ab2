"""The engagement around the tests (JUDGEMENTS.md section 7): workpapers with an index reference, and what keeps
one from being complete.

A workpaper (A-100 Acceptance and continuance, C-200 Written representations) is a memo, a checklist, a
confirmation or a letter. What makes it complete is derived on every read from what it holds: every checklist
item answered (a "No" explained), a confirmation from each team member where one is asked for, who signed a
letter and when, the dates that must agree with the report release date, and the auditor having marked it done.
A workpaper marked complete that no longer is (an item added, the report date moved past the subsequent events
procedures) shows why, never a stale "complete".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldwork.app.domain.ids import ControlId, EvidenceId, PersonId, WorkpaperId, WorkpaperItemId
from fieldwork.app.domain.judgements import Misstatement, OpinionWorksheet
from fieldwork.app.domain.records import TeamMember
from fieldwork.app.domain.vocabulary import EngagementStage, Labelled, Status

#: An index reference: one to three letters, a dash, a number, and an optional sub-number (A-100, B-10.2).
REF_PATTERN = re.compile(r"^[A-Z]{1,3}-\d{1,4}(?:\.\d{1,3})?$")


class WorkpaperKind(Labelled):
    MEMO = "memo", "Memo"
    CHECKLIST = "checklist", "Checklist"
    CONFIRMATION = "confirmation", "Confirmation"
    LETTER = "letter", "Letter"


class Answer(Labelled):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class DateRule(Labelled):
    """How a workpaper's date must stand to the report release date (AT-C 205: the report is not dated before
    the assertion and the representations; subsequent events run to the report date)."""

    SIGNED_BY_REPORT_DATE = "signed_by_report_date", "Dated on or before the report release date"
    THROUGH_REPORT_DATE = "through_report_date", "Runs through the report release date"


class Shows(Labelled):
    """What the file itself says that a workpaper shows beside its text."""

    OPINION_WORKSHEET = "opinion_worksheet", "The opinion worksheet"
    MISSTATEMENTS = "misstatements", "Misstatements of the description"


@dataclass(frozen=True)
class ChecklistItem:
    id: WorkpaperItemId
    seq: int
    prompt: str
    answer: Answer | None
    note: str
    #: The team member a confirmation line is from.
    person_id: PersonId | None = None


@dataclass(frozen=True)
class WorkpaperFields:
    """What the auditor edits on a workpaper's page (its checklist answers and links are saved one by one)."""

    ref: str
    title: str
    kind: WorkpaperKind
    body: str = ""
    completion_item: bool = False
    dated: date | None = None
    signed_by: str = ""
    signer_title: str = ""


@dataclass(frozen=True)
class WorkpaperShape:
    """What a template asks of its workpaper, kept with the workpaper so a later template change never alters
    what an engagement's workpaper needs."""

    template: str = ""
    #: A confirmation asked of each team member (`{member}` names them); "" when none is.
    member_statement: str = ""
    asks_signer: bool = False
    date_label: str = ""
    date_rule: DateRule | None = None
    shows: Shows | None = None


@dataclass(frozen=True)
class Workpaper:
    id: WorkpaperId
    fields: WorkpaperFields
    shape: WorkpaperShape
    completed_at: str | None
    items: tuple[ChecklistItem, ...]
    requirements: tuple[str, ...]
    controls: tuple[str, ...]
    control_ids: tuple[ControlId, ...]
    evidence: tuple[str, ...]
    evidence_ids: tuple[EvidenceId, ...]
    #: What keeps it from being complete, derived on every read (see `missing`).
    missing: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return self.fields.ref

    @property
    def title(self) -> str:
        return self.fields.title

    @property
    def kind(self) -> WorkpaperKind:
        return self.fields.kind

    @property
    def complete(self) -> bool:
        return self.completed_at is not None and not self.missing

    @property
    def answered(self) -> int:
        return sum(item.answer is not None for item in self.items)

    @property
    def progress(self) -> Status:
        """Where it stands in the words progress is shown in everywhere: complete, started, or not started."""
        if self.complete:
            return Status.CONCLUDED
        started = self.answered or self.completed_at or self.evidence
        return Status.IN_PROGRESS if started else Status.NOT_STARTED

    @property
    def state(self) -> str:
        """One line for a list: complete, or what is left."""
        if self.complete:
            return "Complete"
        if self.missing:
            return f"{len(self.missing)} point(s) open"
        return "Ready to mark complete"

    def content(self) -> dict[str, Any]:
        """What the workpaper says, in a stable form: what a sign-off on it covers (its hash is taken of this)."""
        fields = self.fields
        return {
            "id": str(self.id),
            "ref": fields.ref,
            "title": fields.title,
            "kind": fields.kind.value,
            "body": fields.body,
            "completion_item": fields.completion_item,
            "dated": fields.dated.isoformat() if fields.dated else None,
            "signed_by": fields.signed_by,
            "signer_title": fields.signer_title,
            "items": [
                [item.seq, item.prompt, item.answer.value if item.answer else None, item.note] for item in self.items
            ],
            "requirements": sorted(self.requirements),
            "controls": sorted(str(key) for key in self.control_ids),
            "evidence": sorted(str(key) for key in self.evidence_ids),
        }


@dataclass(frozen=True)
class CompletionItem:
    """What finalizing checks: a workpaper marked as a completion item, and whether it is complete."""

    workpaper_id: WorkpaperId
    ref: str
    title: str
    complete: bool
    #: Why not, one sentence each ("Not marked complete" among them).
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    stage: EngagementStage
    #: Why the file is at that stage, in one sentence.
    reason: str


def check_ref(text: str) -> str | None:
    """The reference in its stored form (upper case), or None when it is not A-100 style."""
    ref = text.strip().upper()
    return ref if REF_PATTERN.match(ref) else None


def member_line(statement: str, member: TeamMember) -> str:
    """A confirmation line for one team member, from the template's statement (`{member}` names them)."""
    who = f"{member.name} ({member.initials}, {member.role.label.lower()})"
    return statement.replace("{member}", who) if "{member}" in statement else f"{who}: {statement}"


def report_date_conflict(fields: WorkpaperFields, shape: WorkpaperShape, release: date | None) -> str:
    """Why the report release date cannot stand with this workpaper's date ("" when it can): the report is never
    dated before management's signed assertion or its written representations."""
    if shape.date_rule is not DateRule.SIGNED_BY_REPORT_DATE or release is None or fields.dated is None:
        return ""
    if release >= fields.dated:
        return ""
    return (
        f"The report release date ({release.isoformat()}) cannot precede {fields.title} ({fields.ref}), "
        f"dated {fields.dated.isoformat()}."
    )


def _item_problems(items: tuple[ChecklistItem, ...]) -> list[str]:
    """Unanswered items (a team member's confirmation line is counted as that member's, not here), and every "No"
    without a note."""
    general = [item for item in items if item.person_id is None]
    unanswered = [item.seq for item in general if item.answer is None]
    problems = []
    if unanswered:
        listed = ", ".join(str(seq) for seq in unanswered[:8]) + (", ..." if len(unanswered) > 8 else "")
        problems.append(f"{len(unanswered)} of {len(general)} item(s) not answered ({listed})")
    problems += [
        f"Item {item.seq} is answered No without a note saying what was done about it"
        for item in items
        if item.answer is Answer.NO and not item.note.strip()
    ]
    return problems


def _date_problems(fields: WorkpaperFields, shape: WorkpaperShape, release: date | None) -> list[str]:
    if shape.date_label and fields.dated is None:
        return [f"The date is not recorded ({shape.date_label})"]
    if shape.date_rule is DateRule.THROUGH_REPORT_DATE and fields.dated is not None:
        if release is None:
            return ["The report release date is not recorded, so these procedures cannot be shown to run to it"]
        if fields.dated < release:
            return [
                f"The procedures run to {fields.dated.isoformat()}, before the report release date "
                f"{release.isoformat()}: extend them to the report date"
            ]
    conflict = report_date_conflict(fields, shape, release)
    return [conflict.rstrip(".")] if conflict else []


def missing(
    fields: WorkpaperFields,
    shape: WorkpaperShape,
    items: tuple[ChecklistItem, ...],
    team: list[TeamMember],
    release: date | None,
    file_reasons: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """What keeps a workpaper from being complete, one sentence each; `file_reasons` are what the file itself
    says against it (the opinion worksheet not supporting the recorded opinion)."""
    problems = _item_problems(items)
    if shape.member_statement:
        confirmed = {item.person_id for item in items if item.answer is not None}
        problems += [f"No confirmation from {m.name} ({m.initials})" for m in team if m.id not in confirmed]
    if fields.kind is WorkpaperKind.MEMO and not fields.body.strip():
        problems.append("The memo has no text")
    if shape.asks_signer:
        problems += [
            f"{what} is not recorded"
            for what, value in (("Who signed", fields.signed_by), ("The signer's title", fields.signer_title))
            if not value.strip()
        ]
    problems += _date_problems(fields, shape, release)
    problems += file_reasons
    return tuple(problems)


def completion_item(workpaper: Workpaper) -> CompletionItem:
    reasons = workpaper.missing + (() if workpaper.completed_at else ("Not marked complete",))
    return CompletionItem(workpaper.id, workpaper.ref, workpaper.title, workpaper.complete, reasons)


def shown_lines(
    shows: Shows | None, worksheet: OpinionWorksheet, misstatements: tuple[Misstatement, ...]
) -> tuple[str, ...]:
    """What the file says that a workpaper shows beside its text, one line each (the page and the workbook)."""
    if shows is Shows.OPINION_WORKSHEET:
        lines = [
            f"{r.area.label}: recorded {r.kind.label.lower()}, proposed {worksheet.proposed(r.area).label.lower()}"
            for r in worksheet.recorded
        ]
        matters = [matter.text for matter in worksheet.matters]
        lines += [f"Matter: {text}" for text in matters]
        lines += [f"Not yet supported: {reason}" for reason in worksheet.reasons if reason not in matters]
        return tuple(lines) or ("The worksheet lists no matter.",)
    if shows is Shows.MISSTATEMENTS:
        found = [
            f"{m.ref} ({m.section}){' material' if m.material else ''}{', corrected' if m.corrected else ''}: "
            f"{m.description}"
            for m in misstatements
        ]
        return tuple(found) or ("No misstatement of the description is recorded.",)
    return ()
