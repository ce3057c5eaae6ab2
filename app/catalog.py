"""The bundled framework catalogs and crosswalk, read from `resources/catalogs`.

They are versioned data: an engagement copies them into its own file when it is
created (so its report always shows the titles it was performed against) and records
the versions it copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from fieldwork.app.domain.vocabulary import Framework, Relationship, RequirementKind
from fieldwork.app.resources import resource_path


@dataclass(frozen=True)
class CatalogItem:
    code: str
    framework: Framework
    kind: RequirementKind
    title: str
    description: str
    parent: str | None
    category: str | None
    group: str | None
    order: int


@dataclass(frozen=True)
class CrosswalkLink:
    iso: str
    soc2: str
    relationship: Relationship
    rationale: str


@dataclass(frozen=True)
class Catalog:
    items: tuple[CatalogItem, ...]
    links: tuple[CrosswalkLink, ...]
    unlinked: dict[str, str]
    versions: dict[str, str]
    #: Links an earlier crosswalk held and this one removed: (ISO code, SOC 2 code) -> why.
    retired: dict[tuple[str, str], str]

    def by_code(self) -> dict[str, CatalogItem]:
        return {item.code: item for item in self.items}


def _read(name: str) -> dict[str, Any]:
    with resource_path("catalogs", name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _iso_items(data: dict[str, Any], start: int) -> list[CatalogItem]:
    return [
        CatalogItem(
            code=raw["id"],
            framework=Framework.ISO42001,
            kind=RequirementKind(raw["kind"]),
            title=raw["title"],
            description=raw["description"],
            parent=raw["parent"],
            category=None,
            group=None,
            order=start + index,
        )
        for index, raw in enumerate(data["items"])
    ]


def _soc2_items(data: dict[str, Any], start: int) -> list[CatalogItem]:
    return [
        CatalogItem(
            code=raw["id"],
            framework=Framework.SOC2,
            kind=RequirementKind.CRITERION,
            title=raw["short_title"],
            description=raw["description"],
            parent=None,
            category=raw["category"],
            group=raw["group"],
            order=start + index,
        )
        for index, raw in enumerate(data["items"])
    ]


@cache
def load_catalog() -> Catalog:
    soc2 = _read("soc2_tsc.json")
    iso = _read("iso42001.json")
    crosswalk = _read("crosswalk.json")
    items = _soc2_items(soc2, 0) + _iso_items(iso, len(soc2["items"]))
    links = tuple(
        CrosswalkLink(raw["iso"], raw["soc2"], Relationship(raw["relationship"]), raw["rationale"])
        for raw in crosswalk["links"]
    )
    unlinked = {raw["iso"]: raw["reason"] for raw in crosswalk.get("unlinked", [])}
    retired = {(raw["iso"], raw["soc2"]): raw["reason"] for raw in crosswalk.get("retired", [])}
    versions = {
        "soc2": soc2["meta"]["version"],
        "iso42001": iso["meta"]["version"],
        "crosswalk": crosswalk["meta"]["version"],
    }
    return Catalog(tuple(items), links, unlinked, versions, retired)
