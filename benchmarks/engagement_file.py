"""Creating and opening engagement files, and what encryption costs.

    python -m benchmarks.engagement_file [--scale 20] [--repeat 3]

1. Creating the `--scale` demo engagement, against a raw `sqlite3` `executemany` of the
   very same rows (read back from the file just made) into the same schema, with the same
   page size, journal mode and durability, in the same run.
2. `fieldwork info` on the scaled engagement against `fieldwork info` on the plain demo:
   opening must not grow with the engagement.
3. Encryption: creating, opening and querying the scaled engagement encrypted against an
   unencrypted file of the same content.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import report, run_command, time_it
from fieldwork.app.demo import create_demo
from fieldwork.app.services.overview import overview
from fieldwork.app.services.testing import list_tests
from fieldwork.app.storage.database import PAGE_SIZE
from fieldwork.app.storage.engagement_file import open_engagement

PASSPHRASE = "benchmark passphrase with four words"


def raw_copy(source: Path, target: Path) -> None:
    """Insert every row of `source` into a new file with plain sqlite3, table by table."""
    with sqlite3.connect(source) as reader:
        schema = [sql for (sql,) in reader.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
        tables = [name for (name,) in reader.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {name: reader.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables}
    reader.close()

    def write() -> None:
        target.unlink(missing_ok=True)
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN")
        for statement in schema:
            conn.execute(statement)
        for name, values in rows.items():
            if values:
                marks = ", ".join("?" * len(values[0]))
                conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', values)
        conn.execute("COMMIT")
        conn.close()

    raw_copy.write = write  # type: ignore[attr-defined]


def creation(folder: Path, scale: int, repeat: int) -> list[tuple[str, str]]:
    target = folder / "created.fieldwork"

    def make() -> None:
        target.unlink(missing_ok=True)
        create_demo(target, None, scale).close()

    ours = time_it("fieldwork", make, repeat)
    raw_copy(target, folder / "raw.sqlite")
    baseline = time_it("raw sqlite3 executemany", raw_copy.write, repeat)  # type: ignore[attr-defined]
    with sqlite3.connect(target) as conn:
        total = sum(
            conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        )
    conn.close()
    return [
        ("rows written", f"{total:,}"),
        ("create demo --scale (best)", f"{ours.best:.3f} s"),
        ("raw sqlite3 executemany, same rows (best)", f"{baseline.best:.3f} s"),
        ("ratio", f"{ours.best / baseline.best:.2f}x (goal 4x or less)"),
    ]


def info_timing(path: Path, repeat: int) -> float:
    command = [sys.executable, "-m", "fieldwork.app.cli.main", "info", str(path)]
    return statistics.median(run_command(command)[0] for _ in range(repeat))


def opening(folder: Path, scale: int, repeat: int) -> list[tuple[str, str]]:
    plain, large = folder / "plain.fieldwork", folder / "large.fieldwork"
    create_demo(plain).close()
    create_demo(large, None, scale).close()
    small_time, large_time = info_timing(plain, repeat), info_timing(large, repeat)
    return [
        ("fieldwork info, demo (median)", f"{small_time:.3f} s"),
        (f"fieldwork info, demo --scale {scale} (median)", f"{large_time:.3f} s"),
        ("ratio", f"{large_time / small_time:.2f}x (goal 2x or less)"),
    ]


def encryption(folder: Path, scale: int, repeat: int) -> list[tuple[str, str]]:
    rows = []
    paths = {key: folder / f"{name}.fieldwork" for key, name in ((None, "plain"), (PASSPHRASE, "encrypted"))}
    timings = {}
    for key, path in paths.items():

        def make(key: str | None = key, path: Path = path) -> None:
            path.unlink(missing_ok=True)
            create_demo(path, key, scale).close()

        def open_close(key: str | None = key, path: Path = path) -> None:
            open_engagement(path, key).close()

        def query(key: str | None = key, path: Path = path) -> None:
            db = open_engagement(path, key)
            overview(db)
            list_tests(db)
            db.close()

        timings[key] = [
            time_it(n, f, repeat).best for n, f in (("create", make), ("open", open_close), ("query", query))
        ]
    for index, name in enumerate(("create", "open", "open + overview + every test")):
        plain, encrypted = timings[None][index], timings[PASSPHRASE][index]
        rows.append((f"{name}: plain / encrypted", f"{plain:.3f} s / {encrypted:.3f} s = {encrypted / plain:.2f}x"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        report(f"Creating the demo engagement at --scale {args.scale}", creation(folder, args.scale, args.repeat))
        report("Opening: fieldwork info", opening(folder, args.scale, max(args.repeat, 5)))
        report(f"Encryption cost at --scale {args.scale}", encryption(folder, args.scale, args.repeat))


if __name__ == "__main__":
    main()
