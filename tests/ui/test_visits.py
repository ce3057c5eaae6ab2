"""Back and Forward keep to what a browser does: a new visit drops what lay ahead, the list is bounded."""

from __future__ import annotations

from fieldwork.ui.visits import Visits


def test_a_new_visit_drops_what_lay_ahead_and_revisiting_records_nothing() -> None:
    visits: Visits[str] = Visits()
    for place in ("a", "b", "b", "c"):
        visits.visit(place)
    assert visits.places == ["a", "b", "c"]
    assert visits.go(-1) == "b" and visits.go(-1) == "a" and visits.go(-1) is None
    assert visits.can_go(1) and not visits.can_go(-1)
    visits.visit("d")
    assert visits.places == ["a", "d"] and not visits.can_go(1)


def test_the_oldest_visits_go_past_the_limit() -> None:
    visits: Visits[int] = Visits(limit=3)
    for place in range(5):
        visits.visit(place)
    assert visits.places == [2, 3, 4] and visits.current == 4
    assert visits.go(-2) == 2 and visits.go(-1) is None
