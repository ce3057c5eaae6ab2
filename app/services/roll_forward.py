"""Rolling an engagement forward into next period's: a new file that starts from the old one's plan.

Copied: the team, the tickmark legend, the description of the system (each section marked to update until it is
edited), the controls with their requirement links and dismissed suggestions, the test plans (kind, procedure,
methods, population description, round and window moved by the period shift), the Statement of Applicability,
the auditor's own crosswalk links, the PBC list (open again, due dates moved by the shift) and the ISO findings
still open, as prior-period findings to follow up. With `with_evidence`, the documents linked to controls (a
policy, a charter) come too, marked prior-period by their predecessor. Never copied: samples, results,
deviations, conclusions, the opinion, populations or the history.

Every record copied is a new record (a new UUID: the two years' files may one day sit in one database) that
names the record it came from (`predecessor_id`). A control no longer in operation when the new period starts
is left out, and so is a remediation retest of the old period; the result says which. The old file is read
through `storage.read_only` and never changed; the new one records the old one's engagement id and SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, select

from fieldwork.app.domain.ids import new_id
from fieldwork.app.domain.judgements import SETTLED
from fieldwork.app.domain.over_time import Span, TestRound
from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import AUDITABLE_KINDS, ReportType
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import create_engagement, read_details
from fieldwork.app.services.evidence_store import ByteProgress, chunks, store_stream
from fieldwork.app.services.history import Changes
from fieldwork.app.storage.database import Passphrase
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.read_only import ReadOnlyFile
from fieldwork.app.storage.schema import (
    complementary_control,
    complementary_requirement,
    control,
    control_requirement,
    control_subservice,
    control_test,
    description_section,
    dismissed_suggestion,
    evidence,
    evidence_blob,
    evidence_link,
    fieldwork_meta,
    finding,
    finding_requirement,
    live,
    mapping,
    pbc_request,
    person,
    requirement,
    soa_line,
    subservice_organization,
    tickmark,
)
from fieldwork.app.tasks import Task

#: Where the new file records its predecessor (fieldwork_meta keys).
SOURCE_KEYS = ("rolled_from_engagement_id", "rolled_from_sha256", "rolled_from_file", "rolled_from_period")
STEPS = 8
#: Columns copied as they are, per table (keys, predecessors and what changes with the period are set apart).
PLAIN = {
    person: ("name", "initials", "role"),
    control: ("ref", "title", "description", "owner", "frequency", "nature", "control_type", "is_key"),
    control_test: ("ref", "kind", "procedure", "methods", "population"),
    pbc_request: ("ref", "request", "requested_of"),
    finding: (
        "ref", "kind", "statement", "objective_evidence", "correction", "root_cause", "corrective_action", "owner",
        "due_date", "status",
    ),
    # Its SOC report review and an inclusive organization's assertion are the new period's to obtain.
    subservice_organization: ("name", "services", "method"),
    complementary_control: ("ref", "kind", "text"),
    evidence: ("ref", "blob_sha256", "original_name", "media_type", "received_date", "provided_by", "attached_by",
               "attached_at"),
}  # fmt: skip


@dataclass(frozen=True)
class NewPeriod:
    """The period of the engagement rolled into: Type 2 from `start` to `end`, or Type 1 as of `as_of`."""

    report_type: ReportType
    start: date | None = None
    end: date | None = None
    as_of: date | None = None

    @property
    def last_day(self) -> date | None:
        return self.as_of if self.report_type is ReportType.TYPE1 else self.end


@dataclass(frozen=True)
class RolledForward:
    """What a roll-forward made: the counts of records copied, and what it left out and why."""

    path: Path
    source_engagement_id: str
    source_sha256: str
    copied: dict[str, int]
    left_out: tuple[str, ...]


def rolled_details(old: EngagementDetails, period: NewPeriod) -> EngagementDetails:
    """The old engagement's details for the new period; the dates of the old report do not carry over."""
    type1 = period.report_type is ReportType.TYPE1
    return replace(
        old,
        report_type=period.report_type,
        period_start=None if type1 else period.start,
        period_end=None if type1 else period.end,
        as_of_date=period.as_of if type1 else None,
        report_release_date=None,
        documentation_completion_date=None,
    )


def _last_day(details: EngagementDetails) -> date:
    last = details.as_of_date if details.report_type is ReportType.TYPE1 else details.period_end
    assert last is not None
    return last


