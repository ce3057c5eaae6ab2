"""How long the GUI thread ever stops answering, and how fast the app starts.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.gui_stalls [--scale 20] [--file F] [--profile N]

A 5 ms timer heartbeat runs on the GUI thread through a day's steps on the `--scale` demo: opening the
engagement, the other pages built in idle moments, typing in the navigator's filter key by key at a typist's
pace, opening every page (and switching back), typing in the control matrix's filter,
recording 25 sample results in a row on a test's grid, and the review: changing a control nobody signed,
signing it, changing the signed control, signing a test and recording a result on it. The worst gap between
beats, less the interval, is the step's worst stall; the goal is under 50 ms for every step (issues 16 and 20).
Two baselines come first, measured in the same run: the heartbeat with nothing to do (the machine's own noise),
and while the worker reads the dashboard with the GUI thread idle (the floor the GIL sets while a read runs).
`--profile N` prints the N functions that took the most time on the GUI thread in each step over the goal;
`--catch MS` prints every thread's stack whenever the GUI thread is MS late (what held it, in any thread; faulthandler
reads the other threads unsafely, so a run with it can crash: it is for finding causes, not for figures).
`--file` runs the steps on a copy of an existing engagement instead of a new demo (quicker while working).
Cold start (`benchmarks/cold_start.py`, also run here unless `--no-cold-start`): the app launched on the demo until
its workspace is usable, against a bare PySide6 window shown, each in a fresh process in the same run (goal 3x or less).
"""

from __future__ import annotations

import argparse
import cProfile
import faulthandler
import gc
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from benchmarks import cold_start
from benchmarks.common import report

BEAT_MS = 5
GOAL_MS = 50
#: A typist's pace in the filter (about eight keys a second).
KEYSTROKE_S = 0.12
RESULTS_IN_A_ROW = 25


