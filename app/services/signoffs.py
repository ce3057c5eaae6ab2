"""Preparer and reviewer sign-offs, and what changed after review.

A sign-off records who signed (a team member), when, the hash of the item's content then, and the head of the
history at that moment (so a history cut or rewritten after it shows in `fieldwork verify`). Review needs the
preparer's sign-off first; one member takes both roles on an item only where the engagement allows it; the
opinion is reviewed by the quality reviewer. A sign-off is stale ("changed after review") when the item's
content now hashes differently: computed on every read, never stored, so it is right however the change came.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection, select

from fieldwork.app.domain.records import HistoryEntry, TeamMember
from fieldwork.app.domain.vocabulary import Labelled, Role
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.acting import acting_member
from fieldwork.app.services.history import Changes, changes, read_history
from fieldwork.app.services.signables import Item, ItemType, read_item, read_items, read_signed_items
from fieldwork.app.storage.schema import engagement, history, live, person, review_note, signoff, workpaper


class SignRole(Labelled):
    PREPARER = "preparer", "Preparer"
    REVIEWER = "reviewer", "Reviewer"


QUALITY_REVIEW = frozenset({Role.QUALITY_REVIEWER})


def _reviewers_of(conn: Connection, item: Item) -> frozenset[Role] | None:
    """Who may review an item: the opinion and the completion items are the quality reviewer's; the rest any
    member's (None)."""
    if item.item_type is ItemType.OPINION:
        return QUALITY_REVIEW
    if item.item_type is ItemType.WORKPAPER:
        query = select(workpaper.c.completion_item).where(workpaper.c.id == UUID(item.key))
        return QUALITY_REVIEW if conn.execute(query).scalar() else None
    return None


@dataclass(frozen=True)
class SignOff:
    item_type: ItemType
    key: str
    ref: str
    role: SignRole
    member: str
    initials: str
    signed_at: str
    stale: bool
    #: The history's head when signed: later entries of that origin are "since" the sign-off.
    history_origin: UUID
    history_seq: int

    def came_before(self, entry: HistoryEntry) -> bool:
        """Whether a history entry came after this sign-off (by position in its origin, else by time)."""
        if entry.origin == self.history_origin:
            return entry.seq > self.history_seq
        return entry.at_utc >= self.signed_at


@dataclass(frozen=True)
class ItemSignOffs:
    """An item's state of review: its preparer and reviewer sign-offs (either may be missing)."""

    item: Item
    preparer: SignOff | None
    reviewer: SignOff | None

    @property
    def stale(self) -> bool:
        return any(s is not None and s.stale for s in (self.preparer, self.reviewer))

    @property
    def complete(self) -> bool:
        """Prepared and reviewed, and nothing changed since."""
        return self.preparer is not None and self.reviewer is not None and not self.stale


def _member_of(conn: Connection) -> TeamMember:
    member = acting_member(conn)
    if member is None or member.id is None:
        raise ValidationError(
            "Only a member of the engagement team can sign; choose who you are in your profile, or ask a manager "
            "to add you to the team."
        )
    return member


def _current(conn: Connection, item: Item) -> dict[SignRole, dict[str, object]]:
    query = select(signoff).where(
        signoff.c.item_type == item.item_type.value, signoff.c.item_key == item.key, live(signoff)
    )
    return {SignRole(row["role"]): dict(row) for row in conn.execute(query).mappings()}


def _refuse(conn: Connection, item: Item, role: SignRole, member: TeamMember) -> None:
    current = _current(conn, item)
    other = current.get(SignRole.PREPARER if role is SignRole.REVIEWER else SignRole.REVIEWER)
    if role is SignRole.REVIEWER:
        if SignRole.PREPARER not in current:
            raise ValidationError(f"{item.ref} has no preparer's sign-off yet: it is reviewed once prepared.")
        allowed = _reviewers_of(conn, item)
        if allowed is not None and member.role not in allowed:
            names = ", ".join(r.label.lower() for r in sorted(allowed))
            raise ValidationError(f"{item.ref} is reviewed by the {names}.")
    self_review = conn.execute(select(engagement.c.allow_self_review).where(live(engagement))).scalar()
    if other is not None and other["person_id"] == member.id and not self_review:
        raise ValidationError(
            f"You signed {item.ref} as {'preparer' if role is SignRole.REVIEWER else 'reviewer'}; another member "
            "takes the other role (the engagement settings can allow one member both)."
        )


def put_signoff(ch: Changes, member: TeamMember, item_type: ItemType, key: str, role: SignRole) -> Item:
    """Sign in the caller's transaction, by `member`, with the service's refusals; returns the item signed."""
    item = read_item(ch.conn, item_type, key)
    _refuse(ch.conn, item, role, member)
    ch.delete_where(
        signoff,
        (signoff.c.item_type == item.item_type.value) & (signoff.c.item_key == item.key) & (signoff.c.role == role),
    )
    origin, seq, head = ch.head()
    ch.insert(
        signoff,
        {
            "item_type": item.item_type.value,
            "item_key": item.key,
            "role": role.value,
            "person_id": member.id,
            "signed_at": ch.at_utc,
            "content_hash": item.content_hash,
            "history_origin": origin,
            "history_seq": seq,
            "history_hash": head,
        },
    )
    return item


