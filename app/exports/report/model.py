"""The report's content as plain values: what it says, in order, with no page layout and no file format.

The sections are built once from a `ReportData` into these blocks; the PDF (reportlab) and the Word
document (python-docx) are two renderings of the same blocks, so they cannot say different things.
A renderer decides how a style looks; the blocks only say what a piece of text is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fieldwork.app.domain.vocabulary import Labelled


class Audience(Labelled):
    """Who a copy is for. The internal copy (the default for drafts) keeps the workpaper detail; the client copy is
    the examination report alone."""

    INTERNAL = "internal", "Internal copy"
    CLIENT = "client", "Client copy"


@dataclass(frozen=True)
class ReportOptions:
    audience: Audience = Audience.INTERNAL
    crosswalk: bool = True  # Appendix: the crosswalk used


DRAFT_OPTIONS = ReportOptions()


class Style(StrEnum):
    """What a paragraph is; each renderer maps it to its own look (and Word to a named style)."""

    BODY = "body"
    ITEM = "item"  # a list item
    SUBHEAD = "subhead"  # a heading inside a section's wording, not in the outline
    FLAG = "flag"  # a whole paragraph the reviewer must not miss
    NOTICE = "notice"  # boxed: the cover's statement that this is not a certificate
    SIGNATURE = "signature"  # lines kept as typed (firm, city, date)
    COVER_DRAFT = "cover-draft"
    COVER_TITLE = "cover-title"
    CELL = "cell"
    CELL_HEAD = "cell-head"
    CELL_STRONG = "cell-strong"
    CELL_NOTE = "cell-note"
    CELL_EXCEPTION = "cell-exception"
    CELL_GAP = "cell-gap"
    CELL_HASH = "cell-hash"  # a fingerprint in two lines, never cut
    GROUP = "group"  # the label of a group of rows inside a table


@dataclass(frozen=True, slots=True)
class Run:
    """Part of a paragraph's text. `gap` marks something the draft still lacks (printed bracketed and highlighted)."""

    text: str
    bold: bool = False
    gap: bool = False
    muted: bool = False


#: A paragraph's text: a plain string (the common case, and the fast one) or runs.
Text = str | tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class Para:
    text: Text
    style: Style = Style.BODY
    space_before: bool = False  # a little air above it inside a table cell (a new group of lines)
    keep_with_next: bool = False  # a lead-in that belongs with what follows it


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading in the outline (bookmarks in the PDF, heading styles in Word); levels 0 to 4."""

    title: str
    level: int

    @property
    def in_contents(self) -> bool:
        return self.level < CONTENTS_LEVELS


#: The table of contents lists sections and their first level of parts.
CONTENTS_LEVELS = 2

#: A table cell: paragraphs stacked one under another.
Cell = tuple[Para, ...]


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    group: bool = False  # a label row spanning the table (its first cell), kept with the row after it


@dataclass(frozen=True, slots=True)
class Table:
    """A table whose header row repeats on every page it runs onto; `widths` are shares of the text width.
    A part continued on another page is captioned "`caption` (continued)"."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    widths: tuple[float, ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Pairs:
    """Labels and values in two columns (the cover's details)."""

    rows: tuple[tuple[str, Text], ...]


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


@dataclass(frozen=True, slots=True)
class Contents:
    """Where the table of contents goes."""


Block = Para | Heading | Table | Pairs | PageBreak | Contents


@dataclass(frozen=True)
class Report:
    """The whole report: the cover (no running header), then the body; what every page repeats."""

    title: str
    subject: str
    cover: tuple[Block, ...]
    body: tuple[Block, ...]
    running_header: tuple[str, str]  # (who, what and when)
    footer: str
    audience: Audience


def gap(text: str) -> Run:
    """Something the draft still lacks, bracketed so it reads as a gap even without colour."""
    return Run(f"[{text}]", bold=True, gap=True)


def text_or_gap(text: str, missing: str) -> Text:
    """Text a person should have entered; a gap when they have not."""
    return text if text.strip() else (gap(f"MISSING: {missing}"),)


def joined(*parts: Text) -> tuple[Run, ...]:
    """Several pieces of text as one run of text."""
    runs: list[Run] = []
    for part in parts:
        if isinstance(part, str):
            runs += [Run(part)] if part else []
        else:
            runs += part
    return tuple(runs)


def plain(text: Text) -> str:
    """The text as a reader would copy it."""
    return text if isinstance(text, str) else "".join(run.text for run in text)


def filled(text: str, missing: str, style: Style = Style.CELL, before: str = "", after: str = "") -> Para:
    """Text a person should have entered, between fixed words; a gap when they have not."""
    if text.strip():
        return Para(f"{before}{text}{after}", style)
    return Para(joined(before, (gap(f"MISSING: {missing}"),), after), style)


def single(text: Text, style: Style = Style.CELL) -> Cell:
    """A table cell of one paragraph."""
    return (Para(text, style),)