def roll_forward(
    source: ReadOnlyFile,
    target: Path,
    period: NewPeriod,
    passphrase: Passphrase,
    *,
    with_evidence: bool = False,
    task: Task | None = None,
) -> tuple[EngagementFile, RolledForward]:
    """Write next period's engagement to `target` from `source` (read only); all of it or, on error or cancel,
    nothing. Run it off the GUI thread."""
    task = task or Task()
    if source.encrypted and passphrase is None:
        raise ValidationError("An encrypted engagement rolls forward into an encrypted one: give it a passphrase.")
    with source.snapshot() as (old, sha256):
        old_details = read_details(old)
        details = rolled_details(old_details, period)
        facts = dict(old.execute(select(fieldwork_meta.c.key, fieldwork_meta.c.value)).all())
        copier = _Copier(old, details, old_details, task, with_evidence)
        meta = {
            "rolled_from_engagement_id": facts["engagement_id"],
            "rolled_from_sha256": sha256,
            "rolled_from_file": source.path.name,
            "rolled_from_period": old_details.period_label,
        }
        db, _warnings = create_engagement(target, details, (), passphrase, fill=lambda ch: copier.fill(ch, meta))
    done = RolledForward(target, facts["engagement_id"], sha256, copier.copied, tuple(copier.left_out))
    return db, done


