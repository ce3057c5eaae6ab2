"""One writer per file: a second Fieldwork process that would change the file is refused and told who has it."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fieldwork.app.errors import FileInUseError, ReadOnlyError, WrongPassphrase
from fieldwork.app.services import engagement, security
from fieldwork.app.services.history import list_history
from fieldwork.app.storage import encryption
from fieldwork.app.storage.database import connect
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import type2_details
from tests.reliability_helpers import (
    PASSPHRASE,
    cli,
    engagement_with_a_test,
    hold,
    new_engagement,
    passphrase_file,
    small_disk,
)

__all__ = ["small_disk"]

NEW = "a quite different passphrase for the file"


def test_a_second_writer_is_told_who_has_the_file(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    holder = hold(path)
    try:
        with pytest.raises(FileInUseError, match=rf"open for changes by Test Auditor \(TA\) on {socket.gethostname()}"):
            open_engagement(path, PASSPHRASE)
        readable = open_engagement(path, PASSPHRASE, read_only=True)
        assert engagement.get_details(readable).client == "Acme Analytics"
        with pytest.raises(ReadOnlyError, match="read-only"):
            engagement.update_details(readable, type2_details(client="Changed"))
        readable.close()
    finally:
        holder.communicate("")
    open_engagement(path, PASSPHRASE).close()  # free again once the holder closes


def test_a_holder_that_died_is_taken_over(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    holder = hold(path)
    holder.kill()
    holder.wait()
    db = open_engagement(path, PASSPHRASE)
    assert db.took_over is not None and db.took_over.pid == holder.pid
    db.close()


def test_rekeying_is_refused_while_another_process_writes(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    key = passphrase_file(tmp_path)
    new = passphrase_file(tmp_path, NEW)
    holder = hold(path)
    try:
        changed = cli("passphrase", path, "--passphrase-file", key, "--new-passphrase-file", new, "--no-remember")
    finally:
        holder.communicate("")
    assert changed.returncode == 1
    assert "is open for changes by Test Auditor" in changed.stderr
    open_engagement(path, PASSPHRASE).close()  # the old passphrase still opens it


@dataclass
class PausedRekey:
    """A re-key in this process, stopped between its copy and its rename until `finish()`."""

    path: Path
    go_on: threading.Event
    worker: threading.Thread
    result: list[object]

    def finish(self) -> None:
        self.go_on.set()
        self.worker.join()
        reopened, _warning = self.result[0]  # type: ignore[misc]
        reopened.close()


@pytest.fixture
def paused_rekey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PausedRekey]:
    path = new_engagement(tmp_path / "acme.fieldwork")
    reached, go_on = threading.Event(), threading.Event()
    check = encryption.check_opens

    def slow_check(*args: object) -> None:
        check(*args)  # type: ignore[arg-type]
        reached.set()
        go_on.wait(60)

    monkeypatch.setattr(encryption, "check_opens", slow_check)
    result: list[object] = []
    db = open_engagement(path, PASSPHRASE)
    worker = threading.Thread(target=lambda: result.append(security.change_passphrase(db, NEW, remember_it=False)))
    worker.start()
    assert reached.wait(60)
    paused = PausedRekey(path, go_on, worker, result)
    yield paused
    if worker.is_alive():
        paused.finish()


def test_a_writer_fails_clearly_while_the_file_is_rekeyed(paused_rekey: PausedRekey, tmp_path: Path) -> None:
    path = paused_rekey.path
    note = tmp_path / "note.txt"
    note.write_text("walkthrough notes", encoding="utf-8")
    added = cli("evidence", "add", path, note, "--passphrase-file", passphrase_file(tmp_path))
    assert added.returncode == 1, added.stdout
    assert "is open for changes by Test Auditor" in added.stderr
    third = passphrase_file(tmp_path, "yet another passphrase entirely")
    key = passphrase_file(tmp_path)
    second = cli("passphrase", path, "--passphrase-file", key, "--new-passphrase-file", third, "--no-remember")
    assert second.returncode == 1 and "is open for changes" in second.stderr
    paused_rekey.finish()
    with pytest.raises(WrongPassphrase):
        open_engagement(path, PASSPHRASE)
    with open_engagement(path, NEW) as db:
        assert {entry.item_type for entry in list_history(db)} >= {"engagement_file"}
        assert "evidence" not in {entry.item_type for entry in list_history(db)}


def test_a_program_ignoring_the_lock_cannot_commit_during_a_rekey(paused_rekey: PausedRekey) -> None:
    rogue = connect(paused_rekey.path, PASSPHRASE)
    rogue.execute("PRAGMA busy_timeout = 200")
    with pytest.raises(Exception, match="locked"):
        rogue.execute("BEGIN IMMEDIATE")
    rogue.close()


def test_a_read_only_disk_opens_read_only_and_says_so(small_disk: Path, tmp_path: Path) -> None:
    path, (test_id, *_key) = engagement_with_a_test(small_disk, encrypted=False)
    population = tmp_path / "changes.csv"
    population.write_text("Ticket,Date\nCHG-1,2026-02-01\n", encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    sampled = cli("sample", path, "--test", test_id, "--population", population)
    assert sampled.returncode == 1
    assert (
        "acme.fieldwork can only be read here (the disk or folder is read-only); nothing was changed." in sampled.stderr
    )
    db = open_engagement(path)
    assert db.read_only == "the disk or folder is read-only"
    with pytest.raises(ReadOnlyError, match=r"acme\.fieldwork is open read-only \(the disk or folder is read-only\)"):
        engagement.update_details(db, type2_details(client="Changed"))
    assert engagement.get_details(db).client == "Acme Analytics"
    db.close()
