"""Shared measuring tools for the benchmark scripts.

Every figure is quoted as a ratio against a baseline measured in the same run, on the
same machine, so a busy shared machine moves both sides together. Peak memory is
measured in a child process (its own `ru_maxrss`), so one measurement never inherits
another's high-water mark.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: list[float]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_it(
    label: str, action: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None
) -> Timing:
    """Run `action` `repeat` times (after `setup` each time) and keep every wall-clock time."""
    seconds = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return Timing(label, seconds)


def run_command(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command: (wall seconds, peak resident memory of the command in MiB).

    A fresh wrapper interpreter runs it, so the peak is this command's alone.
    """
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([done.returncode, elapsed, peak, done.stderr[-2000:]]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    returncode, elapsed, peak, stderr = json.loads(completed.stdout.strip().splitlines()[-1])
    if returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr.strip()}")
    return float(elapsed), float(peak)


def peak_memory_of(code: str, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run Python `code` in a fresh interpreter; it prints a JSON dict; add its peak RSS (MiB)."""
    wrapper = (
        "import json, resource, sys\n"
        f"{code}\n"
        "result['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", wrapper], env={**os.environ, **(env or {})}, capture_output=True, text=True, cwd=ROOT
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip())
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def best_of(repeat: int, run: Callable[[int], dict[str, float]]) -> dict[str, float]:
    """The fastest of `repeat` child runs (by "seconds"), with the highest peak memory any of them reached."""
    runs = [run(number) for number in range(repeat)]
    fastest = min(runs, key=lambda found: found["seconds"])
    return {**fastest, "peak_mib": max(found["peak_mib"] for found in runs)}


def report(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """Print a small aligned table: the figures a note quotes."""
    print(f"\n{title}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
