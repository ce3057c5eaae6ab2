"""Assessments of the information produced by the entity: each test's population, each key report a control relies
on, and the engagement's rule that a clean conclusion needs its population assessed (`domain.ipe`).

Rules the auditors can rely on:
- One assessment per test's population (made when the population is imported, or when first assessed) and any
  number of key reports per control, each with a reference (IPE-001).
- A result needs what it rests on: the source system, the query or report, and the completeness and accuracy
  procedures performed.
- While the rule is on (the default), a test of operating effectiveness that relies on a population does not
  conclude "No exceptions noted" until that population is assessed complete and accurate; and an assessment a
  clean conclusion rests on is not cleared or deleted under it. Switching the rule off needs the reason.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import ControlId, IpeId, TestId
from fieldwork.app.domain.ipe import (
    IpeAssessment,
    IpeInput,
    IpeRegister,
    IpeResult,
    IpeRule,
    IpeSubject,
    PopulationIpe,
    clean_conclusion_refusal,
    relies_on_population,
)
from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.vocabulary import Conclusion, TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.grouped import evidence_by
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import find_id, next_number
from fieldwork.app.storage.schema import (
    control,
    control_test,
    engagement,
    evidence_link,
    ipe_assessment,
    live,
    population,
)

REF_PATTERN = re.compile(r"^IPE-(\d+)$")

# --- the rule ----------------------------------------------------------------------------------------------------


def read_rule(conn: Connection) -> IpeRule:
    row = conn.execute(select(engagement.c.require_ipe, engagement.c.require_ipe_reason).where(live(engagement))).one()
    return IpeRule(bool(row.require_ipe), row.require_ipe_reason)


def set_rule(db: Engagement, required: bool, reason: str = "") -> IpeRule:
    """Switch the rule on, or off with the reason (kept in the file and the history)."""
    reason = "" if required else reason.strip()
    if not required and not reason:
        raise ValidationError(
            "Say why tests may conclude without assessing their populations (the firm's policy, the engagement's "
            "circumstances) before switching the IPE rule off."
        )
    with changes(db) as ch:
        key = ch.conn.execute(select(engagement.c.id).where(live(engagement))).scalar_one()
        ch.update(engagement, {"id": key}, {"require_ipe": required, "require_ipe_reason": reason})
        return read_rule(ch.conn)


def refusal(conn: Connection, test: ControlTest) -> str:
    """Why `test` may not conclude "No exceptions noted" on its population ("" when it may)."""
    imported = conn.execute(select(population.c.id).where(population.c.test_id == test.id, live(population))).first()
    if not relies_on_population(test, imported is not None):
        return ""
    found = _population_states(conn, [test], {test.id} if imported else set()).get(test.id)
    return clean_conclusion_refusal(test.ref, found, read_rule(conn))


# --- recording ----------------------------------------------------------------------------------------------------


def _row(values: IpeInput) -> dict[str, Any]:
    row = {
        "name": values.name.strip(),
        "source_system": values.source_system.strip(),
        "report": values.report.strip(),
        "parameters": values.parameters.strip(),
        "produced_by": values.produced_by.strip(),
        "produced_on": values.produced_on,
        "observed": values.observed,
        "procedures": values.procedures.strip(),
        "result": IpeResult(values.result).value if values.result else None,
    }
    if row["result"] is not None:
        lacking = [
            what
            for what, name in (
                ("the source system", "source_system"),
                ("the query or report", "report"),
                ("the completeness and accuracy procedures performed", "procedures"),
            )
            if not row[name]
        ]
        if lacking:
            listed = lacking[0] if len(lacking) == 1 else f"{', '.join(lacking[:-1])} and {lacking[-1]}"
            raise ValidationError(f"Record {listed} before the result.")
    return row


def _next_ref(conn: Connection) -> str:
    return f"IPE-{next_number(conn, ipe_assessment.c.ref, REF_PATTERN):03d}"


def _operating_test(conn: Connection, test_id: TestId) -> Any:
    found = (
        conn.execute(select(control_test).where(control_test.c.id == test_id, live(control_test))).mappings().first()
    )
    if found is None:
        raise NotFoundError(f"Test {test_id} no longer exists.")
    if found["kind"] != TestKind.OPERATING.value:
        raise ValidationError(f"{found['ref']} is a test of design: it draws no sample from a population to assess.")
    return found


def population_assessment(ch: Changes, test_id: TestId) -> IpeId:
    """The test's population assessment, made (not yet assessed) if it has none: inside the caller's change."""
    test = _operating_test(ch.conn, test_id)
    query = select(ipe_assessment.c.id).where(ipe_assessment.c.test_id == test_id, live(ipe_assessment))
    found = ch.conn.execute(query).scalar()
    if found is not None:
        return IpeId(found)
    row = {"ref": _next_ref(ch.conn), "test_id": test_id, "control_id": test["control_id"]}
    return IpeId(ch.insert(ipe_assessment, row))


def new_population(ch: Changes, test_id: TestId, replacing: bool) -> IpeId:
    """The assessment of a population just imported: one replacing another is assessed again (the result was of the
    file it replaces; the history keeps it), refused while a clean conclusion rests on it under the rule."""
    ipe_id = population_assessment(ch, test_id)
    if replacing and read_assessment(ch.conn, ipe_id).assessed:
        _refuse_unsupporting(ch, ipe_id, True)
        ch.update(ipe_assessment, {"id": ipe_id}, {"result": None})
    return ipe_id


def _refuse_unsupporting(ch: Changes, ipe_id: IpeId, clearing: bool) -> None:
    """Under the rule, a clean conclusion keeps the assessed population it rests on."""
    if not clearing or not read_rule(ch.conn).required:
        return
    query = (
        select(control_test.c.ref)
        .join(ipe_assessment, ipe_assessment.c.test_id == control_test.c.id)
        .where(ipe_assessment.c.id == ipe_id, control_test.c.conclusion == Conclusion.NO_EXCEPTIONS.value)
    )
    concluded = ch.conn.execute(query).scalar()
    if concluded is not None:
        raise ValidationError(
            f"{concluded} concluded 'No exceptions noted' on this assessment; reopen its conclusion first."
        )


def assess_population(db: Engagement, test_id: TestId, values: IpeInput) -> IpeAssessment:
    """Record the assessment of a test's population (made if it has none yet)."""
    with changes(db) as ch:
        return read_assessment(ch.conn, put_population(ch, test_id, values))