@dataclass
class Heart:
    """Beats every BEAT_MS on the GUI thread; keeps the worst late beat of each step (and, asked, its profile)."""

    profile_steps: bool = False
    #: With --catch: how late (seconds) the GUI thread may be before every thread's stack is printed (faulthandler's
    #: watchdog needs no GIL, so it sees what holds it).
    catch: float = 0.0
    step: str = "start"
    worst: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, cProfile.Profile] = field(default_factory=dict)
    #: The cycle collector's longest pass in each step (any thread: it holds the GIL, so the GUI thread waits).
    collector: dict[str, tuple[float, int]] = field(default_factory=dict)
    last: float = 0.0
    collecting: float = 0.0

    def collected(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.collecting = time.perf_counter()
            return
        took = (time.perf_counter() - self.collecting) * 1000
        if took > self.collector.get(self.step, (0.0, 0))[0]:
            self.collector[self.step] = (took, info["generation"])

    def beat(self) -> None:
        if self.catch:
            faulthandler.dump_traceback_later(self.catch, exit=False)
        now = time.perf_counter()
        if self.last:
            late = (now - self.last) * 1000 - BEAT_MS
            self.worst[self.step] = max(self.worst.get(self.step, 0.0), late)
        self.last = now

    def begin(self, step: str) -> None:
        self.end()
        self.step = step
        self.worst.setdefault(step, 0.0)
        if self.profile_steps:
            profile = self.profiles.setdefault(step, cProfile.Profile())
            profile.enable()

    def end(self) -> None:
        if self.profile_steps and self.step in self.profiles:
            self.profiles[self.step].disable()


@dataclass(frozen=True)
class Picks:
    """What the steps open, read before the window opens (a read on the GUI thread would count as a stall)."""

    test: UUID
    control: UUID
    longest: Any  # the test with the most sample items
    sampled: UUID  # the test the results are recorded on
    first_row: int  # its first item without a result
    workpaper: UUID
    system: UUID | None


def pick(path: Path) -> Picks:
    """Read what the steps open, and give a test of operating effectiveness RESULTS_IN_A_ROW + 1 more items with
    no result yet (pasted, as a user would, before the measuring starts): the results are recorded on them."""
    from fieldwork.app.domain.records import SampleItemInput
    from fieldwork.app.domain.vocabulary import TestKind
    from fieldwork.app.services import ai_systems, testing, workpapers
    from fieldwork.app.storage.engagement_file import open_engagement

    db = open_engagement(path)
    try:
        tests = testing.list_tests(db)
        sampled = min((t for t in tests if t.kind is TestKind.OPERATING), key=lambda t: t.items_total)
        items = [SampleItemInput(f"TICKET-{n:04d}") for n in range(1, RESULTS_IN_A_ROW + 2)]
        testing.add_sample_items(db, sampled.id, items)
        systems = ai_systems.list_systems(db)
        return Picks(
            test=tests[1].id,
            control=tests[0].control_id,
            longest=max(tests, key=lambda t: t.items_total),
            sampled=sampled.id,
            first_row=sampled.items_total,
            workpaper=workpapers.list_workpapers(db)[0].id,
            system=systems[0].id if systems else None,
        )
    finally:
        db.close()


def stalls(path: Path, profile: int = 0, catch_ms: int = 0) -> list[tuple[str, str]]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from fieldwork.ui.collector import IdleCollector
    from fieldwork.ui.main_window import MainWindow

    picks = pick(path)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    os.environ["FIELDWORK_USER"] = "Owen Castellano"  # a member of the demo's team: signs without being asked
    window = MainWindow()
    window.show()
    IdleCollector(window.runner)  # as `ui.application.run_app` starts the app
    heart = Heart(profile_steps=profile > 0, catch=catch_ms / 1000)
    gc.callbacks.append(heart.collected)
    timer = QTimer(interval=BEAT_MS)
    timer.timeout.connect(heart.beat)
    timer.start()

    def settle(seconds: float = 0.3) -> None:
        """Let queued work finish while the heartbeat keeps measuring."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or window.runner.pending:
            app.processEvents()
            time.sleep(0.001)

    heart.begin("open the engagement")
    window.opener.open_path(path)
    while window.workspace is None or not window.workspace.model.rowCount():
        settle(0.05)
    settle()
    day = Day(window.workspace, heart, settle, picks)
    day.baselines()
    day.filter_navigator()
    day.every_page()
    day.record_results()
    day.review()
    heart.end()
    timer.stop()
    faulthandler.cancel_dump_traceback_later()
    gc.callbacks.remove(heart.collected)
    window.close()
    rows = [(step, f"{gap:.0f} ms{collector_pass(heart, step)}") for step, gap in heart.worst.items()]
    worst_step, worst = max(heart.worst.items(), key=lambda found: found[1])
    if profile:
        for step, gap in heart.worst.items():
            if gap >= GOAL_MS:
                print_profile(step, gap, heart.profiles[step], profile)
    return [*rows, ("worst of all", f"{worst:.0f} ms ({worst_step})")]


def collector_pass(heart: Heart, step: str) -> str:
    """The step's longest cycle collector pass, when it is a noticeable part of a stall."""
    took, generation = heart.collector.get(step, (0.0, 0))
    return f"  (collector: {took:.0f} ms, generation {generation})" if took >= BEAT_MS else ""


def print_profile(step: str, gap: float, profile: cProfile.Profile, count: int) -> None:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(count)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    print(f"\n--- {step}: worst stall {gap:.0f} ms; GUI thread, by cumulative time")
    print("\n".join(lines[-count - 1 :]))


class Day:
    """The steps a user takes, each measured on its own."""

    def __init__(self, workspace: Any, heart: Heart, settle: Callable[..., None], picks: Picks) -> None:
        self.workspace, self.heart, self.settle, self.picks = workspace, heart, settle, picks

    def step(self, name: str, action: Callable[[], object], seconds: float = 0.3) -> None:
        self.heart.begin(name)
        action()
        self.settle(seconds)

    def open(self, name: str, kind: str, key: str | UUID | None = None) -> None:
        from fieldwork.ui.context import Target

        self.step(f"page: {name}", lambda: self.workspace.open_target(Target(kind, key)))

    def type_into(self, name: str, field: Any, words: tuple[str, ...]) -> None:
        """Each word typed key by key at a typist's pace, the pause that applies it, then all of it selected and
        deleted (one step)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        def clear() -> None:
            QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClick(field, Qt.Key.Key_Backspace)

        for word in words:
            for key in word:
                self.step(f"{name}: typed {key!r} of {word!r}", partial(QTest.keyClick, field, key), KEYSTROKE_S)
            self.step(f"{name}: the pause after {word!r}", lambda: None, 0.5)
            self.step(f"{name}: cleared", clear, 0.5)

    def baselines(self) -> None:
        """The floor under every step, on this machine now: the heartbeat with nothing to do, and while the worker
        reads a large page (the dashboard's) and the GUI thread only waits for it (the worker holds the GIL
        between its switches: no change on the GUI thread can make a stall shorter than this)."""
        from fieldwork.app.pages.dashboard import load_dashboard_page
        from fieldwork.ui.workspace import VIEWS

        self.heart.begin("idle: the other pages built ahead, one per idle moment")
        while len(self.workspace.views) < len(VIEWS):
            self.settle(0.1)
        self.settle(2)  # the idle collector's pass
        self.step("baseline: nothing to do", lambda: None, 2)
        self.step(
            "baseline: the worker reads the dashboard, the GUI waits",
            lambda: self.workspace.ctx.read("", load_dashboard_page, lambda _page: None),
        )

    def filter_navigator(self) -> None:
        self.type_into("filter", self.workspace.filter, ("a", "access re", "CC6.1"))

    def every_page(self) -> None:
        from fieldwork.ui.workspace import VIEWS

        picks = self.picks
        keyed: dict[str, list[tuple[str, str | UUID | None]]] = {
            "requirement": [("CC6.1", "CC6.1"), ("A.6.2.2", "A.6.2.2")],
            "control": [("a control", picks.control)],
            "test": [("a test", picks.test), (f"a test with {picks.longest.items_total} items", picks.longest.id)],
            "workpaper": [("a workpaper", picks.workpaper)],
            "ai_systems": [("AI systems", None), *([("an AI system", picks.system)] if picks.system else [])],
        }
        for kind in VIEWS:
            for name, key in keyed.get(kind, [(kind, None)]):
                self.open(name, kind, key)
        for kind in ("dashboard", "matrix", "soa", "evidence"):  # back to pages built already
            self.open(f"{kind} again", kind)
        matrix = self.workspace.view_for("matrix")
        self.open("matrix, to filter", "matrix")
        self.type_into("matrix filter", matrix.filter, ("access",))

    def record_results(self) -> None:
        """Results typed into the sample grid one after another, each saved and shown before the next."""
        from PySide6.QtCore import Qt

        from fieldwork.app.domain.vocabulary import SampleResult

        self.open("a test to record results on", "test", self.picks.sampled)
        view = self.workspace.views["test"]
        for row in range(self.picks.first_row, self.picks.first_row + RESULTS_IN_A_ROW):
            index = view.items.index(row, 3)
            self.step(
                f"sample results: #{row + 1 - self.picks.first_row}",
                partial(view.items.setData, index, SampleResult.NO_EXCEPTION, Qt.ItemDataRole.EditRole),
            )

    def review(self) -> None:
        """Change a control nobody signed, sign it, change the signed control; sign a test, record a result on it;
        then the review pages."""
        from PySide6.QtCore import Qt

        from fieldwork.app.domain.vocabulary import SampleResult

        self.open("a control", "control", self.picks.control)
        view = self.workspace.views["control"]

        def change_owner(text: str) -> None:
            view.owner.setText(text)
            view.owner.flush()

        self.step("review: change a control nobody signed", lambda: change_owner("Chief Information Security Officer"))
        self.step("review: sign the control as preparer", view.review.sign_preparer.click)
        self.step("review: change the signed control", lambda: change_owner("Chief Information Security Officer (a)"))
        self.open("the test with results", "test", self.picks.sampled)
        test_view = self.workspace.views["test"]
        self.step("review: sign the test as preparer", test_view.review.sign_preparer.click)
        index = test_view.items.index(self.picks.first_row + RESULTS_IN_A_ROW, 3)
        self.step(
            "review: record a result on the signed test",
            lambda: test_view.items.setData(index, SampleResult.DEVIATION, Qt.ItemDataRole.EditRole),
        )
        for kind in ("changed", "notes", "dashboard"):
            self.open(f"{kind} after review", kind)


def summarised(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The 25 results as one line: the worst of them, and which it was."""
    results = [(name, value) for name, value in rows if name.startswith("sample results: ")]
    if not results:
        return rows
    worst_name, worst = max(results, key=lambda row: float(row[1].split()[0]))
    worst = worst.split("  (")[0]
    typical = statistics.median(float(value.split()[0]) for _name, value in results)
    line = (
        f"record {len(results)} sample results in a row",
        f"{worst} (at {worst_name[16:]}, median {typical:.0f} ms)",
    )
    first = rows.index(results[0])
    return [*rows[:first], line, *(row for row in rows[first:] if row not in results)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--file", type=Path, help="run the steps on a copy of this engagement (no new demo)")
    parser.add_argument("--profile", type=int, default=0, help="print N functions for each step over the goal")
    parser.add_argument(
        "--catch",
        type=int,
        default=0,
        help="print every thread's stack at a stall of MS (for finding; may crash the run)",
    )
    parser.add_argument("--no-cold-start", action="store_true", help="measure the stalls only")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as home:
        os.environ["FIELDWORK_HOME"] = home
        path = Path(home) / "large.fieldwork"
        if args.file:
            shutil.copyfile(args.file, path)
            source = f"a copy of {args.file}"
        else:
            from fieldwork.app.demo import create_demo

            create_demo(path, None, args.scale).close()
            source = f"demo --scale {args.scale}"
        found = summarised(stalls(path, args.profile, args.catch))
        report(f"Worst GUI-thread stall per step, {source} (goal under {GOAL_MS} ms)", found)
        if args.no_cold_start:
            return
        cold_start.measure(args.repeat)


if __name__ == "__main__":
    main()
