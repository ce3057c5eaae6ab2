"""The references people use for controls, tests and sample items: C-001, C-001.T2, C-001.T2 #3.

Read once (`Ref.parse`) and written once (`str(ref)`): the numbering of a control's tests, the evidence a sample item
supports, the workbook's citations and what a command line names all go through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

_REF = re.compile(r"^(?P<control>.+?)(?:\.T(?P<test>\d+)(?:\s*#\s*(?P<item>\d+))?)?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Ref:
    """A control's reference, with its test's number (0: the control), with a sample item's (0: the test)."""

    control: str
    test: int = 0
    item: int = 0

    @classmethod
    def parse(cls, text: str) -> Ref:
        """Whatever is typed: "c-001.t2 # 3" is C-001.T2 #3; text that names no test is a control's reference."""
        found = _REF.match(text.strip())
        assert found is not None  # the pattern matches any text
        test, item = found["test"], found["item"]
        return cls(found["control"].upper(), int(test) if test else 0, int(item) if item else 0)

    def __str__(self) -> str:
        test = f".T{self.test}" if self.test else ""
        return f"{self.control}{test}{f' #{self.item}' if self.test and self.item else ''}"

    @property
    def test_ref(self) -> Ref:
        """The test a sample item belongs to."""
        return replace(self, item=0)


def control_test_ref(control_ref: str, number: int) -> str:
    """A control's test number `number`: C-001.T2."""
    return str(Ref(control_ref, number))


def sample_ref(test_ref: str, seq: int) -> str:
    """Sample item `seq` of a test: C-001.T2 #3."""
    return str(replace(Ref.parse(test_ref), item=seq))


def listed(refs: Iterable[str], most: int) -> str:
    """The first `most` references and how many more: "C-001, C-002 and 14 more" (a sentence names a few; the table
    or register it stands beside has them all)."""
    names = list(refs)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