class _Copier:
    """One roll-forward: reads the old file's rows and writes the new file's, in the new file's transaction."""

    def __init__(
        self, old: Connection, details: EngagementDetails, old_details: EngagementDetails, task: Task, evidence: bool
    ) -> None:
        self.old, self.task, self.with_evidence = old, task, evidence
        self.period = details.period
        self.first_day = details.period_start or details.as_of_date
        self.shift = _last_day(details) - _last_day(old_details)
        self.copied: dict[str, int] = {}
        self.left_out: list[str] = []
        self.controls: dict[UUID, UUID] = {}  # old control id -> new

    def _rows(self, table: Table, *where: Any) -> list[dict[str, Any]]:
        query = select(table).where(live(table), *where)
        return [dict(row) for row in self.old.execute(query).mappings()]

    def _step(self, number: int, label: str) -> None:
        self.task.progress(number, STEPS, label)

    def fill(self, ch: Changes, meta: dict[str, str]) -> None:
        self._step(0, "team, tickmarks and description")
        self._team(ch)
        self._tickmarks(ch)
        self._description(ch)
        self._step(1, "Statement of Applicability and crosswalk")
        self._soa(ch)
        self._crosswalk(ch)
        self._step(2, "controls")
        self._controls(ch)
        self._subservice(ch)
        self._step(3, "test plans")
        self._tests(ch)
        self._step(4, "PBC requests")
        self._requests(ch)
        self._step(5, "prior-period findings")
        self._findings(ch)
        if self.with_evidence:
            self._step(6, "evidence")
            self._evidence(ch)
        self._step(7, "recording the source")
        ch.insert_many(fieldwork_meta, [{"key": key, "value": value} for key, value in meta.items()])
        ch.record("roll_forward", "engagement_file", meta["rolled_from_file"], {**meta, "copied": self.copied})

    def _copy(self, row: dict[str, Any], table: Table, **extra: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            **{name: row[name] for name in PLAIN[table]},
            "predecessor_id": row["id"],
            **extra,
        }

    def _insert(self, ch: Changes, table: Table, rows: Sequence[dict[str, Any]], noun: str) -> None:
        ch.insert_many(table, rows)
        self.copied[noun] = len(rows)

    # -- the engagement around the work ----------------------------------------------------------------

    def _team(self, ch: Changes) -> None:
        self._insert(ch, person, [self._copy(row, person) for row in self._rows(person)], "team members")

    def _tickmarks(self, ch: Changes) -> None:
        """The old legend exactly: its symbols and meanings, and none of the defaults it had removed."""
        old = {row["symbol"]: row["meaning"] for row in self._rows(tickmark)}
        new = dict(ch.conn.execute(select(tickmark.c.symbol, tickmark.c.meaning).where(live(tickmark))).all())
        for symbol, meaning in old.items():
            if symbol not in new:
                ch.insert(tickmark, {"symbol": symbol, "meaning": meaning})
            elif new[symbol] != meaning:
                ch.update(tickmark, {"symbol": symbol}, {"meaning": meaning})
        ch.delete_where(tickmark, tickmark.c.symbol.not_in(list(old)))
        self.copied["tickmarks"] = len(old)

    def _description(self, ch: Changes) -> None:
        """Each section's text, marked to update for the new period until someone edits it."""
        written = 0
        for row in self._rows(description_section):
            if row["text"]:
                ch.update(description_section, {"code": row["code"]}, {"text": row["text"], "to_update": True})
                written += 1
        self.copied["description sections"] = written

    def _soa(self, ch: Changes) -> None:
        new = set(ch.conn.execute(select(soa_line.c.annex_code)).scalars())
        fields = ("included", "justification", "implementation_status")
        lines = [row for row in self._rows(soa_line) if row["annex_code"] in new]
        for row in lines:
            ch.update(soa_line, {"annex_code": row["annex_code"]}, {name: row[name] for name in fields})
        self.copied["SoA lines"] = len(lines)

    def _crosswalk(self, ch: Changes) -> None:
        """The auditor's own crosswalk links and the bundled ones switched off; the bundled crosswalk is the new
        file's own (`crosswalk_update` offers a newer one later)."""
        codes = set(ch.conn.execute(select(requirement.c.code)).scalars())
        bundled = {(r["iso_code"], r["soc2_code"]): r for r in ch.conn.execute(select(mapping)).mappings()}
        fields = ("relationship", "rationale", "origin", "active")
        kept = 0
        for row in self._rows(mapping):
            key = (row["iso_code"], row["soc2_code"])
            if row["origin"] == "catalog" and row["active"]:
                continue
            if key in bundled:
                ch.update(mapping, {"iso_code": key[0], "soc2_code": key[1]}, {name: row[name] for name in fields})
            elif set(key) <= codes:
                ch.insert(mapping, {name: row[name] for name in (*fields, "iso_code", "soc2_code", "sort_order")})
            else:
                continue
            kept += 1
        self.copied["own crosswalk links"] = kept

    # -- the controls and their plans ------------------------------------------------------------------

    def _controls(self, ch: Changes) -> None:
        auditable = {kind.value for kind in AUDITABLE_KINDS}
        codes = set(ch.conn.execute(select(requirement.c.code).where(requirement.c.kind.in_(auditable))).scalars())
        carried = []
        for row in self._rows(control):
            if row["effective_to"] is not None and self.first_day is not None and row["effective_to"] < self.first_day:
                self.left_out.append(f"{row['ref']}: no longer in operation after {row['effective_to']}")
            else:
                self.controls[row["id"]] = new_id()
                carried.append(row)
        rows = [
            self._copy(
                row,
                control,
                id=self.controls[row["id"]],
                effective_from=row["effective_from"],
                effective_to=row["effective_to"],
                replaces_id=self.controls.get(row["replaces_id"]),
            )
            for row in carried
        ]
        self._insert(ch, control, rows, "controls")
        self._insert(ch, control_requirement, list(self._links(control_requirement, codes)), "requirement links")
        self._insert(ch, dismissed_suggestion, list(self._links(dismissed_suggestion, codes)), "dismissed suggestions")

    def _subservice(self, ch: Changes) -> None:
        """The subservice organizations, the controls an inclusive one performs, the CUECs and CSOCs and the criteria
        each supports."""
        organizations = {row["id"]: new_id() for row in self._rows(subservice_organization)}
        rows = [
            self._copy(row, subservice_organization, id=organizations[row["id"]])
            for row in self._rows(subservice_organization)
        ]
        self._insert(ch, subservice_organization, rows, "subservice organizations")
        performed = [
            {"control_id": self.controls[row["control_id"]], "organization_id": organizations[row["organization_id"]]}
            for row in self._rows(control_subservice)
            if row["control_id"] in self.controls and row["organization_id"] in organizations
        ]
        self._insert(ch, control_subservice, performed, "controls subservice organizations perform")
        complementary = {row["id"]: new_id() for row in self._rows(complementary_control)}
        rows = [
            self._copy(
                row,
                complementary_control,
                id=complementary[row["id"]],
                organization_id=organizations.get(row["organization_id"]),
            )
            for row in self._rows(complementary_control)
        ]
        self._insert(ch, complementary_control, rows, "CUECs and CSOCs")
        links = [
            {"complementary_id": complementary[row["complementary_id"]], "requirement_code": row["requirement_code"]}
            for row in self._rows(complementary_requirement)
            if row["complementary_id"] in complementary
        ]
        self._insert(ch, complementary_requirement, links, "criteria of CUECs and CSOCs")

    def _links(self, table: Table, codes: set[str]) -> Iterator[dict[str, Any]]:
        for row in self._rows(table):
            new = self.controls.get(row["control_id"])
            if new is None:
                continue
            if row["requirement_code"] not in codes:
                self.left_out.append(f"the link of a control to {row['requirement_code']}: not in this catalog")
                continue
            yield {"control_id": new, "requirement_code": row["requirement_code"]}

    def _tests(self, ch: Changes) -> None:
        rows = []
        for row in self._rows(control_test):
            new_control = self.controls.get(row["control_id"])
            if new_control is None:
                continue
            if row["round"] == TestRound.REMEDIATION.value:
                self.left_out.append(f"{row['ref']}: a remediation retest of the prior period")
                continue
            rows.append(self._copy(row, control_test, control_id=new_control, **self._timing(row)))
        self._insert(ch, control_test, rows, "test plans")

    def _timing(self, row: dict[str, Any]) -> dict[str, Any]:
        """The round and window moved by the period shift, kept within the new period; none in a Type 1."""
        none = {"round": None, "window_start": None, "window_end": None}
        if self.period is None or (row["round"] is None and row["window_start"] is None and row["window_end"] is None):
            return none
        start, end = (self._moved(row[name], self.period) for name in ("window_start", "window_end"))
        if start is not None and end is not None and end < start:
            return none
        return {"round": row["round"], "window_start": start, "window_end": end}

    def _moved(self, day: date | None, period: Span) -> date | None:
        if day is None:
            return None
        moved = day + self.shift
        return min(max(moved, period.start), period.end)

    # -- requests, findings, evidence ------------------------------------------------------------------

    def _requests(self, ch: Changes) -> None:
        rows = [
            self._copy(row, pbc_request, due_date=_plus(row["due_date"], self.shift), status="open", received_date=None)
            for row in self._rows(pbc_request)
        ]
        self._insert(ch, pbc_request, rows, "PBC requests")

    def _findings(self, ch: Changes) -> None:
        """The ISO findings still open, to follow up: their corrective action as it stands, its verification
        to be done in the new period."""
        settled = {status.value for status in SETTLED}
        rows, links = [], []
        requirements: dict[UUID, list[str]] = {}
        for link in self._rows(finding_requirement):
            requirements.setdefault(link["finding_id"], []).append(link["requirement_code"])
        for row in self._rows(finding):
            if row["status"] in settled:
                continue
            made = self._copy(row, finding)
            rows.append(made)
            links += [{"finding_id": made["id"], "requirement_code": code} for code in requirements.get(row["id"], [])]
        self._insert(ch, finding, rows, "prior-period findings")
        ch.insert_many(finding_requirement, links)

    def _evidence(self, ch: Changes) -> None:
        """The documents linked to controls carried forward, each stored once and re-hashed on the way in."""
        links = self._rows(evidence_link, evidence_link.c.control_id.is_not(None))
        wanted = {row["evidence_id"] for row in links if row["control_id"] in self.controls}
        files = [row for row in self._rows(evidence) if row["id"] in wanted]
        keys = dict(self.old.execute(select(evidence_blob.c.sha256, evidence_blob.c.chunk_key)).all())
        sizes = dict(self.old.execute(select(evidence_blob.c.sha256, evidence_blob.c.size)).all())
        progress = ByteProgress(self.task, sum(sizes[row["blob_sha256"]] for row in files))
        made: dict[UUID, UUID] = {}
        rows = []
        for row in files:
            sha256 = row["blob_sha256"]
            stored = store_stream(ch, _ChunkReader(chunks(self.old, keys[sha256])), progress, row["original_name"])
            if stored != sha256:
                raise ValidationError(
                    f"{row['ref']} {row['original_name']} no longer matches its SHA-256 in the old file; "
                    "run fieldwork verify on it, then roll forward without --with-evidence."
                )
            copy = self._copy(row, evidence, pbc_request_id=None)
            made[row["id"]] = copy["id"]
            rows.append(copy)
        self._insert(ch, evidence, rows, "prior-period documents")
        new_links = [
            {"id": new_id(), "evidence_id": made[row["evidence_id"]], "control_id": self.controls[row["control_id"]]}
            for row in links
            if row["evidence_id"] in made and row["control_id"] in self.controls
        ]
        self._insert(ch, evidence_link, new_links, "document links")


def _plus(day: date | None, shift: timedelta) -> date | None:
    return day + shift if day is not None else None


class _ChunkReader:
    """The old file's chunks as a stream `store_stream` can read into its buffer."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = iter(parts)
        self._pending = memoryview(b"")

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            nxt = next(self._parts, None)
            if nxt is None:
                return 0
            self._pending = memoryview(nxt)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count
