"""What the review screens show: an item's sign-offs, open notes and history; the items changed after review;
the review notes; where the file stands on finalizing.

Every signable page carries the same strip (its item's state of review), so its read is one small function
here rather than a part of each page's read. Staleness for lists (the navigator, the findings register) is read
in bulk and only for the kinds of item something was signed on: a file nobody signed pays nothing for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, String, cast, or_, select

from fieldwork.app.domain.records import HistoryEntry, TeamMember
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.acting import acting_member
from fieldwork.app.services.engagement import read_details, read_facts, read_team
from fieldwork.app.services.finalizing import FINALIZE_CHECKS, Finalized, read_finalized
from fieldwork.app.services.history import read_history
from fieldwork.app.services.review_notes import NoteStatus, ReviewNote, read_notes
from fieldwork.app.services.signables import ItemType, read_signed_items, resolve_item
from fieldwork.app.services.signoffs import (
    REVIEW_RECORDS,
    ChangedSinceReview,
    ItemSignOffs,
    concerns,
    read_changed_since_review,
    read_signoffs,
)
from fieldwork.app.storage.schema import history, live, signoff

#: (kind, key) of a signable item, as the file keys it.
ItemKey = tuple[ItemType, str]


@dataclass(frozen=True)
class ItemReview:
    """One item's state of review as its page's strip shows it."""

    item_type: ItemType
    key: str
    #: None when the item cannot be signed yet (a requirement with no conclusion recorded).
    state: ItemSignOffs | None
    open_notes: tuple[ReviewNote, ...]
    acting: TeamMember | None


def read_item_review(conn: Connection, item_type: ItemType, key: str) -> ItemReview:
    state = read_signoffs(conn, item_type, key).get(key)
    notes = tuple(n for n in read_notes(conn, open_only=True) if (n.item_type, n.item_key) == (item_type, key))
    return ItemReview(item_type, key, state, notes, acting_member(conn))


def load_item_review(db: Engagement, item_type: ItemType, key: str) -> ItemReview:
    with db.reading() as conn:
        return read_item_review(conn, item_type, key)


def read_item_history(conn: Connection, item_type: ItemType, key: str) -> list[HistoryEntry]:
    """The history of one item and its parts (a test's sample items, a control's links), newest first.

    The file is searched for the key (as an item or in the values) and each candidate is then judged as the
    changed-since-review view judges it, so both say the same about what changed an item. Its sign-offs and
    review notes are part of its history too."""
    if item_type is ItemType.OPINION:
        where = history.c.item_type == "opinion"
    else:
        where = or_(
            history.c.item_id == key,
            history.c.item_id.startswith(f"{key}/", autoescape=True),
            cast(history.c.old_values, String).contains(key, autoescape=True),
            cast(history.c.new_values, String).contains(key, autoescape=True),
        )
    return [e for e in read_history(conn, where=where) if item_type is ItemType.OPINION or _about(e, key)]


def _about(entry: HistoryEntry, key: str) -> bool:
    """A change to the item or a part of it, or its review (a sign-off or a note on it)."""
    if entry.item_type in REVIEW_RECORDS:
        values = {**(entry.old_values or {}), **(entry.new_values or {})}
        return values.get("item_key") == key
    return concerns(entry, key)


def load_item_history(db: Engagement, item_type: ItemType, key: str) -> list[HistoryEntry]:
    with db.reading() as conn:
        return read_item_history(conn, item_type, key)


def read_stale(conn: Connection, kinds: tuple[ItemType, ...] = tuple(ItemType)) -> frozenset[ItemKey]:
    """The items of these kinds changed after review; kinds nothing was signed on are not read at all."""
    signed: dict[ItemType, dict[str, set[str]]] = {}
    query = select(signoff.c.item_type, signoff.c.item_key, signoff.c.content_hash).where(live(signoff))
    for row in conn.execute(query.where(signoff.c.item_type.in_([k.value for k in kinds]))):
        signed.setdefault(ItemType(row.item_type), {}).setdefault(row.item_key, set()).add(row.content_hash)
    stale = set()
    for kind, keys in signed.items():
        items = read_signed_items(conn, kind, keys)
        for key, hashes in keys.items():
            if key in items and any(h != items[key].content_hash for h in hashes):
                stale.add((kind, key))
    return frozenset(stale)


@dataclass(frozen=True)
class ChangedPage:
    """The reviewer's "changed since review" page: each stale item with what changed since it was signed."""

    items: tuple[ChangedSinceReview, ...]


def load_changed_page(db: Engagement) -> ChangedPage:
    with db.reading() as conn:
        return ChangedPage(tuple(read_changed_since_review(conn)))


@dataclass(frozen=True)
class NotesPage:
    notes: tuple[ReviewNote, ...]
    acting: TeamMember | None

    def counts(self) -> Counter[NoteStatus]:
        return Counter(n.status for n in self.notes)


