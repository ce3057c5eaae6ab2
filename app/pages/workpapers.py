"""The engagement workpapers: the index (each workpaper and where it stands, what finalizing will check, the stage,
the templates not yet in the file) and one workpaper's page (its checklist, text, what the file says beside it, its
links and evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from fieldwork.app.domain.ids import ControlId, WorkpaperId
from fieldwork.app.domain.workpapers import CompletionItem, Stage, Workpaper, completion_item, shown_lines
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.linked_evidence import LinkedEvidence, read_linked
from fieldwork.app.pages.review import ItemReview, read_item_review
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.judged import read_judgements
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.stage import read_stage
from fieldwork.app.services.workpapers import missing_templates, read_workpaper, read_workpapers
from fieldwork.app.workpaper_templates import WorkpaperLibrary, WorkpaperTemplate, load_workpaper_templates


@dataclass(frozen=True)
class WorkpapersPage:
    workpapers: tuple[Workpaper, ...]
    completion: tuple[CompletionItem, ...]
    stage: Stage
    #: Templates the engagement has no workpaper from (the firm's new ones, or all for a file made before them).
    templates: tuple[WorkpaperTemplate, ...]
    #: Firm templates left out, each naming the file and the line.
    problems: tuple[str, ...]
    firm_folder: Path

    @property
    def open_items(self) -> int:
        return sum(not item.complete for item in self.completion)


def read_workpapers_page(conn: Connection, library: WorkpaperLibrary) -> WorkpapersPage:
    found = read_workpapers(conn)
    return WorkpapersPage(
        workpapers=tuple(found),
        completion=tuple(completion_item(w) for w in found if w.fields.completion_item),
        stage=read_stage(conn, workpapers=found),
        templates=tuple(missing_templates(conn, library.templates)),
        problems=library.problems,
        firm_folder=library.firm_folder / "workpapers",
    )


def load_workpapers_page(db: Engagement) -> WorkpapersPage:
    library = load_workpaper_templates()
    with db.reading() as conn:
        return read_workpapers_page(conn, library)


@dataclass(frozen=True)
class WorkpaperPage:
    workpaper: Workpaper
    #: What the file itself says beside the text (the opinion worksheet, the description's misstatements).
    shown: tuple[str, ...]
    evidence: tuple[LinkedEvidence, ...]
    #: The engagement's controls by reference, to link one by typing its reference.
    controls: dict[str, ControlId]
    #: The workpaper's sign-offs and open review notes, for the page's review strip.
    review: ItemReview

    @property
    def target(self) -> ev.Link:
        return ev.Link(ev.LinkKind.WORKPAPER, self.workpaper.id)


def read_workpaper_page(conn: Connection, workpaper_id: WorkpaperId) -> WorkpaperPage:
    found = read_workpaper(conn, workpaper_id)
    shows = found.shape.shows
    shown: tuple[str, ...] = ()
    if shows is not None:
        judged = read_judgements(conn)
        shown = shown_lines(shows, judged.worksheet, judged.misstatements)
    return WorkpaperPage(
        workpaper=found,
        shown=shown,
        evidence=tuple(read_linked(conn, [ev.Link(ev.LinkKind.WORKPAPER, workpaper_id)])),
        controls={c.ref: c.id for c in read_controls(conn)},
        review=read_item_review(conn, ItemType.WORKPAPER, str(workpaper_id)),
    )


def load_workpaper_page(db: Engagement, workpaper_id: WorkpaperId) -> WorkpaperPage:
    with db.reading() as conn:
        return read_workpaper_page(conn, workpaper_id)
