"""Information produced by the entity (JUDGEMENTS.md section 6): the populations and key reports a test relies on,
and whether their completeness and accuracy were assessed.

A test of operating effectiveness draws its sample from a listing the entity produced (every change deployed,
every new hire). The sample proves nothing about the items the listing left out, so a test does not conclude
"No exceptions noted" on a listing whose completeness and accuracy were not assessed, or were found wanting.
A population of one occurrence (an annual review, a configuration in effect) comes from no listing, and a control
that did not operate has none: neither relies on one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldwork.app.domain.ids import ControlId, EvidenceId, IpeId, TestId
from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.vocabulary import Labelled, TestKind


class IpeResult(Labelled):
    RELIABLE = "reliable", "Complete and accurate"
    NOT_RELIABLE = "not_reliable", "Not complete and accurate"


class IpeSubject(Labelled):
    POPULATION = "population", "Population of a test"
    REPORT = "report", "Key report a control relies on"


@dataclass(frozen=True)
class IpeInput:
    """What the auditor records about one population or report."""

    source_system: str = ""
    #: The query or report run, and its parameters (dates, filters, the environment).
    report: str = ""
    parameters: str = ""
    produced_by: str = ""
    produced_on: date | None = None
    observed: bool = False
    #: The completeness and accuracy procedures performed.
    procedures: str = ""
    result: IpeResult | None = None
    #: A key report's name (a population is named by its test).
    name: str = ""


@dataclass(frozen=True)
class IpeAssessment:
    id: IpeId
    ref: str
    subject: IpeSubject
    #: The test whose population it is, or the control that relies on the report.
    test_id: TestId | None
    control_id: ControlId
    subject_ref: str
    values: IpeInput
    evidence: tuple[str, ...] = ()
    evidence_ids: tuple[EvidenceId, ...] = ()

    @property
    def assessed(self) -> bool:
        return self.values.result is not None

    @property
    def label(self) -> str:
        """ "C-001.T2 population" or "C-040: Weekly monitoring dashboard export"."""
        if self.subject is IpeSubject.POPULATION:
            return f"{self.subject_ref} population"
        return f"{self.subject_ref}: {self.values.name}"


@dataclass(frozen=True)
class PopulationIpe:
    """A test that relies on a population, and where the assessment of that population stands."""

    test_id: TestId
    test_ref: str
    population: str
    assessment: IpeAssessment | None
    #: The test concluded "No exceptions noted" while the rule was off (or before it): shown, not hidden.
    concluded_clean: bool = False

    @property
    def assessed(self) -> bool:
        return self.assessment is not None and self.assessment.assessed

    @property
    def result(self) -> IpeResult | None:
        return self.assessment.values.result if self.assessment else None

    @property
    def state(self) -> str:
        return self.result.label if self.result else "Not assessed"


@dataclass(frozen=True)
class IpeRule:
    """The engagement setting: a clean conclusion needs its population assessed (on unless switched off)."""

    required: bool = True
    #: Why it was switched off, recorded when it was.
    reason: str = ""


@dataclass(frozen=True)
class IpeRegister:
    populations: tuple[PopulationIpe, ...]
    reports: tuple[IpeAssessment, ...]
    rule: IpeRule

    @property
    def assessed(self) -> int:
        return sum(p.assessed for p in self.populations)

    def for_test(self, test_id: TestId) -> PopulationIpe | None:
        return next((p for p in self.populations if p.test_id == test_id), None)


def relies_on_population(test: ControlTest, imported: bool) -> bool:
    """Whether a test's sample comes from a listing the entity produced (see the module's docstring)."""
    if test.kind is not TestKind.OPERATING:
        return False
    return imported or test.population_size is None or test.population_size > 1


def clean_conclusion_refusal(test_ref: str, found: PopulationIpe | None, rule: IpeRule) -> str:
    """Why a test may not conclude "No exceptions noted" on its population ("" when it may)."""
    if found is None or not rule.required:
        return ""
    if found.result is None:
        return (
            f"{test_ref} cannot conclude 'No exceptions noted' while the completeness and accuracy of its population "
            "(information produced by the entity) are not assessed: assess them on the test's sampling panel, or "
            "switch the engagement's IPE rule off with a reason."
        )
    if found.result is IpeResult.NOT_RELIABLE:
        return (
            f"{test_ref} cannot conclude 'No exceptions noted' on a population found not complete and accurate: "
            "obtain a reliable listing and assess it again."
        )
    return ""
