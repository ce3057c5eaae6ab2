"""What `verify` catches in a plain (unencrypted) file, which has no page checksums.

    python -m benchmarks.plain_file_flips [--flips 200] [--seed 7]

Each trial flips one random bit of a copy of the plain demo engagement, then asks two questions of the
same damaged copy: does opening it plus SQLite's own integrity and reference check notice (the baseline:
what `verify` checked on a plain file before), and does opening it plus `verify` as it is now notice (it
also reads every record as its type)? The figures are flips caught / flips tried for each.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import report
from fieldwork.app.demo import create_demo
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services.verify import check_sqlite, verify
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task


def structure_only(db: EngagementFile) -> bool:
    with db.reading() as conn:
        return all(finding.ok for finding in check_sqlite(conn, db, Task()))


def full_verify(db: EngagementFile) -> bool:
    return all(finding.ok for finding in verify(db))


def caught(path: Path, check: Callable[[EngagementFile], bool]) -> bool:
    try:
        with open_engagement(path, read_only=True) as db:
            return not check(db)
    except FieldworkError:
        return True  # refused on opening: noticed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="fieldwork-flips-") as folder:
        original = Path(folder) / "demo.fieldwork"
        create_demo(original).close()
        counts = {"structure": 0, "verify": 0}
        for number in range(args.flips):
            damaged = Path(folder) / f"flip-{number}.fieldwork"
            shutil.copyfile(original, damaged)
            data = bytearray(damaged.read_bytes())
            data[rng.randrange(100, len(data))] ^= 1 << rng.randrange(8)
            damaged.write_bytes(data)
            counts["structure"] += caught(damaged, structure_only)
            counts["verify"] += caught(damaged, full_verify)
            damaged.unlink()
        report(
            f"Random bit flips in the plain demo ({args.flips} flips, seed {args.seed})",
            [
                ("opening + SQLite integrity check (baseline)", f"{counts['structure']}/{args.flips} caught"),
                ("opening + verify (records read as their types)", f"{counts['verify']}/{args.flips} caught"),
            ],
        )


if __name__ == "__main__":
    main()
