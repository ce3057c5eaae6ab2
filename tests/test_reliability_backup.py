"""`fieldwork backup`: a consistent copy while the file is in use, encrypted exactly as the original."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldwork.app.errors import EngagementFileError
from fieldwork.app.keychain import recall, remember
from fieldwork.app.services import engagement
from fieldwork.app.services.backup import back_up
from fieldwork.app.storage.engagement_file import open_engagement
from tests.reliability_helpers import PASSPHRASE, cli, new_engagement, passphrase_file

#: Another Fieldwork process that keeps committing changes until its stdin closes.
BUSY_WRITER = """
import sys, threading, time
from fieldwork.app.services import engagement
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import type2_details
db = open_engagement(sys.argv[1], sys.argv[2])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
print("ready", flush=True)
n = 0
while not stop.is_set():
    n += 1
    engagement.update_details(db, type2_details(client=f"Client revision {n}", iso_scope="x" * (n % 50000)))
    time.sleep(0.005)  # the app commits once per user action: a loop with no gap starves readers on a loaded machine
db.close()
print(n)
"""


def test_backups_taken_while_another_process_writes_are_whole_and_encrypted_as_the_original(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    remember(path, PASSPHRASE)
    writer = subprocess.Popen(
        [sys.executable, "-c", BUSY_WRITER, str(path), PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    key = passphrase_file(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    try:
        for number in range(5):
            made = cli("backup", path, backups / f"copy-{number}.fieldwork", "--passphrase-file", key)
            assert made.returncode == 0, made.stderr
            assert "encrypted: it opens with the same passphrase" in made.stdout
    finally:
        commits, _ = writer.communicate("\n")
    assert int(commits) > 5, "the writer was really writing meanwhile"
    header = path.read_bytes()[:16]
    for copy in sorted(backups.iterdir()):
        assert copy.read_bytes()[:16] == header, "the same salt: the same key, and the keychain knows it"
        assert recall(copy) == PASSPHRASE
        checked = cli("verify", copy, "--passphrase-file", key)
        assert checked.returncode == 0, checked.stdout
        assert copy.stat().st_mode & 0o777 == 0o600


def test_a_backup_into_a_folder_is_named_for_the_file_and_never_overwrites(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork")
    with open_engagement(path, PASSPHRASE) as db:
        written = back_up(db, tmp_path)
        assert written.parent == tmp_path and written.name.startswith("acme backup ")
        with pytest.raises(EngagementFileError, match="already exists"):
            back_up(db, written)
        with pytest.raises(EngagementFileError, match="is the engagement itself"):
            back_up(db, path)
    with open_engagement(written, PASSPHRASE) as copy:
        assert engagement.get_details(copy).client == "Acme Analytics"
