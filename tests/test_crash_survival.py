"""The crash suite: every write path killed at random moments, and the file survives each time.

Bounded for CI (a handful of kills per path, about a minute in all); `benchmarks/crash_survival.py` runs
hundreds. What a trial checks is in `tests/crash_harness.py`: opens, verifies, shows the state before or
after the command, no half-written target, no temporary left after the next open, no plaintext secret.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.crash_harness import Harness, WritePath

KILLS_PER_PATH = int(os.environ.get("FIELDWORK_CRASH_KILLS", "5"))
SEED = int(os.environ.get("FIELDWORK_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
NAMES = [
    "evidence add",
    "population import and sample",
    "export (PDF and XLSX)",
    "review pack",
    "re-key",
    "demo creation",
    "export-plain",
    "backup",
]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    return Harness(tmp_path_factory.mktemp("crash"), evidence_mib=16, population_rows=40_000)


def test_the_suite_covers_every_write_path(harness: Harness) -> None:
    assert [path.name for path in harness.write_paths()] == NAMES


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_killed_command_leaves_a_file_that_opens_verifies_and_keeps_its_data(harness: Harness, name: str) -> None:
    (path,) = [p for p in harness.write_paths() if p.name == name]
    harness.learn(path)
    rng = random.Random(f"{SEED}-{name}")
    problems = []
    for number in range(KILLS_PER_PATH):
        delay, survey = harness.trial(path, number, rng)
        if survey.problem is not None:
            problems.append(f"kill after {delay:.3f} s of {path.seconds:.3f} s: {survey.problem}")
    assert not problems, f"seed {SEED} (FIELDWORK_CRASH_SEED): {problems}"


def test_a_write_path_learns_the_states_it_may_leave(harness: Harness) -> None:
    path: WritePath = next(p for p in harness.write_paths() if p.name == "evidence add")
    harness.learn(path)
    assert path.before is not None and path.after is not None
    assert path.after["counts"]["evidence"] == path.before["counts"]["evidence"] + 1
