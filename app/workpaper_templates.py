"""The engagement workpapers a new engagement starts with: bundled templates, and the firm's own.

Bundled ones are under `resources/templates/workpapers`; a firm adds its own, or replaces one by giving its file
the same name, under `templates/workpapers/` inside `app.paths.data_dir()` (the README beside the bundled files
says how). Each file is checked when read (`app.template_files`): a broken one is left out and named with its line,
and creating an engagement says so among its warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fieldwork.app.domain.workpapers import DateRule, Shows, WorkpaperFields, WorkpaperKind, WorkpaperShape, check_ref
from fieldwork.app.template_files import Fields, TemplateProblem, firm_folder, load_templates

KIND = "workpapers"
FIELDS = (
    "ref",
    "title",
    "kind",
    "completion_item",
    "body",
    "items",
    "member_statement",
    "signer",
    "date_label",
    "date_rule",
    "shows",
)
#: Kinds whose work is their answered lines: they need items (or a line per team member).
ANSWERED = (WorkpaperKind.CHECKLIST, WorkpaperKind.CONFIRMATION)


@dataclass(frozen=True)
class WorkpaperTemplate:
    id: str
    fields: WorkpaperFields
    shape: WorkpaperShape
    items: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class WorkpaperLibrary:
    #: In index order (by reference).
    templates: tuple[WorkpaperTemplate, ...]
    #: One sentence per file left out, naming the file and the line.
    problems: tuple[str, ...]
    #: Where the firm's own files go.
    firm_folder: Path

    def template(self, template_id: str) -> WorkpaperTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)


def load_workpaper_templates(firm: Path | None = None, *, firm_files: bool = True) -> WorkpaperLibrary:
    """Every template that passes its checks (the firm's too, unless `firm_files` is off), and a sentence for each
    file that does not. The demo reads the bundled ones only, so it is the same on every machine."""
    firm = firm_folder() if firm is None else firm
    problems: list[str] = []
    refs: dict[str, str] = {}
    folder = firm if firm_files else firm / "(firm templates not read)"
    made = load_templates(KIND, folder, partial(_template, refs=refs), problems)
    ordered = sorted(made, key=lambda t: _index_order(t.fields.ref))
    return WorkpaperLibrary(tuple(ordered), tuple(problems), firm)


def _index_order(ref: str) -> tuple[str, tuple[int, ...]]:
    letters, _, number = ref.partition("-")
    return letters, tuple(int(part) for part in number.split("."))


def _template(item_id: str, raw: Mapping[str, Any], text: str, source: str, refs: dict[str, str]) -> WorkpaperTemplate:
    fields = Fields(raw, text, FIELDS)
    ref = check_ref(fields.text_field("ref"))
    if ref is None:
        raise TemplateProblem(f"'ref' is {raw['ref']!r}, not an index reference like A-100", fields.at("ref"))
    if ref in refs:
        raise TemplateProblem(f"'ref' {ref} is already the reference of template {refs[ref]!r}", fields.at("ref"))
    kind = fields.choice("kind", WorkpaperKind)
    items = tuple(item.strip() for item in fields.texts("items", required=False))
    if any(not item for item in items):
        raise TemplateProblem("'items' holds an empty text", fields.at("items"))
    statement = fields.text_field("member_statement", required=False)
    if kind in ANSWERED and not items and not statement:
        raise TemplateProblem(f"a {kind.value} needs 'items' to answer, or a 'member_statement'", fields.at("kind"))
    body = fields.text_field("body", required=kind is WorkpaperKind.MEMO)
    date_rule = fields.optional_choice("date_rule", DateRule)
    date_label = fields.text_field("date_label", required=date_rule is not None)
    refs[ref] = item_id
    return WorkpaperTemplate(
        id=item_id,
        fields=WorkpaperFields(
            ref=ref,
            title=fields.text_field("title"),
            kind=kind,
            body=body,
            completion_item=fields.flag("completion_item", False),
        ),
        shape=WorkpaperShape(
            template=item_id,
            member_statement=statement,
            asks_signer=fields.flag("signer", False),
            date_label=date_label,
            date_rule=date_rule,
            shows=fields.optional_choice("shows", Shows),
        ),
        items=items,
        source=source,
    )
