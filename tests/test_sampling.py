"""Selecting a sample: reproducible random and systematic draws, the auditor's picks, extensions, the command."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.sampling import PopulationItemInput
from fieldwork.app.domain.vocabulary import Frequency, Selection
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import population, sampling, testing
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.selection import random_key
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import TEAM, type2_details
from tests.sampling_helpers import enter_tickets, operating_test, ticket_rows, write_csv

SEED = 20260331
#: The ten rows SHA-256("20260331:<row>") ranks first among rows 1-200, and the four after them;
#: checked once against `printf 20260331:<row> | sha256sum` for every row, then sorted.
RANDOM_10 = [20, 52, 75, 101, 122, 134, 162, 169, 179, 195]
RANDOM_NEXT_4 = [28, 34, 42, 71]
#: 200 rows / 8 = interval 25; u = (first 8 bytes of SHA-256("20260331:start:0")) / 2^64 puts the start
#: at 1 + floor(25u) = 9; checked with `printf 20260331:start:0 | sha256sum` and integer arithmetic.
SYSTEMATIC_8 = [9, 34, 59, 84, 109, 134, 159, 184]
OVERRIDE = "Ten items agreed with the engagement partner for this pilot."


def drawn(db: EngagementFile, test_id: int) -> list[tuple[int, int, str]]:
    return [(i.seq, i.row_no, i.identifier) for i in sampling.list_selected_items(db, test_id)]


def tickets(db: EngagementFile, count: int = 200) -> int:
    test_id = operating_test(db, Frequency.DAILY)
    enter_tickets(db, test_id, count)
    return test_id


def test_the_random_key_is_sha256_of_seed_and_row_as_documented() -> None:
    # printf '42:17' | sha256sum
    assert random_key(42, 17).hex() == "5cbc838105800b62b67cd411b403999e61fb321a7f89210d463b524f24c66fcb"


def test_a_fixed_seed_gives_a_known_random_selection_in_any_file(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = tickets(engagement)
    draw = sampling.select_sample(engagement, test_id, Selection.RANDOM, size=10, seed=SEED, reason=OVERRIDE)
    assert [item.row_no for item in draw.items] == RANDOM_10
    assert [item.identifier for item in draw.items] == [f"CHG-{n:04d}" for n in RANDOM_10]
    assert draw.items[0].item_date == date(2026, 1, 20) and [i.seq for i in draw.items] == list(range(1, 11))
    test = testing.get_test(engagement, test_id)
    assert (test.selection, test.seed, test.sample_size, test.items_total) == (Selection.RANDOM, SEED, 10, 10)
    other, _ = create_engagement(tmp_path / "other.fieldwork", type2_details(), TEAM)
    try:
        again = sampling.select_sample(other, tickets(other), Selection.RANDOM, size=10, seed=SEED, reason=OVERRIDE)
    finally:
        other.close()
    assert [item.row_no for item in again.items] == RANDOM_10


def test_without_a_seed_one_is_made_and_recorded(engagement: EngagementFile) -> None:
    test_id = tickets(engagement)
    draw = sampling.select_sample(engagement, test_id, Selection.RANDOM)
    assert draw.seed is not None and testing.get_test(engagement, test_id).seed == draw.seed
    assert len(draw.items) == 30, "the suggestion for a daily control at moderate risk"


def test_a_systematic_selection_has_a_random_start_and_a_fixed_interval(engagement: EngagementFile) -> None:
    test_id = tickets(engagement)
    draw = sampling.select_sample(engagement, test_id, Selection.SYSTEMATIC, size=8, seed=SEED, reason=OVERRIDE)
    rows = [item.row_no for item in draw.items]
    assert draw.interval == 25 and rows == SYSTEMATIC_8
    assert {b - a for a, b in pairwise(rows)} == {25}


def test_extending_a_random_sample_takes_the_next_keys_and_keeps_the_first(engagement: EngagementFile) -> None:
    test_id = tickets(engagement)
    sampling.select_sample(engagement, test_id, Selection.RANDOM, size=10, seed=SEED, reason=OVERRIDE)
    before = drawn(engagement, test_id)
    with pytest.raises(ValidationError, match="Say why"):
        sampling.extend_sample(engagement, test_id, count=4, reason=" ")
    more = sampling.extend_sample(engagement, test_id, count=4, reason="Deviation in CHG-0052.")
    assert [item.row_no for item in more.items] == RANDOM_NEXT_4 and more.sample_size == 14
    after = drawn(engagement, test_id)
    assert after[:10] == before and [seq for seq, _, _ in after[10:]] == [11, 12, 13, 14]
    plan = sampling.get_plan(engagement, test_id)
    assert plan.sample_size == 14 and plan.override_reason == f"{OVERRIDE}\nExtended by 4: Deviation in CHG-0052."


def test_a_systematic_sample_of_more_than_half_still_spans_the_population(engagement: EngagementFile) -> None:
    test_id = tickets(engagement, 77)
    draw = sampling.select_sample(engagement, test_id, Selection.SYSTEMATIC, size=40, seed=5, reason=OVERRIDE)
    rows = [item.row_no for item in draw.items]
    assert draw.interval == 1.925 and rows[-1] == 77 and {b - a for a, b in pairwise(rows)} == {1, 2}


def test_extending_a_systematic_sample_makes_a_new_pass_over_the_rest(engagement: EngagementFile) -> None:
    test_id = tickets(engagement)
    sampling.select_sample(engagement, test_id, Selection.SYSTEMATIC, size=8, seed=SEED, reason=OVERRIDE)
    more = sampling.extend_sample(engagement, test_id, count=4, reason="Deviation found.")
    rows = [item.row_no for item in more.items]
    assert more.interval == 48 and not set(rows) & set(SYSTEMATIC_8)  # 192 rows left / 4
    assert [row for _, row, _ in drawn(engagement, test_id)][:8] == SYSTEMATIC_8


def test_targeted_items_are_the_auditors_picks_and_are_checked(engagement: EngagementFile) -> None:
    test_id = tickets(engagement, 20)
    with pytest.raises(ValidationError, match="no row 21"):
        sampling.select_sample(engagement, test_id, Selection.TARGETED, rows=[3, 21], reason=OVERRIDE)
    with pytest.raises(ValidationError, match="more than once"):
        sampling.select_sample(engagement, test_id, Selection.TARGETED, rows=[3, 3], reason=OVERRIDE)
    draw = sampling.select_sample(engagement, test_id, Selection.TARGETED, rows=[17, 3], reason=OVERRIDE)
    assert [item.row_no for item in draw.items] == [3, 17] and draw.seed is None
    with pytest.raises(ValidationError, match=r"Row 3 \(CHG-0003\) is already in the sample"):
        sampling.extend_sample(engagement, test_id, rows=[3], reason="Again.")
    more = sampling.extend_sample(engagement, test_id, rows=[5], reason="A second approver to check.")
    assert [row for _, row, _ in drawn(engagement, test_id)] == [3, 17, 5]
    assert more.sample_size == 3


def test_selecting_again_or_replacing_the_population_is_refused_once_drawn(engagement: EngagementFile) -> None:
    test_id = tickets(engagement, 20)
    sampling.select_sample(engagement, test_id, Selection.ALL)
    with pytest.raises(ValidationError, match="already has 20 sample item"):
        sampling.select_sample(engagement, test_id, Selection.RANDOM, seed=1)
    with pytest.raises(ValidationError, match="already tests every item"):
        sampling.extend_sample(engagement, test_id, count=1, reason="More.")
    with pytest.raises(ValidationError, match=r"20 sample item.* were drawn from Entered by hand"):
        population.enter_population(engagement, test_id, [PopulationItemInput("X")])


def test_items_outside_the_period_are_never_selected(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.WEEKLY)
    items = [
        PopulationItemInput(f"W{n}", date(2025, 12, 29) if n in (1, 9) else date(2026, 1, n)) for n in range(1, 11)
    ]
    population.enter_population(engagement, test_id, items)
    with pytest.raises(ValidationError, match=r"Row 9 \(W9\) is dated 2025-12-29, outside the period"):
        sampling.select_sample(engagement, test_id, Selection.HAPHAZARD, rows=[9], reason=OVERRIDE)
    draw = sampling.select_sample(engagement, test_id, Selection.ALL)
    assert [item.row_no for item in draw.items] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert (draw.left_out, draw.sample_size) == (2, 8)
    assert sampling.get_plan(engagement, test_id).override_reason is None, "8 in-period items: all of them"


def test_a_sample_larger_than_the_period_holds_is_refused(engagement: EngagementFile) -> None:
    test_id = tickets(engagement, 12)
    with pytest.raises(ValidationError, match="larger than the population"):
        sampling.select_sample(engagement, test_id, Selection.RANDOM, size=13, seed=1, reason=OVERRIDE)


def test_a_selection_needs_a_population(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement)
    with pytest.raises(ValidationError, match="no population yet"):
        sampling.select_sample(engagement, test_id, Selection.RANDOM)


# --- the command ---------------------------------------------------------------------------------


def test_the_sample_command_imports_selects_prints_and_extends(
    engagement: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_id = operating_test(engagement)
    ref = testing.get_test(engagement, test_id).ref
    source = write_csv(tmp_path / "changes.csv", ["Ticket", "Opened"], ticket_rows(200))
    file = str(engagement.path)
    args = ["sample", file, "--test", ref, "--population", str(source), "--size", "10", "--seed", str(SEED)]
    assert main([*args, "--reason", OVERRIDE]) == 0
    out = capsys.readouterr().out
    assert "Imported 200 items from changes.csv (identified by 'Ticket', dated by 'Opened')." in out
    assert "Suggested size: Daily control: 20-40" in out
    assert f"{ref}: random selection of 10 from 200 items, seed {SEED}; sample size 10." in out
    assert "      169  CHG-0169                        2026-06-18" in out
    assert [row for _, row, _ in drawn(engagement, test_id)] == RANDOM_10

    assert main(["sample", file, "--test", ref, "--population", str(source), "--extend", "--size", "4",
                 "--reason", "Deviation in CHG-0052."]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Imported" not in out, "the same file is not imported twice"
    assert f"{ref}: added 4 by random selection" in out and "sample size 14" in out
    assert [row for _, row, _ in drawn(engagement, test_id)][10:] == RANDOM_NEXT_4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--population", "{csv}", "--size", "10"],
            "differs from the suggested 30 .* give the reason for the override",
        ),
        (["--population", "missing.csv"], "missing.csv was refused: it cannot be read"),
        (["--population", "{csv}", "--extend", "--size", "2"], "Say why the sample is extended"),
        ([], "no population yet: give it with --population PATH"),
    ],
)
def test_the_sample_command_fails_with_one_sentence(
    engagement: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    ref = testing.get_test(engagement, operating_test(engagement)).ref
    source = write_csv(tmp_path / "p.csv", ["Ticket"], [(f"T-{n}",) for n in range(40)])
    code = main(["sample", str(engagement.path), "--test", ref, *(a.format(csv=source) for a in extra)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert re.search(message, err), err


def test_an_unknown_method_is_named_with_the_choices(
    engagement: EngagementFile, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["sample", str(engagement.path), "--test", "C-001.T1", "--method", "sideways"])
    assert stopped.value.code == 2
    assert "'sideways' is not one of: random, systematic, haphazard, targeted, all" in capsys.readouterr().err
