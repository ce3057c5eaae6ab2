"""Firm-editable template files: bundled under `resources/templates/<kind>/`, the firm's own under the data folder.

A firm adds or replaces a kind's templates with JSON files of the same form under `templates/<kind>/` inside
`app.paths.data_dir()`: a firm file with a bundled file's name takes its place. Each file is one JSON object,
checked when it is read. A file that is not right is left out and said in a sentence naming the file and the
line, so one broken firm template never hides the others (and never reaches an engagement). The AI control
library and the engagement workpapers are both read this way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.paths import data_dir
from fieldwork.app.resources import resource_path

BUNDLED, FIRM = "bundled", "firm"
T = TypeVar("T")


class TemplateProblem(Exception):
    """What is wrong with one file, and where."""

    def __init__(self, problem: str, line: int = 1) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def firm_folder() -> Path:
    return data_dir() / "templates"


def template_files(kind: str, firm: Path) -> dict[str, tuple[Path, str]]:
    """Each file by its id (the name without .json); a firm file replaces a bundled one of the same name."""
    found = {path.stem: (path, BUNDLED) for path in sorted(resource_path("templates", kind).glob("*.json"))}
    own = firm / kind
    if own.is_dir():
        found.update({path.stem: (path, FIRM) for path in sorted(own.glob("*.json"))})
    return found


#: Makes one template from its id, its JSON object, the file's text (for line numbers) and its source.
Maker = Callable[[str, Mapping[str, Any], str, str], T]


def load_templates(kind: str, firm: Path, make: Maker[T], problems: list[str]) -> list[T]:
    """Every file of a kind that passes `make`'s checks; a sentence in `problems` for each that does not."""
    made = []
    for item_id, (path, source) in template_files(kind, firm).items():
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


def line_of(text: str, key: str, value: object = None) -> int:
    """The line of `value` written as JSON after `"key":`, else of the key, else 1: where the problem is."""
    at = re.search(rf'"{re.escape(key)}"\s*:', text)
    if at is None:
        return 1
    start = at.start()
    if value is not None:
        found = text.find(json.dumps(value), at.end())
        start = found if found >= 0 else start
    return text.count("\n", 0, start) + 1


class Fields:
    """One file's object: each field taken with its check, every problem with its line."""

    def __init__(self, raw: Mapping[str, Any], text: str, known: Iterable[str]) -> None:
        self.raw, self.text = raw, text
        known = tuple(known)
        unknown = [key for key in raw if key not in known]
        if unknown:
            raise TemplateProblem(
                f"there is no field {unknown[0]!r} (the fields are: {', '.join(known)})", self.at(unknown[0])
            )

    def at(self, key: str, value: object = None) -> int:
        return line_of(self.text, key, value)

    def text_field(self, key: str, *, required: bool = True) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise TemplateProblem(f"{key!r} must be {'a non-empty' if required else 'a'} text", self.at(key))
        return value.strip()

    def choice(self, key: str, kind: type[Labelled], default: Labelled | None = None) -> Any:
        value = self.raw.get(key, default.value if default else None)
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            raise TemplateProblem(f"{key!r} is {value!r}, not one of: {choices}", self.at(key, value)) from None

    def optional_choice(self, key: str, kind: type[Labelled]) -> Any:
        return self.choice(key, kind) if key in self.raw else None

    def texts(self, key: str, *, required: bool = True) -> list[str]:
        value = self.raw.get(key, None if required else [])
        if not isinstance(value, list) or (required and not value) or not all(isinstance(v, str) for v in value):
            raise TemplateProblem(f"{key!r} must be a list of {'one or more ' if required else ''}texts", self.at(key))
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise TemplateProblem(f"{key!r} must be true or false", self.at(key))
        return value