def put_population(ch: Changes, test_id: TestId, values: IpeInput) -> IpeId:
    row = {**_row(values), "name": ""}
    ipe_id = population_assessment(ch, test_id)
    _refuse_unsupporting(ch, ipe_id, row["result"] is None)
    ch.update(ipe_assessment, {"id": ipe_id}, row)
    return ipe_id


def add_key_report(db: Engagement, control_id: ControlId, values: IpeInput) -> IpeAssessment:
    """A key report a control relies on (the listing a reviewer works from, a system-generated exception report)."""
    with changes(db) as ch:
        return read_assessment(ch.conn, insert_key_report(ch, control_id, values))


def insert_key_report(ch: Changes, control_id: ControlId, values: IpeInput) -> IpeId:
    row = _row(values)
    if not row["name"]:
        raise ValidationError("Name the report the control relies on.")
    if ch.conn.execute(select(control.c.id).where(control.c.id == control_id, live(control))).first() is None:
        raise NotFoundError("That control no longer exists.")
    return IpeId(ch.insert(ipe_assessment, {"ref": _next_ref(ch.conn), "control_id": control_id, **row}))


def update_assessment(db: Engagement, ipe_id: IpeId, values: IpeInput) -> IpeAssessment:
    row = _row(values)
    with changes(db) as ch:
        found = read_assessment(ch.conn, ipe_id)
        if found.subject is IpeSubject.REPORT and not row["name"]:
            raise ValidationError("Name the report the control relies on.")
        if found.subject is IpeSubject.POPULATION:
            row["name"] = ""
        _refuse_unsupporting(ch, ipe_id, row["result"] is None)
        ch.update(ipe_assessment, {"id": ipe_id}, row)
        return read_assessment(ch.conn, ipe_id)


def delete_assessment(db: Engagement, ipe_id: IpeId) -> None:
    """Delete an assessment made by mistake; its evidence files stay in the library."""
    with changes(db) as ch:
        read_assessment(ch.conn, ipe_id)
        _refuse_unsupporting(ch, ipe_id, True)
        drop_assessments(ch, ipe_assessment.c.id == ipe_id)


