"""Review pack speed on a large engagement, against writing the same workbook and copying the same bytes.

    python -m benchmarks.review_pack [--scale 20] [--repeat 3] [--extra-mb 0] [--dir /tmp]

The engagement is `fieldwork demo --scale N`; `--extra-mb` attaches one more file of that size to a test, so the
evidence's share can be seen (the demo's own files are small). The pack (`write_review_pack`: gather, the history
entry, every evidence file streamed out of the engagement file and checked against its SHA-256, flushed, the
workbook with its links, owner-only, renamed into place) is timed against a baseline that produces the same
folder the cheapest way: gather, the same workbook with the same links, and `shutil.copyfile` of each evidence
file from a plain folder extracted beforehand (not timed). The two alternate, best of `--repeat` each. The peak
memory of a whole `fieldwork export --review-pack` run is measured in a child process: it stays flat whatever the
evidence's size, as the bytes stream through one chunk at a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.common import report, run_command, time_it
from fieldwork.app.demo import create_demo
from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.review_pack import EVIDENCE, WORKBOOK, PackOptions, write_review_pack
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.services.evidence import Link, LinkKind, attach_files
from fieldwork.app.services.evidence_copies import extract_evidence
from fieldwork.app.services.testing import list_tests
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task

FIELDWORK = [sys.executable, "-m", "fieldwork.app.cli.main"]


def _extracted(db: EngagementFile, folder: Path) -> dict[str, Path]:
    """Each evidence file's plain copy, by reference: what the baseline copies from."""
    folder.mkdir()
    found = {}
    for evidence in gather(db).evidence:
        into = folder / evidence.ref
        into.mkdir()
        found[evidence.ref] = extract_evidence(db, evidence.ref, into)
    return found


def baseline(db: EngagementFile, plain: dict[str, Path], target: Path) -> None:
    """The same folder: the workbook with its links, and the same bytes copied by the operating system."""
    data = gather(db)
    (target / EVIDENCE).mkdir(parents=True)
    files = {}
    for evidence in data.evidence:
        name = f"{evidence.ref} {plain[evidence.ref].name}"
        shutil.copyfile(plain[evidence.ref], target / EVIDENCE / name)
        files[evidence.ref] = f"{EVIDENCE}/{name}"
    write_workbook(data, target / WORKBOOK, Task(), files)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extra-mb", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        work = Path(folder)
        engagement = work / "demo.fieldwork"
        create_demo(engagement, scale=args.scale).close()
        if args.extra_mb:
            big = work / "server export.bin"
            big.write_bytes(os.urandom(args.extra_mb << 20))
            db = open_engagement(engagement)
            attach_files(db, [big], [Link(LinkKind.TEST, list_tests(db)[0].id)])
            db.close()
            big.unlink()
        command = [*FIELDWORK, "export", str(engagement), "--review-pack", str(work / "cli"), "--unencrypted-ok"]
        cli_seconds, peak = run_command(command)
        db = open_engagement(engagement)
        plain = _extracted(db, work / "plain")
        pack, base = work / "pack", work / "baseline"
        pack_times, base_times = [], []
        for _ in range(args.repeat):  # alternate, so a busy moment hits both sides
            shutil.rmtree(pack, ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
            pack_times += time_it("pack", lambda: write_review_pack(db, pack, Task(), PackOptions()), 1).seconds
            base_times += time_it("baseline", lambda: baseline(db, plain, base), 1).seconds
        data = gather(db)
        db.close()
        best, floor = min(pack_times), min(base_times)
        report(
            f"Review pack, demo --scale {args.scale}"
            + (f" plus one {args.extra_mb} MiB file" if args.extra_mb else ""),
            [
                ("engagement", f"{data.counts}, {len(data.history)} history entries"),
                (
                    "evidence copied",
                    f"{len(data.evidence)} files, {sum(e.size for e in data.evidence) / 2**20:.1f} MiB",
                ),
                ("pack folder", f"{_size(pack) / 2**20:.1f} MiB (baseline's {_size(base) / 2**20:.1f} MiB)"),
                ("baseline (workbook + shutil.copyfile)", f"best {floor:.2f} s of {args.repeat}"),
                ("review pack", f"best {best:.2f} s of {args.repeat}"),
                ("ratio", f"{best / floor:.2f}x"),
                ("`fieldwork export --review-pack`, whole run", f"{cli_seconds:.2f} s, peak memory {peak:.0f} MiB"),
            ],
        )


if __name__ == "__main__":
    main()
