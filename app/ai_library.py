"""The library of AI control templates and AI test procedures: bundled, plus the firm's own.

Bundled ones are under `resources/templates/ai_controls` and `resources/templates/ai_test_procedures`; a firm
adds or replaces them with files of the same form under the data folder (`templates/ai_controls/` and
`templates/ai_test_procedures/` inside `app.paths.data_dir()`): a firm file with a bundled file's name takes its
place. Each file is one JSON object, checked when the library is read. A file that is not right is left out
of the library and said in a sentence naming the file and the line, so one broken firm template never hides
the others (and never reaches an engagement).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from app.catalog import load_catalog
from app.domain.records import ControlInput
from app.domain.vocabulary import ControlType, Framework, Frequency, Labelled, Method, Nature, RequirementKind, TestKind
from app.paths import data_dir
from app.resources import resource_path

CONTROLS = "ai_controls"
PROCEDURES = "ai_test_procedures"
BUNDLED, FIRM = "bundled", "firm"


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


class TemplateProblem(Exception):
    """What is wrong with one file, and where."""

    def __init__(self, problem: str, line: int = 1) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def firm_folder() -> Path:
    return data_dir() / "templates"


def load_library(firm: Path | None = None) -> Library:
    """Every template and procedure that passes its checks, and a sentence for each file that does not."""
    firm = firm_folder() if firm is None else firm
    problems: list[str] = []
    procedures = _load(PROCEDURES, firm, _procedure, problems)
    by_id = {procedure.id: procedure for procedure in procedures}
    templates = _load(CONTROLS, firm, partial(_template, procedures=by_id), problems)
    return Library(tuple(templates), tuple(procedures), tuple(problems), firm)


def _files(kind: str, firm: Path) -> dict[str, tuple[Path, str]]:
    """Each file by its id (the name without .json); a firm file replaces a bundled one of the same name."""
    found = {path.stem: (path, BUNDLED) for path in sorted(resource_path("templates", kind).glob("*.json"))}
    own = firm / kind
    if own.is_dir():
        found.update({path.stem: (path, FIRM) for path in sorted(own.glob("*.json"))})
    return found


def _load(kind: str, firm: Path, make: Callable[..., Any], problems: list[str]) -> list[Any]:
    made = []
    for item_id, (path, source) in _files(kind, firm).items():
        try:
            text = path.read_text(encoding="utf-8")
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise TemplateProblem("it holds no JSON object (a template is one object in braces)")
            made.append(make(item_id, raw, text, source))
        except TemplateProblem as exc:
            problems.append(f"{path}, line {exc.line}: {exc.problem}.")
        except json.JSONDecodeError as exc:
            problems.append(f"{path}, line {exc.lineno}: it is not valid JSON ({exc.msg}).")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc}).")
    return made


# --- checking one file ---------------------------------------------------------------------------------------


def _line(text: str, key: str, value: object = None) -> int:
    """The line of `value` written as JSON after `"key":`, else of the key, else 1: where the problem is."""
    at = re.search(rf'"{re.escape(key)}"\s*:', text)
    if at is None:
        return 1
    start = at.start()
    if value is not None:
        found = text.find(json.dumps(value), at.end())
        start = found if found >= 0 else start
    return text.count("\n", 0, start) + 1


class _Fields:
    """One file's object: each field taken with its check, every problem with its line."""

    def __init__(self, raw: Mapping[str, Any], text: str, known: Iterable[str]) -> None:
        self.raw, self.text = raw, text
        unknown = [key for key in raw if key not in known]
        if unknown:
            raise TemplateProblem(
                f"there is no field {unknown[0]!r} (the fields are: {', '.join(known)})", self._at(unknown[0])
            )

    def _at(self, key: str, value: object = None) -> int:
        return _line(self.text, key, value)

    def text_field(self, key: str, *, required: bool = True) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise TemplateProblem(f"{key!r} must be {'a non-empty' if required else 'a'} text", self._at(key))
        return value.strip()

    def choice(self, key: str, kind: type[Labelled], default: Labelled | None = None) -> Any:
        value = self.raw.get(key, default.value if default else None)
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            raise TemplateProblem(f"{key!r} is {value!r}, not one of: {choices}", self._at(key, value)) from None

    def texts(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
            raise TemplateProblem(f"{key!r} must be a list of one or more texts", self._at(key))
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise TemplateProblem(f"{key!r} must be true or false", self._at(key))
        return value


def _procedure(item_id: str, raw: Mapping[str, Any], text: str, source: str) -> TestProcedure:
    fields = _Fields(raw, text, ("title", "kind", "methods", "procedure"))
    methods = []
    for value in fields.texts("methods"):
        try:
            methods.append(Method(value))
        except ValueError:
            choices = ", ".join(member.value for member in Method)
            raise TemplateProblem(f"method {value!r} is not one of: {choices}", _line(text, "methods", value)) from None
    if methods == [Method.INQUIRY]:
        raise TemplateProblem(
            "inquiry alone is never enough: add observation, inspection or reperformance", _line(text, "methods")
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
    fields = _Fields(raw, text, TEMPLATE_FIELDS)
    iso = {item.code for item in load_catalog().items if item.framework is Framework.ISO42001 and item.kind in SERVABLE}
    requirements = fields.texts("requirements")
    for code in requirements:
        if code not in iso:
            raise TemplateProblem(
                f"{code!r} is not an ISO/IEC 42001 subclause or Annex A control", _line(text, "requirements", code)
            )
    tests = []
    for procedure_id in fields.texts("tests"):
        if procedure_id not in procedures:
            raise TemplateProblem(
                f"there is no test procedure {procedure_id!r} in the library", _line(text, "tests", procedure_id)
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
