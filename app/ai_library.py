"""The library of AI control templates and AI test procedures: bundled, plus the firm's own.

Bundled ones are under `resources/templates/ai_controls` and `resources/templates/ai_test_procedures`; a firm
adds or replaces them with files of the same form under the data folder (`templates/ai_controls/` and
`templates/ai_test_procedures/` inside `app.paths.data_dir()`): a firm file with a bundled file's name takes its
place. Each file is checked when the library is read (`app.template_files`): a broken one is left out and
named with its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fieldwork.app.catalog import load_catalog
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import ControlType, Framework, Frequency, Method, Nature, RequirementKind, TestKind
from fieldwork.app.template_files import Fields, TemplateProblem, firm_folder, line_of, load_templates

CONTROLS = "ai_controls"
PROCEDURES = "ai_test_procedures"


@dataclass(frozen=True)
class TestProcedure:
    """A test an auditor can add to an AI control: what to do, and how (the methods)."""

    id: str
    title: str
    kind: TestKind
    methods: tuple[Method, ...]
    procedure: str
    source: str


@dataclass(frozen=True)
class ControlTemplate:
    """An AI-specific control a client with SOC 2 typically adds, the requirements it serves and its tests."""

    id: str
    #: The control it creates.
    control: ControlInput
    requirements: tuple[str, ...]
    tests: tuple[TestProcedure, ...]
    source: str

    @property
    def title(self) -> str:
        return self.control.title


@dataclass(frozen=True)
class Library:
    templates: tuple[ControlTemplate, ...]
    procedures: tuple[TestProcedure, ...]
    #: One sentence per file left out, naming the file and the line.
    problems: tuple[str, ...]
    #: Where the firm's own files go.
    firm_folder: Path

    def template(self, template_id: str) -> ControlTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)


def load_library(firm: Path | None = None) -> Library:
    """Every template and procedure that passes its checks, and a sentence for each file that does not."""
    firm = firm_folder() if firm is None else firm
    problems: list[str] = []
    procedures = load_templates(PROCEDURES, firm, _procedure, problems)
    by_id = {procedure.id: procedure for procedure in procedures}
    templates = load_templates(CONTROLS, firm, partial(_template, procedures=by_id), problems)
    return Library(tuple(templates), tuple(procedures), tuple(problems), firm)


# --- checking one file ---------------------------------------------------------------------------------------


def _procedure(item_id: str, raw: Mapping[str, Any], text: str, source: str) -> TestProcedure:
    fields = Fields(raw, text, ("title", "kind", "methods", "procedure"))
    methods = []
    for value in fields.texts("methods"):
        try:
            methods.append(Method(value))
        except ValueError:
            choices = ", ".join(member.value for member in Method)
            raise TemplateProblem(
                f"method {value!r} is not one of: {choices}", line_of(text, "methods", value)
            ) from None
    if methods == [Method.INQUIRY]:
        raise TemplateProblem(
            "inquiry alone is never enough: add observation, inspection or reperformance", line_of(text, "methods")
        )
    return TestProcedure(
        id=item_id,
        title=fields.text_field("title"),
        kind=fields.choice("kind", TestKind),
        methods=tuple(methods),
        procedure=fields.text_field("procedure"),
        source=source,
    )


TEMPLATE_FIELDS = (
    "title",
    "description",
    "owner",
    "frequency",
    "nature",
    "control_type",
    "key",
    "requirements",
    "tests",
)
#: What a template may serve: ISO/IEC 42001 requirements (the crosswalk then suggests the SOC 2 criteria).
SERVABLE = (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL)


def _template(
    item_id: str, raw: Mapping[str, Any], text: str, source: str, procedures: Mapping[str, TestProcedure]
) -> ControlTemplate:
    fields = Fields(raw, text, TEMPLATE_FIELDS)
    iso = {item.code for item in load_catalog().items if item.framework is Framework.ISO42001 and item.kind in SERVABLE}
    requirements = fields.texts("requirements")
    for code in requirements:
        if code not in iso:
            raise TemplateProblem(
                f"{code!r} is not an ISO/IEC 42001 subclause or Annex A control", line_of(text, "requirements", code)
            )
    tests = []
    for procedure_id in fields.texts("tests"):
        if procedure_id not in procedures:
            raise TemplateProblem(
                f"there is no test procedure {procedure_id!r} in the library", line_of(text, "tests", procedure_id)
            )
        tests.append(procedures[procedure_id])
    control = ControlInput(
        title=fields.text_field("title"),
        description=fields.text_field("description"),
        owner=fields.text_field("owner", required=False),
        frequency=fields.choice("frequency", Frequency, Frequency.ON_OCCURRENCE),
        nature=fields.choice("nature", Nature, Nature.MANUAL),
        control_type=fields.choice("control_type", ControlType, ControlType.PREVENTIVE),
        is_key=fields.flag("key", True),
    )
    return ControlTemplate(item_id, control, tuple(dict.fromkeys(requirements)), tuple(tests), source)
