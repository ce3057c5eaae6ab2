"""A full disk during a write: the user is told in a sentence, and the file opens afterwards as it was."""

from __future__ import annotations

import json
from pathlib import Path

from fieldwork.app.storage.engagement_file import open_engagement
from tests.evidence_helpers import write_file
from tests.reliability_helpers import cli, engagement_with_a_test, fill, small_disk
from tests.sampling_helpers import ticket_rows, write_csv

__all__ = ["small_disk"]


def info(path: Path, key: list[str]) -> dict[str, object]:
    shown = cli("info", path, "--json", *key)
    assert shown.returncode == 0, shown.stderr
    document: dict[str, object] = json.loads(shown.stdout)
    return document


def test_disk_full_while_attaching_evidence_leaves_the_file_openable(small_disk: Path, tmp_path: Path) -> None:
    path, (_test, *key) = engagement_with_a_test(small_disk, encrypted=True)
    before = info(path, key)
    big = write_file(tmp_path / "scan.pdf", 30 << 20)
    added = cli("evidence", "add", path, big, *key)
    assert added.returncode == 1
    assert "the disk is full" in added.stderr
    after = info(path, key)
    assert after["counts"] == before["counts"]
    checked = cli("verify", path, *key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not path.with_name(path.name + "-journal").exists()


def test_disk_full_while_importing_a_population_leaves_the_file_openable(small_disk: Path, tmp_path: Path) -> None:
    path, (test_id, *key) = engagement_with_a_test(small_disk, encrypted=False)
    rows = [(ident, day.isoformat(), "x" * 80) for ident, day in ticket_rows(30_000)]  # kept as evidence too
    population = write_csv(tmp_path / "changes.csv", ["Ticket", "Date", "Summary"], rows)
    filler = fill(small_disk, leave=2 << 20)
    imported = cli("sample", path, "--test", test_id, "--population", population, *key)
    assert imported.returncode == 1, imported.stderr
    assert "the disk is full" in imported.stderr
    filler.unlink()  # space freed: the work can go on
    again = cli("sample", path, "--test", test_id, "--population", population, "--seed", "1", *key)
    assert again.returncode == 0, again.stderr
    with open_engagement(path) as db, db.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
