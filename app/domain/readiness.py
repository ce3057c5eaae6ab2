"""Records of the gap view: from a SOC 2 control set to SOC 2 + ISO/IEC 42001.

For each ISO/IEC 42001 requirement in scope (the subclauses of clauses 4-10 and the Annex A controls the
Statement of Applicability includes), how the engagement's controls serve it: a control linked to it, or a
control serving a SOC 2 criterion the crosswalk relates to it, or none: a new control is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from fieldwork.app.domain.vocabulary import Labelled, Relationship


class Coverage(Labelled):
    """How far the existing controls reach a requirement, strongest first."""

    LINKED = "linked", "Linked control"
    #: Through an equal or subset link: the ISO requirement falls within a criterion the controls serve.
    THROUGH_SOC2 = "through_soc2", "Through SOC 2"
    #: Through intersect or superset links only: each asks for something the other does not.
    PARTLY = "partly", "Partly, through SOC 2"
    GAP = "gap", "Needs a new control"

    @property
    def needs_work(self) -> bool:
        return self in (Coverage.PARTLY, Coverage.GAP)


#: The relationships (ISO requirement relative to SOC 2 criterion) that carry a SOC 2 control's work wholly over.
WHOLE = frozenset({Relationship.EQUAL, Relationship.SUBSET})


@dataclass(frozen=True)
class Route:
    """A control that reaches an ISO requirement through the crosswalk: the criterion it serves and the link."""

    control_ref: str
    control_title: str
    soc2_code: str
    relationship: Relationship
    rationale: str


@dataclass(frozen=True)
class ReadinessLine:
    code: str
    title: str
    coverage: Coverage
    #: Controls linked to the requirement itself: "C-012 Title".
    linked: tuple[str, ...]
    routes: tuple[Route, ...]
    #: Titles of the library's templates that serve the requirement.
    templates: tuple[str, ...]

    @cached_property
    def via(self) -> str:
        """The routes by criterion: 'CC3.2 (intersect): C-015, C-016; CC5.1 (intersect): C-017' (worked out once: a
        table asks for it to size, wrap, paint and sort its cell)."""
        by_link: dict[tuple[str, Relationship], list[str]] = {}
        for route in self.routes:
            by_link.setdefault((route.soc2_code, route.relationship), []).append(route.control_ref)
        return "; ".join(f"{code} ({how.label.lower()}): {', '.join(refs)}" for (code, how), refs in by_link.items())


@dataclass(frozen=True)
class Readiness:
    lines: tuple[ReadinessLine, ...]
    #: Annex A controls the Statement of Applicability excludes: not in `lines`.
    excluded: tuple[str, ...]
    #: The crosswalk version the engagement holds.
    crosswalk: str

    def count(self, coverage: Coverage) -> int:
        return sum(1 for line in self.lines if line.coverage is coverage)

    @property
    def summary(self) -> str:
        counts = ", ".join(f"{self.count(coverage)} {PHRASES[coverage]}" for coverage in Coverage)
        excluded = f"; {len(self.excluded)} Annex A controls excluded in the SoA" if self.excluded else ""
        return f"{len(self.lines)} ISO/IEC 42001 requirements: {counts}{excluded}."


PHRASES = {
    Coverage.LINKED: "with a linked control",
    Coverage.THROUGH_SOC2: "served through SOC 2",
    Coverage.PARTLY: "partly served through SOC 2",
    Coverage.GAP: "needing a new control",
}