def load_notes_page(db: Engagement) -> NotesPage:
    with db.reading() as conn:
        return NotesPage(tuple(read_notes(conn)), acting_member(conn))


@dataclass(frozen=True)
class Blocker:
    """One of finalizing's checks that fails, with every problem it found (each a line for the user)."""

    title: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class FinalizingPage:
    """What the Finalize dialog shows: what stops it (empty when nothing does), and the dates it will set."""

    blockers: tuple[Blocker, ...]
    completion_days: int
    finalized: Finalized | None


def read_finalizing_page(conn: Connection) -> FinalizingPage:
    """Finalizing's own checks (`FINALIZE_CHECKS`), each problem listed rather than the first few counted."""
    finalized = read_finalized(conn)
    found = [] if finalized else [(title, check(conn)) for title, check in FINALIZE_CHECKS]
    blockers = tuple(Blocker(f"{len(problems)} {title}", tuple(problems)) for title, problems in found if problems)
    return FinalizingPage(blockers, read_details(conn).completion_days, finalized)


def load_finalizing_page(db: Engagement) -> FinalizingPage:
    with db.reading() as conn:
        return read_finalizing_page(conn)


@dataclass(frozen=True)
class ReviewSummary:
    """Where review stands, for the dashboard and the workspace's banner."""

    open_notes: int
    answered_notes: int
    stale: int
    finalized: Finalized | None
    release_date: date | None
    completion_date: date | None

    def days_left(self, today: date) -> int | None:
        """Days to the documentation completion date, once a release date is recorded."""
        if self.release_date is None or self.completion_date is None:
            return None
        return (self.completion_date - today).days


def read_review_summary(conn: Connection) -> ReviewSummary:
    notes = Counter(n.status for n in read_notes(conn, open_only=True))
    details = read_details(conn)
    return ReviewSummary(
        open_notes=sum(notes.values()),
        answered_notes=notes[NoteStatus.ANSWERED],
        stale=len(read_stale(conn)),
        finalized=read_finalized(conn),
        release_date=details.report_release_date,
        completion_date=details.documentation_completion_date,
    )


def load_review_summary(db: Engagement) -> ReviewSummary:
    with db.reading() as conn:
        return read_review_summary(conn)


def resolve_named(db: Engagement, said: str) -> ItemKey:
    """The item a user names as people do (C-001, C-001.T2, F-001, DC4, opinion, a requirement's code)."""
    with db.reading() as conn:
        return resolve_item(conn, said)


#: How long a value may run in a one-line account of a change before it is cut.
SHOWN_CHARS = 80


def describe(entry: HistoryEntry, limit: int | None = SHOWN_CHARS) -> str:
    """A history entry in one line for people: what was changed, from what to what (each value cut at `limit`)."""

    def _shown(value: object) -> str:
        text = " ".join(("(empty)" if value in (None, "", [], {}) else str(value)).split())
        return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"

    what = entry.item_type.replace("_", " ")
    new, old = entry.new_values or {}, entry.old_values or {}
    if entry.item_type == signoff.name:
        role = (new or old).get("role", "")
        return f"{'signed' if entry.action == 'create' else 'sign-off withdrawn'} as {role}"
    if entry.action == "update":
        changed = "; ".join(f"{name}: {_shown(old.get(name))} → {_shown(value)}" for name, value in new.items())
        return f"{what}: {changed}"
    if entry.action == "create":
        named = ("ref", "text", "title", "identifier", "requirement_code")
        text = next((new[name] for name in named if new.get(name)), "")
        return f"{what} added" + (f": {_shown(text)}" if text else "")
    if entry.action == "delete":
        return f"{what} deleted"
    return f"{entry.action} {what}"


@dataclass(frozen=True)
class WhoActs:
    """The team and the member this machine's profile names on it (None: not on the team)."""

    team: tuple[TeamMember, ...]
    acting: TeamMember | None
    #: The engagement's own id (copies of the file share it), so "not on this team" is asked once per engagement.
    engagement_id: str = ""


def acting_text(who: WhoActs) -> str:
    """The status bar's words for who the history and sign-offs will name."""
    if who.acting is None:
        return "Not on this engagement's team: changes are recorded, sign-offs need a member"
    member = who.acting
    return f"Acting as {member.name} ({member.initials}, {member.role.label.lower()})"


def load_who_acts(db: Engagement) -> WhoActs:
    with db.reading() as conn:
        facts = read_facts(conn, db.encrypted)
        return WhoActs(tuple(read_team(conn)), acting_member(conn), facts.engagement_id)


def load_finalized(db: Engagement) -> Finalized | None:
    with db.reading() as conn:
        return read_finalized(conn)