def sign(db: Engagement, item_type: ItemType, key: str, role: SignRole) -> ItemSignOffs:
    """Sign an item as preparer or reviewer, now; signing again replaces one's earlier sign-off in that role."""
    with changes(db) as ch:
        item = put_signoff(ch, _member_of(ch.conn), item_type, key, SignRole(role))
        return read_signoffs(ch.conn, item.item_type, item.key)[item.key]


def unsign(db: Engagement, item_type: ItemType, key: str, role: SignRole) -> None:
    """Withdraw one's own sign-off (signed by mistake); the history keeps that it was given."""
    with changes(db) as ch:
        member = _member_of(ch.conn)
        item = read_item(ch.conn, item_type, key)
        found = _current(ch.conn, item).get(SignRole(role))
        if found is None:
            return
        if found["person_id"] != member.id:
            raise ValidationError("Only the member who signed can withdraw a sign-off.")
        ch.delete(signoff, {"id": found["id"]})


def read_signoffs(
    conn: Connection, item_type: ItemType, key: str | None = None, *, signed_only: bool = False
) -> dict[str, ItemSignOffs]:
    """Every item of a type (or one; or, `signed_only`, those signed) with its sign-offs, each stale or not."""
    members = {row.id: row for row in conn.execute(select(person.c.id, person.c.name, person.c.initials))}
    query = select(signoff).where(signoff.c.item_type == ItemType(item_type).value, live(signoff))
    if key is not None:
        query = query.where(signoff.c.item_key == key)
    rows = conn.execute(query).mappings().all()
    if signed_only:  # hashing every item of every kind took 450 ms at `--scale 20`, with 35 signed
        items = read_signed_items(conn, item_type, {row["item_key"] for row in rows})
    else:
        items = read_items(conn, item_type, key)
    signed: dict[str, dict[SignRole, SignOff]] = defaultdict(dict)
    for row in rows:
        item = items.get(row["item_key"])
        if item is None:  # the item was deleted after it was signed: its sign-offs go with it
            continue
        who = members[row["person_id"]]
        role = SignRole(row["role"])
        stale = row["content_hash"] != item.content_hash
        signed[item.key][role] = SignOff(
            item.item_type,
            item.key,
            item.ref,
            role,
            who.name,
            who.initials,
            row["signed_at"],
            stale,
            row["history_origin"],
            row["history_seq"],
        )
    return {
        k: ItemSignOffs(item, signed[k].get(SignRole.PREPARER), signed[k].get(SignRole.REVIEWER))
        for k, item in items.items()
    }


def list_signoffs(db: Engagement, item_type: ItemType, key: str | None = None) -> dict[str, ItemSignOffs]:
    with db.reading() as conn:
        return read_signoffs(conn, item_type, key)


@dataclass(frozen=True)
class ChangedSinceReview:
    """An item changed after it was signed, and the history entries that changed it since (old and new values)."""

    state: ItemSignOffs
    changes: tuple[HistoryEntry, ...]


#: Entries about the review itself, not changes to the item reviewed.
REVIEW_RECORDS = frozenset({signoff.name, review_note.name})


def concerns(entry: HistoryEntry, key: str) -> bool:
    """Whether a history entry changed the item keyed `key` or a part of it (a test's sample item names its test)."""
    if entry.item_type in REVIEW_RECORDS:
        return False
    if entry.item_id == key or entry.item_id.startswith(f"{key}/"):
        return True
    values = [*(entry.old_values or {}).values(), *(entry.new_values or {}).values()]
    return any(str(value) == key for value in values)


def read_changed_since_review(conn: Connection) -> list[ChangedSinceReview]:
    """Every item changed after review, with what changed since its earliest stale sign-off: the reviewer's
    "changed since review" view, most recently signed first."""
    signed = (read_signoffs(conn, kind, signed_only=True) for kind in ItemType)
    stale = [state for states in signed for state in states.values() if state.stale]
    if not stale:
        return []
    first = {id(state): min((s for s in _both(state) if s.stale), key=lambda s: s.signed_at) for state in stale}
    since = min(s.signed_at for s in first.values())
    recent = read_history(conn, where=history.c.at_utc >= since)  # not all of it: 21,000 entries at `--scale 20`
    found = [
        ChangedSinceReview(
            state, tuple(e for e in recent if first[id(state)].came_before(e) and concerns(e, state.item.key))
        )
        for state in stale
    ]
    return sorted(found, key=lambda c: first[id(c.state)].signed_at, reverse=True)


def _both(found: ItemSignOffs) -> Sequence[SignOff]:
    return [s for s in (found.preparer, found.reviewer) if s is not None]


def changed_since_review(db: Engagement) -> list[ChangedSinceReview]:
    with db.reading() as conn:
        return read_changed_since_review(conn)