def drop_assessments(ch: Changes, condition: Any) -> None:
    """Delete the assessments matching `condition` with their evidence links (a test or control deleted)."""
    ids = list(ch.conn.execute(select(ipe_assessment.c.id).where(condition, live(ipe_assessment))).scalars())
    if ids:
        ch.delete_where(evidence_link, evidence_link.c.ipe_id.in_(ids))
        ch.delete_where(ipe_assessment, ipe_assessment.c.id.in_(ids))


def find_ipe_id(conn: Connection, ref_or_id: str | UUID) -> IpeId:
    return IpeId(find_id(conn, ipe_assessment, ref_or_id, "IPE assessment"))


# --- reading ------------------------------------------------------------------------------------------------------


def _values(row: Any) -> IpeInput:
    return IpeInput(
        source_system=row["source_system"],
        report=row["report"],
        parameters=row["parameters"],
        produced_by=row["produced_by"],
        produced_on=row["produced_on"],
        observed=row["observed"],
        procedures=row["procedures"],
        result=IpeResult(row["result"]) if row["result"] else None,
        name=row["name"],
    )


def read_assessments(conn: Connection, ipe_id: IpeId | None = None) -> list[IpeAssessment]:
    """Every assessment by reference, named by its test (a population) or its control (a key report)."""
    files = evidence_by(conn, evidence_link.c.ipe_id)
    query = (
        select(ipe_assessment, control.c.ref.label("control_ref"), control_test.c.ref.label("test_ref"))
        .join(control, control.c.id == ipe_assessment.c.control_id)
        .outerjoin(control_test, control_test.c.id == ipe_assessment.c.test_id)
        .where(live(ipe_assessment))
        .order_by(ipe_assessment.c.ref)
    )
    if ipe_id is not None:
        query = query.where(ipe_assessment.c.id == ipe_id)
    made = []
    for row in conn.execute(query).mappings():
        population_of = row["test_id"] is not None
        found = files.get(row["id"], [])
        made.append(
            IpeAssessment(
                id=row["id"],
                ref=row["ref"],
                subject=IpeSubject.POPULATION if population_of else IpeSubject.REPORT,
                test_id=row["test_id"],
                control_id=row["control_id"],
                subject_ref=row["test_ref"] if population_of else row["control_ref"],
                values=_values(row),
                evidence=tuple(ref for _, ref in found),
                evidence_ids=tuple(key for key, _ in found),
            )
        )
    return made


def read_assessment(conn: Connection, ipe_id: IpeId) -> IpeAssessment:
    found = read_assessments(conn, ipe_id)
    if not found:
        raise NotFoundError("That IPE assessment no longer exists.")
    return found[0]


def _population_states(
    conn: Connection, tests: list[ControlTest], imported: set[TestId], assessments: list[IpeAssessment] | None = None
) -> dict[TestId, PopulationIpe]:
    found = read_assessments(conn) if assessments is None else assessments
    by_test = {a.test_id: a for a in found if a.test_id is not None}
    return {
        t.id: PopulationIpe(
            test_id=t.id,
            test_ref=t.ref,
            population=t.population,
            assessment=by_test.get(t.id),
            concluded_clean=t.conclusion is Conclusion.NO_EXCEPTIONS,
        )
        for t in tests
        if relies_on_population(t, t.id in imported)
    }


def read_register(conn: Connection, tests: list[ControlTest] | None = None) -> IpeRegister:
    """Every population a test relies on (in the tests' order) and every key report, with the rule."""
    if tests is None:
        from fieldwork.app.services.testing import (
            read_tests,  # testing asks this module about conclusions: import when used
        )

        tests = read_tests(conn)
    imported = set(conn.execute(select(population.c.test_id).where(live(population))).scalars())
    assessments = read_assessments(conn)
    states = _population_states(conn, tests, imported, assessments)
    reports = tuple(a for a in assessments if a.subject is IpeSubject.REPORT)
    return IpeRegister(tuple(states.values()), reports, read_rule(conn))


def register(db: Engagement) -> IpeRegister:
    with db.reading() as conn:
        return read_register(conn)
