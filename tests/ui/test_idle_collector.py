"""The cycle collector's full pass waits until the worker has been idle (a full pass stalls the screen)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from pytestqt.qtbot import QtBot

from fieldwork.ui.collector import DUE_AFTER, REVISIT_EVERY, IdleCollector
from fieldwork.ui.operations import Runner


@pytest.fixture
def thresholds() -> Iterator[None]:
    """Python's own thresholds back after the test, so the rest of the suite collects as usual."""
    kept = gc.get_threshold()
    yield
    gc.set_threshold(*kept)
    gc.unfreeze()


def full_passes() -> int:
    return int(gc.get_stats()[2]["collections"])


def allocate() -> list[list[list[int]]]:
    """What reading and showing pages does: many short-lived objects, some kept (as a page keeps its snapshot)."""
    kept = []
    for round_ in range(200):
        made = [[n] for n in range(2000)]
        if round_ % 10 == 0:
            kept.append(made)
    return kept


def test_python_starts_no_full_pass_by_itself(qtbot: QtBot, thresholds: None) -> None:
    IdleCollector(Runner(synchronous=True))
    before = full_passes()
    assert allocate()
    assert gc.get_count()[2] >= DUE_AFTER
    assert full_passes() == before


def test_the_full_pass_runs_once_the_worker_is_idle_and_not_while_busy(qtbot: QtBot, thresholds: None) -> None:
    runner = Runner(synchronous=True)
    collector = IdleCollector(runner)
    assert allocate()
    before = full_passes()
    runner.busy_changed.emit(True)
    assert not collector.timer.isActive()
    runner.busy_changed.emit(False)
    assert collector.timer.isActive()
    qtbot.waitUntil(lambda: full_passes() > before, timeout=5000)
    assert gc.get_count()[2] == 0


class _Cycle:
    """A long-lived object in a cycle (as a dialog's widgets and their slots are)."""

    def __init__(self) -> None:
        self.me = self


def test_survivors_are_frozen_and_a_cycle_among_them_is_still_freed_at_a_long_quiet_moment(
    qtbot: QtBot, thresholds: None
) -> None:
    runner = Runner(synchronous=True)
    collector = IdleCollector(runner)

    def idle_pass() -> None:
        assert allocate()
        collector.collect_if_due()

    cycle = _Cycle()
    gone = weakref.ref(cycle)
    idle_pass()
    frozen = gc.get_freeze_count()
    assert frozen > 0  # what survived the pass is not walked by the next one
    del cycle
    for _ in range(REVISIT_EVERY):
        idle_pass()
    assert gone() is not None  # frozen: the short quiet moments' passes do not walk it
    runner.busy_changed.emit(True)
    assert not collector.revisit.isActive()
    runner.busy_changed.emit(False)
    assert collector.revisit.isActive()  # the pass over everything waits for a long quiet moment
    collector.revisit_if_due()
    assert gone() is None
    assert collector.passes == 0
