"""Where each kind of signable item is opened: the page a reviewer lands on from a note or a changed item."""

from __future__ import annotations

from app.domain.ids import parse_id
from app.services.signables import ItemType
from ui.context import Target

#: The page of each kind of item; items keyed by a UUID are opened by it, the others by their code.
PAGES = {
    ItemType.CONTROL: "control",
    ItemType.TEST: "test",
    ItemType.CONCLUSION: "requirement",
    ItemType.FINDING: "findings",
    ItemType.SOA_LINE: "soa",
    ItemType.DESCRIPTION: "settings",
    ItemType.OPINION: "opinion",
    ItemType.WORKPAPER: "workpaper",
}
KEYED_BY_ID = frozenset({ItemType.CONTROL, ItemType.TEST, ItemType.FINDING, ItemType.WORKPAPER})


def target_of(item_type: ItemType, key: str) -> Target:
    kind = PAGES[ItemType(item_type)]
    if item_type in KEYED_BY_ID:
        return Target(kind, parse_id(key))
    return Target(kind, None if item_type is ItemType.OPINION else key)
