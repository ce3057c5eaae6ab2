"""Nothing from an engagement reaches a plain file on disk: the bug log holds types and code lines only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldwork.app.bug_log import LOG_NAME
from fieldwork.app.cli.main import main
from fieldwork.app.paths import data_dir
from fieldwork.app.services import engagement, judged
from tests.conftest import type2_details
from tests.reliability_helpers import PASSPHRASE, passphrase_file

CLIENT = "Zyxwvut Confidential Holdings"


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    """Each test's log goes to its own home, as a new process's would."""
    yield
    for handler in logging.getLogger("fieldwork").handlers[:]:
        logging.getLogger("fieldwork").removeHandler(handler)
        handler.close()


def test_a_bug_over_an_encrypted_file_logs_no_client_text_in_an_owner_only_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "secret.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(client=CLIENT), passphrase=PASSPHRASE)
    db.close()
    log = data_dir() / LOG_NAME
    log.write_text("")
    log.chmod(0o644)  # as an earlier version left it

    def broken(conn: object) -> None:
        client = engagement.read_details(conn).client  # type: ignore[arg-type]
        raise RuntimeError(f"could not summarise {client}")

    monkeypatch.setattr(judged, "read_judgements", broken)
    assert main(["info", str(path), "--passphrase-file", str(passphrase_file(tmp_path))]) == 70
    assert CLIENT in capsys.readouterr().err, "the person at the terminal sees the message"
    written = log.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in written and "in broken" in written
    assert CLIENT not in written and "Zyxwvut" not in written
    assert log.stat().st_mode & 0o777 == 0o600
