"""Where the engagement is, derived from the file: nobody types it, so it cannot say "Planning" of a tested file.

- Finalized: the file was finalized (issue 16's finalize sets the marker).
- Completion: every test is concluded; what is left are the completion items finalizing checks.
- Fieldwork: testing has begun (a sample item or a conclusion recorded) and some test is not concluded.
- Planning: no testing recorded yet.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.vocabulary import EngagementStage
from fieldwork.app.domain.workpapers import Stage, Workpaper
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.engagement import read_finalized_at
from fieldwork.app.services.testing import read_tests
from fieldwork.app.services.workpapers import read_workpapers


def derive_stage(finalized_at: str | None, tests: Sequence[ControlTest], workpapers: Sequence[Workpaper]) -> Stage:
    if finalized_at:
        return Stage(EngagementStage.FINALIZED, f"Finalized on {finalized_at[:10]}.")
    open_tests = sum(t.conclusion is None for t in tests)
    if tests and not open_tests:
        items = [w for w in workpapers if w.fields.completion_item]
        done = sum(w.complete for w in items)
        return Stage(
            EngagementStage.COMPLETION,
            f"Every test is concluded; {done} of {len(items)} completion items are complete.",
        )
    if any(t.conclusion is not None or t.items_total for t in tests):
        return Stage(EngagementStage.FIELDWORK, f"{open_tests} of {len(tests)} tests are not concluded.")
    done = sum(w.complete for w in workpapers)
    return Stage(EngagementStage.PLANNING, f"No testing recorded yet; {done} of {len(workpapers)} workpapers complete.")


def read_stage(
    conn: Connection, tests: Sequence[ControlTest] | None = None, workpapers: Sequence[Workpaper] | None = None
) -> Stage:
    """The stage; `tests` and `workpapers` pass what the caller already read (the exports read them once)."""
    found_tests = read_tests(conn) if tests is None else tests
    found_workpapers = read_workpapers(conn) if workpapers is None else workpapers
    return derive_stage(read_finalized_at(conn), found_tests, found_workpapers)


def get_stage(db: Engagement) -> Stage:
    with db.reading() as conn:
        return read_stage(conn)
