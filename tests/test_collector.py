"""The cycle collector is paused only while an export runs, and always running again after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from fieldwork.app.exports.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_running_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_still_resumes_the_collector() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("export failed")
    assert gc.isenabled()


def test_overlapping_exports_leave_it_running_whichever_ends_first() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    second.__exit__(None, None, None)
    assert not gc.isenabled(), "the first export is still running"
    first.__exit__(None, None, None)
    assert gc.isenabled()
