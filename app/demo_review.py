"""The demo's review: who did the work, sign-offs (a few changed after review), and review notes in each state.

The demo is written in one transaction; each part is recorded in the history as the team member who would have
done it, and sign-offs and notes go through the services' own transaction-level writes, so the demo holds
nothing the app would refuse. An item "changed after review" is signed with the value it had then and changed
to the value the demo shows, so the history holds the old and the new value as it would in real use.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fieldwork.app.domain.records import TeamMember
from fieldwork.app.services.engagement import read_team
from fieldwork.app.services.history import Changes
from fieldwork.app.services.review_notes import insert_note, put_clear, put_response
from fieldwork.app.services.signables import ItemType, resolve_item
from fieldwork.app.services.signoffs import SignRole, put_signoff
from fieldwork.app.storage.schema import control, description_section

#: The tables an item "changed after review" can be changed in, by the item's kind.
CHANGEABLE = {ItemType.CONTROL: (control, "id"), ItemType.DESCRIPTION: (description_section, "code")}


def team_of(ch: Changes) -> dict[str, TeamMember]:
    return {member.initials: member for member in read_team(ch.conn)}


def act_as(ch: Changes, member: TeamMember) -> None:
    """Record what follows in this transaction as done by `member`."""
    ch.person = f"{member.name} ({member.initials})"


def fill_demo_review(ch: Changes, data: dict[str, Any]) -> None:
    """Sign-offs, the changes after review, and the review notes (after everything they concern is written)."""
    review = data.get("review", {})
    team = team_of(ch)
    for raw in review.get("changed_after_review", []):
        _set(ch, raw, raw["before"])
    for raw in review.get("signoffs", []):
        kind, key = resolve_item(ch.conn, raw["item"])
        for role in SignRole:
            if raw.get(role.value):
                act_as(ch, team[raw[role.value]])
                put_signoff(ch, team[raw[role.value]], kind, key, role)
    for raw in review.get("changed_after_review", []):
        act_as(ch, team[raw["by"]])
        _set(ch, raw, raw["after"])
    for raw in review.get("notes", []):
        _note(ch, team, raw)


def _set(ch: Changes, raw: dict[str, Any], value: str) -> None:
    kind, key = resolve_item(ch.conn, raw["item"])
    table, column = CHANGEABLE[kind]
    ch.update(table, {column: UUID(key) if column == "id" else key}, {raw["field"]: value})


def _note(ch: Changes, team: dict[str, TeamMember], raw: dict[str, Any]) -> None:
    kind, key = resolve_item(ch.conn, raw["item"])
    author = team[raw["by"]]
    act_as(ch, author)
    ref = insert_note(ch, kind, key, raw["text"], author.id)
    if raw.get("response"):
        act_as(ch, team[raw["response_by"]])
        put_response(ch, ref, raw["response"], team[raw["response_by"]].id)
    if raw.get("cleared"):
        act_as(ch, author)
        put_clear(ch, ref, author.id)
