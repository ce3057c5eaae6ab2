"""The bundled catalogs match the reference line by line; the crosswalk is complete and sound."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldwork.app.catalog import load_catalog
from fieldwork.app.domain.vocabulary import Framework, Relationship, RequirementKind
from fieldwork.app.resources import resource_path

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def reference(name: str) -> list[dict[str, object]]:
    """The reference catalog beside the checkout: CI always has it; a clone of the repository alone does not."""
    path = REFERENCE / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must compare with the reference catalogs beside the checkout: {path}")
        pytest.skip(f"no reference catalogs beside this checkout ({path}); CI compares them")
    items: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["items"]
    return items


def bundled(name: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(resource_path("catalogs", name).read_text(encoding="utf-8"))["items"]
    return items


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("iso42001.json", ("id", "title", "parent", "kind")),
        ("soc2_tsc.json", ("id", "category", "group", "short_title", "coso_principle")),
    ],
)
def test_catalog_equals_reference_line_by_line(name: str, fields: tuple[str, ...]) -> None:
    ours, theirs = bundled(name), reference(name)
    assert len(ours) == len(theirs)
    for mine, ref in zip(ours, theirs, strict=True):
        assert {f: mine.get(f) for f in fields} == {f: ref.get(f) for f in fields}


def test_catalog_counts_match_the_standards() -> None:
    items = load_catalog().items
    kinds = [i.kind for i in items]
    assert kinds.count(RequirementKind.CRITERION) == 61
    assert kinds.count(RequirementKind.CLAUSE) == 7
    assert kinds.count(RequirementKind.SUBCLAUSE) == 36
    assert kinds.count(RequirementKind.ANNEX_OBJECTIVE) == 9
    assert kinds.count(RequirementKind.ANNEX_CONTROL) == 38
    assert len({i.code for i in items}) == len(items), "codes are unique across both frameworks"


def test_every_item_has_its_own_description() -> None:
    items = load_catalog().items
    descriptions = [i.description.strip() for i in items]
    assert all(len(d.split()) >= 20 for d in descriptions)
    assert len(set(descriptions)) == len(descriptions)


def test_crosswalk_links_join_existing_requirements_once() -> None:
    catalog = load_catalog()
    by_code = catalog.by_code()
    pairs = [(link.iso, link.soc2) for link in catalog.links]
    assert len(pairs) == len(set(pairs)), "no link appears twice"
    for link in catalog.links:
        assert by_code[link.iso].framework is Framework.ISO42001
        assert by_code[link.iso].kind in (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL)
        assert by_code[link.soc2].framework is Framework.SOC2
        assert link.relationship in Relationship
        assert len(link.rationale.split()) >= 8 and link.rationale.rstrip().endswith(".")


def test_every_iso_requirement_is_linked_or_says_why_not() -> None:
    catalog = load_catalog()
    linked = {link.iso for link in catalog.links}
    auditable = {i.code for i in catalog.items if i.kind in (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL)}
    assert linked | set(catalog.unlinked) == auditable
    assert not linked & set(catalog.unlinked), "an item is either linked or explained, not both"
    assert all(reason.strip() for reason in catalog.unlinked.values())


def test_a_retired_link_is_gone_and_says_why() -> None:
    catalog = load_catalog()
    by_code = catalog.by_code()
    current = {(link.iso, link.soc2) for link in catalog.links}
    assert catalog.retired, "2026.2 retired links"
    for (iso, soc2), reason in catalog.retired.items():
        assert (iso, soc2) not in current
        assert by_code[iso].framework is Framework.ISO42001 and by_code[soc2].framework is Framework.SOC2
        assert len(reason.split()) >= 8 and reason.rstrip().endswith(".")


def test_the_2026_2_corrections_are_in_the_crosswalk() -> None:
    catalog = load_catalog()
    links = {(link.iso, link.soc2) for link in catalog.links}
    added = {("4.3", "CC2.2"), ("4.3", "CC2.3"), ("A.5.4", "CC3.2"), ("A.5.5", "CC3.2"), ("5.1", "CC2.2")}
    added |= {("5.1", "CC3.1"), ("8.1", "CC5.1"), ("A.6.2.2", "CC5.2")}
    assert added <= links
    assert not {"4.3", "A.5.4", "A.5.5"} & set(catalog.unlinked)
    assert not {link for link in links if link[1] == "CC1.2"}, "management review is not board oversight"
    assert {("A.4.5", "CC6.1"), ("A.6.2.2", "CC6.1")} <= set(catalog.retired)


def test_catalog_versions_are_recorded_in_a_new_engagement(engagement) -> None:  # type: ignore[no-untyped-def]
    from fieldwork.app.services.engagement import file_facts

    assert file_facts(engagement).catalog_versions == load_catalog().versions
