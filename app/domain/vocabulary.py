"""The auditors' words, as closed sets of values with the labels people read.

Values are what the engagement file stores; labels are what screens and exports show.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A stored value with a human label (the member's second tuple item)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, value: str) -> Labelled:
        """Accept a stored value or a label, case-insensitively; the error lists the choices."""
        wanted = value.strip().lower()
        for member in cls:
            if wanted in (member.value, member.label.lower()):
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"'{value}' is not one of: {choices}")


class ReportType(Labelled):
    TYPE1 = "type1", "SOC 2 Type 1"
    TYPE2 = "type2", "SOC 2 Type 2"


class Framework(Labelled):
    SOC2 = "soc2", "SOC 2"
    ISO42001 = "iso42001", "ISO/IEC 42001"


class RequirementKind(Labelled):
    CRITERION = "criterion", "Criterion"
    CLAUSE = "clause", "Clause"
    SUBCLAUSE = "subclause", "Subclause"
    ANNEX_OBJECTIVE = "annex_objective", "Annex A objective"
    ANNEX_SUB_OBJECTIVE = "annex_sub_objective", "Annex A sub-objective"
    ANNEX_CONTROL = "annex_control", "Annex A control"


#: Kinds a client control can be mapped to and a test can conclude on.
AUDITABLE_KINDS = frozenset({RequirementKind.CRITERION, RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL})

TSC_CATEGORIES = ("Security", "Availability", "Confidentiality", "Processing Integrity", "Privacy")


class Relationship(Labelled):
    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset"
    SUPERSET = "superset", "Superset"
    INTERSECT = "intersect", "Intersect"


class Role(Labelled):
    STAFF = "staff", "Staff"
    SENIOR = "senior", "Senior"
    MANAGER = "manager", "Manager"
    PARTNER = "partner", "Partner"
    QUALITY_REVIEWER = "quality_reviewer", "Quality reviewer"


class Frequency(Labelled):
    ANNUAL = "annual", "Annual"
    QUARTERLY = "quarterly", "Quarterly"
    MONTHLY = "monthly", "Monthly"
    WEEKLY = "weekly", "Weekly"
    DAILY = "daily", "Daily"
    MULTIPLE_DAILY = "multiple_daily", "Many times a day"
    ON_OCCURRENCE = "on_occurrence", "On occurrence"


class Nature(Labelled):
    MANUAL = "manual", "Manual"
    AUTOMATED = "automated", "Automated"
    IT_DEPENDENT_MANUAL = "it_dependent_manual", "IT-dependent manual"


class ControlType(Labelled):
    PREVENTIVE = "preventive", "Preventive"
    DETECTIVE = "detective", "Detective"


class TestKind(Labelled):
    DESIGN = "design", "Test of design"
    OPERATING = "operating", "Test of operating effectiveness"


class Method(Labelled):
    INQUIRY = "inquiry", "Inquiry"
    OBSERVATION = "observation", "Observation"
    INSPECTION = "inspection", "Inspection"
    REPERFORMANCE = "reperformance", "Reperformance"


class Selection(Labelled):
    RANDOM = "random", "Random"
    SYSTEMATIC = "systematic", "Systematic"
    HAPHAZARD = "haphazard", "Haphazard"
    TARGETED = "targeted", "Targeted"
    ALL = "all", "All items"


class Conclusion(Labelled):
    NO_EXCEPTIONS = "no_exceptions", "No exceptions noted"
    EXCEPTIONS = "exceptions", "Exceptions noted"
    #: A test of operating effectiveness that found no occurrence to test in the period: a Type 2 report says
    #: so instead of giving a result.
    NOT_OPERATED = "not_operated", "Control did not operate in the period"


class SampleResult(Labelled):
    NO_EXCEPTION = "no_exception", "No exception"
    DEVIATION = "deviation", "Deviation"


class ImplementationStatus(Labelled):
    IMPLEMENTED = "implemented", "Implemented"
    PARTIAL = "partially_implemented", "Partially implemented"
    PLANNED = "planned", "Planned"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Opinion(Labelled):
    UNMODIFIED = "unmodified", "Unmodified"
    QUALIFIED = "qualified", "Qualified"
    ADVERSE = "adverse", "Adverse"
    DISCLAIMER = "disclaimer", "Disclaimer of opinion"


class SubserviceTreatment(Labelled):
    CARVE_OUT = "carve_out", "Carve-out"
    INCLUSIVE = "inclusive", "Inclusive"


class EngagementStage(Labelled):
    """Where the engagement is, derived from the file (`services.stage`), never typed in."""

    PLANNING = "planning", "Planning"
    FIELDWORK = "fieldwork", "Fieldwork"
    COMPLETION = "completion", "Completion"
    FINALIZED = "finalized", "Finalized"


class Status(Labelled):
    """A requirement's, control's or test's progress, derived from the tests."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    EXCEPTIONS = "exceptions", "Exceptions"
    #: Every test done: progress, not the auditor's conclusion on the requirement (`judgements`).
    CONCLUDED = "concluded", "Tested"
    EXCLUDED = "excluded", "Excluded"


#: Description-of-the-system headings (DC 200), in report order.
DESCRIPTION_HEADINGS: dict[str, str] = {
    "DC1": "Services provided",
    "DC2": "Principal service commitments and system requirements",
    "DC3": "System components",
    "DC4": "System incidents",
    "DC5": "Criteria and related controls",
    "DC6": "Complementary user entity controls",
    "DC7": "Subservice organizations and complementary subservice organization controls",
    "DC8": "Criteria not relevant to the system and why",
    "DC9": "Significant changes during the period",
}
