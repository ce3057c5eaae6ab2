"""Re-performing a fairness review from a decisions file: selection rates by group and the four-fifths rule.

The file comes from the client, so it is read by the population readers (`population_files.open_table`) with
their limits for hostile files, once, as a stream: only the (group, outcome) pairs are counted, a batch at a time
(`Table.pair_counts`, which splits plain CSV chunks in C), so a million decisions take well under a second and a
few megabytes.
The counts are then folded: groups compared exactly after trimming spaces, outcomes without regard to case.

`run_fairness` stores the result with the test (`fairness_results`), where the test's findings and the workpapers
show it, and records the run in the engagement's history on the test.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from fieldwork.app.domain.fairness import FOUR_FIFTHS, MIN_EXPECTED, FairnessFigures, FairnessResult, GroupRate
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.fairness_results import store_fairness_result
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_table import Pair, Table, cell_text
from fieldwork.app.services.testing import find_test_id, get_test
from fieldwork.app.tasks import Task

#: Limits that refuse a wrong column before its values fill memory: a group or outcome column holds few values.
MAX_PAIRS = 50_000
MAX_GROUPS = 1_000
MAX_OUTCOMES = 50

#: With no favourable outcome named, only a yes/no column can be read without guessing.
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


def reperform(
    source: PopulationSource,
    group_column: str,
    outcome_column: str,
    favourable: Sequence[str] = (),
    task: Task | None = None,
) -> FairnessFigures:
    """Selection rates by group from a decisions file, and each group's ratio to the most selected group.

    `favourable` names the outcome values that are favourable (any case); without it, the outcome column must
    hold yes/no, true/false or 1/0 values (see `YES`, `NO`). Refused with one sentence: a missing column
    (naming those there are), one group only, no favourable decision, a favourable value the file lacks.
    """
    if group_column == outcome_column:
        raise ValidationError("The group and the outcome must be two different columns.")
    with open_table(source) as table:
        columns = table.column_index(group_column), table.column_index(outcome_column)
        pairs = _count_pairs(table, *columns, task or Task())
        sha256, name, sheet = table.sha256(), table.name, table.sheet
    tally = _Tally.of(name, pairs)
    favoured, rule = _favourable_outcomes(name, tally, favourable)
    groups = _rates(name, group_column, tally, favoured)
    return FairnessFigures(
        source_name=name,
        sheet=sheet,
        sha256=sha256,
        group_column=group_column,
        outcome_column=outcome_column,
        favourable=tuple(tally.spelling(key) for key in tally.outcomes if key in favoured),
        rule=rule,
        outcomes=tuple(tally.spelling(key) for key in tally.outcomes),
        decisions=tally.decisions,
        left_out=tally.left_out,
        groups=groups,
        caveats=_caveats(groups, tally),
    )


def _count_pairs(table: Table, group: int, outcome: int, task: Task) -> Counter[Pair]:
    counts: Counter[Pair] = Counter()
    for batch in table.pair_counts(group, outcome):
        counts.update(batch)
        if len(counts) > MAX_PAIRS:
            raise ValidationError(
                f"{table.name}: the group and outcome columns hold more than {MAX_PAIRS:,} pairs of values; "
                "are they the right columns?"
            )
        done, total = table.progress()
        task.progress(done, total, f"{counts.total():,} decisions")
    return counts


class _Tally:
    """The counted pairs folded: decisions per group and outcome (outcomes without regard to case)."""

    def __init__(self) -> None:
        self.by_group: dict[str, Counter[str]] = {}
        self.spellings: dict[str, Counter[str]] = {}
        self.left_out = 0

    @classmethod
    def of(cls, name: str, pairs: Counter[Pair]) -> _Tally:
        tally = cls()
        for (group_cell, outcome_cell), count in pairs.items():
            group, outcome = cell_text(group_cell).strip(), cell_text(outcome_cell).strip()
            if not group or not outcome:
                tally.left_out += count
                continue
            tally.by_group.setdefault(group, Counter())[outcome.casefold()] += count
            tally.spellings.setdefault(outcome.casefold(), Counter())[outcome] += count
        if not tally.by_group:
            raise ValidationError(f"{name} holds no decision with both a group and an outcome.")
        for noun, found, limit in (("groups", tally.by_group, MAX_GROUPS), ("outcomes", tally.spellings, MAX_OUTCOMES)):
            if len(found) > limit:
                raise ValidationError(f"{name} has more than {limit:,} different {noun}; is it the right column?")
        return tally

    @property
    def outcomes(self) -> list[str]:
        """Outcome keys, most frequent first."""
        return sorted(self.spellings, key=lambda key: (-self.spellings[key].total(), key))

    def spelling(self, key: str) -> str:
        """An outcome as the file spells it most often."""
        return self.spellings[key].most_common(1)[0][0]

    @property
    def decisions(self) -> int:
        return sum(counts.total() for counts in self.by_group.values())

    def listed(self, keys: Sequence[str]) -> str:
        return ", ".join(self.spelling(key) for key in keys)


def _favourable_outcomes(name: str, tally: _Tally, given: Sequence[str]) -> tuple[frozenset[str], str]:
    """The favourable outcome keys and the sentence saying how they were chosen."""
    outcomes = tally.outcomes
    if given:
        wanted = [value.strip() for value in given if value.strip()]
        missing = [value for value in wanted if value.casefold() not in tally.spellings]
        if missing or not wanted:
            shown = ", ".join(repr(value) for value in missing) or "a blank value"
            raise ValidationError(
                f"No decision in {name} has the outcome {shown} (the outcomes are: {tally.listed(outcomes)})."
            )
        favoured = frozenset(value.casefold() for value in wanted)
        rule = (
            f"Favourable: {tally.listed([key for key in outcomes if key in favoured])}, as named (any case); "
            "every other outcome counts as unfavourable."
        )
        return favoured, rule
    unknown = [key for key in outcomes if key not in YES + NO]
    if unknown:
        raise ValidationError(
            f"The outcomes in {name} are not yes/no, true/false or 1/0 ({tally.listed(outcomes[:10])}); "
            "name the favourable outcome."
        )
    rule = (
        "No favourable outcome was named, so yes, y, true and 1 count as favourable and no, n, false and 0 as "
        "unfavourable (any case)."
    )
    return frozenset(key for key in outcomes if key in YES), rule


def _rates(name: str, column: str, tally: _Tally, favoured: frozenset[str]) -> tuple[GroupRate, ...]:
    if len(tally.by_group) < 2:
        (only,) = tally.by_group
        raise ValidationError(
            f"{name} holds decisions for one group only ({only!r} in {column!r}); "
            "selection rates can only be compared between two or more groups."
        )
    counts = {
        group: (outcomes.total(), sum(outcomes[key] for key in favoured)) for group, outcomes in tally.by_group.items()
    }
    total = sum(decisions for decisions, _ in counts.values())
    chosen = sum(favourable for _, favourable in counts.values())
    if not chosen:
        raise ValidationError(
            f"No decision in {name} is favourable, so there is no selection rate to compare the groups against."
        )
    overall = Fraction(chosen, total)
    rates = {group: Fraction(favourable, decisions) for group, (decisions, favourable) in counts.items()}
    ordered = sorted(rates, key=lambda group: (-rates[group], group))
    best = rates[ordered[0]]
    lines = []
    for group in ordered:
        decisions, favourable = counts[group]
        small = min(decisions * overall, decisions * (1 - overall)) < MIN_EXPECTED
        lines.append(GroupRate(group, decisions, favourable, rates[group], rates[group] / best, small))
    return tuple(lines)


def _caveats(groups: Sequence[GroupRate], tally: _Tally) -> tuple[str, ...]:
    found: list[str] = []
    small = [group.group for group in groups if group.small]
    if small:
        overall = Fraction(sum(g.favourable for g in groups), sum(g.decisions for g in groups))
        found.append(
            f"Small groups ({', '.join(small)}): at the overall selection rate ({percent(overall)}) each would expect "
            f"fewer than {MIN_EXPECTED} favourable or unfavourable decisions. With so few, one decision either way "
            "moves the rate and the ratio a lot, and a chi-square test of the difference is unreliable (Cochran's "
            "rule: every expected count at least 5); read their ratios as indications and test the difference "
            "exactly (Fisher's test). The Uniform Guidelines (29 CFR 1607.4(D)) also warn that the four-fifths rule "
            "can mislead on small numbers."
        )
    if tally.left_out:
        found.append(f"{tally.left_out:,} row(s) without a group or an outcome were left out.")
    return tuple(found)


# --- showing and recording ----------------------------------------------------------------------------------


def percent(rate: Fraction) -> str:
    return f"{float(rate) * 100:.2f}%"


def ratio_text(ratio: Fraction) -> str:
    """Three decimals, cut rather than rounded: a ratio shown as 0.800 is never below four fifths."""
    return f"{math.floor(ratio * 1000) / 1000:.3f}"


def figures_json(figures: FairnessFigures) -> dict[str, Any]:
    """The figures as plain JSON values (rates and ratios as decimals; the counts give them exactly)."""
    return {
        "source": figures.source_name,
        "sheet": figures.sheet,
        "sha256": figures.sha256,
        "group_column": figures.group_column,
        "outcome_column": figures.outcome_column,
        "favourable": list(figures.favourable),
        "rule": figures.rule,
        "outcomes": list(figures.outcomes),
        "decisions": figures.decisions,
        "left_out": figures.left_out,
        "reference_group": figures.reference.group,
        "four_fifths": float(FOUR_FIFTHS),
        "groups": [
            {
                "group": group.group,
                "decisions": group.decisions,
                "favourable": group.favourable,
                "selection_rate": float(group.selection_rate),
                "impact_ratio": float(group.impact_ratio),
                "below_four_fifths": group.below_four_fifths,
                "small": group.small,
            }
            for group in figures.groups
        ],
        "caveats": list(figures.caveats),
    }


def record_fairness_run(ch: Changes, test_id: Any, result: FairnessResult) -> None:
    """The run in the history, on the test: the file's name and hash, the columns, and every group's figures."""
    ch.record("re-perform fairness review", "control_test", str(test_id), figures_json(result.figures))


def run_fairness(
    db: Engagement,
    test_ref: str,
    source: PopulationSource,
    group_column: str,
    outcome_column: str,
    favourable: Sequence[str] = (),
    task: Task | None = None,
) -> FairnessResult:
    """Re-perform a fairness review for a test, store the result with it and record the run in the history.

    The test is looked up first (a wrong reference is refused before the file is read); the file is read
    outside any transaction."""
    test = get_test(db, test_ref)
    figures = reperform(source, group_column, outcome_column, favourable, task)
    with changes(db) as ch:
        test_id = find_test_id(ch.conn, test.id)
        result = FairnessResult(test.ref, ch.person, ch.at_utc, figures)
        store_fairness_result(ch, test_id, result)
        record_fairness_run(ch, test_id, result)
    return result
