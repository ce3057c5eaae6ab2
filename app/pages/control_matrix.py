"""The control matrix: every control on one line with its owner, frequency, key flag, tests and status.

The page a senior reaches for first: sorted and filtered on screen, so one read gives everything and
`matches` (the filter) is a plain function the view applies to each line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.records import Control
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.status import counted, read_test_states, statuses_of_controls
from fieldwork.app.services.testing import read_tests


@dataclass(frozen=True)
class MatrixLine:
    control: Control
    tests: int
    tests_concluded: int  # tests with a conclusion recorded (exceptions noted or not)
    deviations: int
    status: Status

    @property
    def id(self) -> ControlId:
        return self.control.id

    @property
    def search(self) -> str:
        """What the filter looks in: reference, title, owner, frequency, requirements."""
        c = self.control
        return " ".join((c.ref, c.title, c.owner, c.frequency.label, *c.requirements)).lower()


@dataclass(frozen=True)
class ControlMatrixPage:
    lines: tuple[MatrixLine, ...]


def read_control_matrix_page(conn: Connection) -> ControlMatrixPage:
    report_type = read_details(conn).report_type
    tests = read_tests(conn)
    states = list(read_test_states(conn).values())
    statuses = statuses_of_controls([s for s in states if counted(s, report_type)], report_type)
    count = Counter(t.control_id for t in tests)
    concluded = Counter(t.control_id for t in tests if t.conclusion is not None)
    deviations: Counter[ControlId] = Counter()
    for test in tests:
        deviations[test.control_id] += test.deviation_count
    return ControlMatrixPage(
        tuple(
            MatrixLine(c, count[c.id], concluded[c.id], deviations[c.id], statuses.get(c.id, Status.NOT_STARTED))
            for c in read_controls(conn)
        )
    )


def load_control_matrix_page(db: Engagement) -> ControlMatrixPage:
    with db.reading() as conn:
        return read_control_matrix_page(conn)


def matches(line: MatrixLine, text: str, status: Status | None = None, key_only: bool = False) -> bool:
    """Whether a line passes the filter: every typed word found, the status chosen (if any), key controls only."""
    if key_only and not line.control.is_key:
        return False
    if status is not None and line.status is not status:
        return False
    return all(word in line.search for word in text.lower().split())
