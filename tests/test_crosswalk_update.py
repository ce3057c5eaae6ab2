"""An engagement keeps its crosswalk until the user accepts a newer one; the engagement's own links stay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fieldwork.app.catalog import Catalog, CrosswalkLink, load_catalog
from fieldwork.app.cli.main import main
from fieldwork.app.domain.crosswalk import LinkChange
from fieldwork.app.domain.vocabulary import Relationship
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.crosswalk_update import accept_crosswalk, crosswalk_update
from fieldwork.app.services.engagement import create_engagement, file_facts
from fieldwork.app.services.history import list_history
from fieldwork.app.services.requirements import add_mapping, list_mappings, set_mapping_active
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import TEAM, type2_details

#: The links 2026.2 added, and the rationale 2026.1 gave the link it reworded.
ADDED = {
    ("4.3", "CC2.2"),
    ("4.3", "CC2.3"),
    ("5.1", "CC2.2"),
    ("5.1", "CC3.1"),
    ("8.1", "CC5.1"),
    ("9.3.1", "CC4.1"),
    ("A.5.4", "CC3.2"),
    ("A.5.5", "CC3.2"),
    ("A.6.2.2", "CC5.2"),
}
REWORDED = ("7.5.3", "CC6.1")
OLD_WORDS = "Access restrictions protecting AI management documents can be evidenced through logical access controls."


def crosswalk_2026_1(current: Catalog) -> Catalog:
    """The bundled catalog as 2026.1 had it: without the added links, with the retired ones, one link worded as then."""
    links = [
        replace(link, rationale=OLD_WORDS) if (link.iso, link.soc2) == REWORDED else link
        for link in current.links
        if (link.iso, link.soc2) not in ADDED
    ]
    links += [CrosswalkLink(iso, soc2, Relationship.INTERSECT, "As 2026.1 had it.") for iso, soc2 in current.retired]
    return replace(current, links=tuple(links), versions={**current.versions, "crosswalk": "2026.1"}, retired={})


@pytest.fixture
def old_engagement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EngagementFile]:
    """An engagement created by a Fieldwork that carried crosswalk 2026.1."""
    with monkeypatch.context() as patched:
        patched.setattr(engagement_service, "load_catalog", lambda: crosswalk_2026_1(load_catalog()))
        db, _ = create_engagement(tmp_path / "old.fieldwork", type2_details(), TEAM)
    yield db
    db.close()


def pairs(db: EngagementFile, *, active_only: bool = False) -> dict[tuple[str, str], tuple[str, str, bool]]:
    return {
        (m.iso_code, m.soc2_code): (m.relationship.value, m.origin, m.active)
        for m in list_mappings(db, active_only=active_only)
    }


def test_an_older_engagement_is_offered_the_corrections_each_with_why(old_engagement: EngagementFile) -> None:
    update = crosswalk_update(old_engagement)
    assert update.available and (update.held, update.bundled) == ("2026.1", load_catalog().versions["crosswalk"])
    assert update.summary == "9 links added, 6 removed, 1 changed"
    by_kind = {kind: {(c.iso_code, c.soc2_code) for c in update.changes if c.change is kind} for kind in LinkChange}
    assert by_kind[LinkChange.ADDED] == ADDED
    assert by_kind[LinkChange.REMOVED] == set(load_catalog().retired)
    assert by_kind[LinkChange.CHANGED] == {REWORDED}
    retired = load_catalog().retired
    for change in update.changes:
        if change.change is LinkChange.REMOVED:
            assert change.rationale == retired[change.iso_code, change.soc2_code]
        elif change.change is LinkChange.CHANGED:
            assert change.old_rationale == OLD_WORDS and change.rationale.startswith("Protecting documented")


def test_until_accepted_the_engagement_keeps_its_links(old_engagement: EngagementFile) -> None:
    held = pairs(old_engagement)
    assert ("5.1", "CC1.2") in held and ("4.3", "CC2.2") not in held
    assert file_facts(old_engagement).catalog_versions["crosswalk"] == "2026.1"


def test_accepting_takes_the_links_and_keeps_the_engagements_own(old_engagement: EngagementFile) -> None:
    add_mapping(old_engagement, "8.1", "CC5.1", Relationship.SUBSET, "Our own judgement for this client.")
    add_mapping(old_engagement, "A.4.4", "CC8.1", Relationship.INTERSECT, "Tooling changes go through change control.")
    set_mapping_active(old_engagement, *REWORDED, False)

    update = accept_crosswalk(old_engagement)
    assert update.summary == "8 links added, 6 removed, 1 changed" and update.own_links == 2
    held = pairs(old_engagement)
    bundled = {(link.iso, link.soc2): link.relationship.value for link in load_catalog().links}
    catalog_links = {pair: relationship for pair, (relationship, origin, _) in held.items() if origin == "catalog"}
    assert catalog_links == {pair: rel for pair, rel in bundled.items() if pair != ("8.1", "CC5.1")}
    assert held["8.1", "CC5.1"] == ("subset", "engagement", True), "the auditor's own link is kept"
    assert held["A.4.4", "CC8.1"] == ("intersect", "engagement", True)
    assert held[REWORDED] == ("intersect", "catalog", False), "a link switched off stays off"
    rationales = {(m.iso_code, m.soc2_code): m.rationale for m in list_mappings(old_engagement, active_only=False)}
    assert rationales[REWORDED].startswith("Protecting documented")
    assert file_facts(old_engagement).catalog_versions["crosswalk"] == update.bundled
    entry = list_history(old_engagement, limit=1)[0]
    assert (entry.action, entry.item_id) == ("accept crosswalk", update.bundled)
    assert entry.new_values == {"from": "2026.1", "added": 8, "removed": 6, "changed": 1}
    assert not crosswalk_update(old_engagement).available


def test_re_judging_a_bundled_link_makes_it_the_engagements_own(engagement: EngagementFile) -> None:
    add_mapping(engagement, "6.1.4", "CC3.2", Relationship.INTERSECT, "Same as bundled.")
    assert pairs(engagement)["6.1.4", "CC3.2"] == ("intersect", "catalog", True)
    add_mapping(engagement, "6.1.4", "CC3.2", Relationship.SUBSET, "Here the assessment is part of the risk process.")
    assert pairs(engagement)["6.1.4", "CC3.2"] == ("subset", "engagement", True)
    own = next(m for m in list_mappings(engagement) if (m.iso_code, m.soc2_code) == ("6.1.4", "CC3.2"))
    assert own.rationale == "Here the assessment is part of the risk process."


def test_a_current_engagement_has_nothing_to_accept_and_accepting_changes_nothing(engagement: EngagementFile) -> None:
    before = len(list_history(engagement))
    update = accept_crosswalk(engagement)
    assert not update.available and update.changes == ()
    assert len(list_history(engagement)) == before


def test_a_file_from_a_newer_fieldwork_is_never_offered_an_older_crosswalk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = replace(load_catalog(), versions={**load_catalog().versions, "crosswalk": "2027.1"})
    monkeypatch.setattr(engagement_service, "load_catalog", lambda: newer)
    db, _ = create_engagement(tmp_path / "newer.fieldwork", type2_details(), TEAM)
    assert not crosswalk_update(db).available
    db.close()


def test_the_command_shows_and_accepts(old_engagement: EngagementFile, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(old_engagement.path)
    old_engagement.close()
    assert main(["crosswalk", "diff", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The engagement holds crosswalk 2026.1; this Fieldwork carries")
    assert "removed  5.1 - CC1.2 (intersect): CC1.2 asks for oversight by a board independent" in out
    last = out.rstrip().splitlines()[-1]
    assert last == f"9 links added, 6 removed, 1 changed. Take them with: fieldwork crosswalk accept {path}"
    assert main(["crosswalk", "diff", path, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["available"] and len(document["changes"]) == 16
    assert main(["crosswalk", "accept", path]) == 0
    assert capsys.readouterr().out.startswith("Accepted crosswalk")
    assert main(["crosswalk", "diff", path]) == 0
    assert "nothing to accept" in capsys.readouterr().out
