"""Names from outside never steer a write, and damage to stored evidence never goes unnoticed."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.evidence_copies import (
    EvidenceDamaged,
    discard_private_copy,
    extract_evidence,
    open_private_copy,
)
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import changes
from fieldwork.app.services.safe_names import MAX_NAME_BYTES, safe_file_name
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task
from tests.conftest import PASSPHRASE, type2_details
from tests.evidence_helpers import MIB, write_file

HOSTILE = {
    "parent": ("../../x", "_.._x"),
    "backslashes": ("..\\..\\Windows\\evil.dll", "_.._Windows_evil.dll"),
    "absolute": ("/etc/passwd", "_etc_passwd"),
    "device": ("CON", "_CON"),
    "device with extension": ("nul.txt", "_nul.txt"),
    "serial port": ("COM1.csv", "_COM1.csv"),
    "printer port": ("lpt9", "_lpt9"),
    "control characters": ("a\x00b\x1b[2J\r\n.txt", "a_b_[2J__.txt"),
    "right-to-left override": ("invoice\u202egnp.exe", "invoice_gnp.exe"),
    "empty": ("", "E-0001"),
    "dots": ("..", "E-0001"),
    "spaces": ("   ", "E-0001"),
    "hidden": (".bashrc", "bashrc"),
    "trailing dot": ("report.pdf. . ", "report.pdf"),
}


def attach_named(db: EngagementFile, name: str, content: bytes = b"hello") -> ev.EvidenceFile:
    """Attach bytes under any name, as a file received inside an archive would arrive."""
    with changes(db) as ch:
        evidence_id = ev.attach_stream(ch, io.BytesIO(content), name, [], ev.Receipt(), ByteProgress(Task(), 0))
    return ev.get_evidence(db, evidence_id)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_name_is_metadata_and_the_copy_lands_inside_the_folder(
    engagement: EngagementFile, tmp_path: Path, case: str
) -> None:
    original, expected = HOSTILE[case]
    found = attach_named(engagement, original)
    assert found.original_name == original
    out = tmp_path / "out"
    out.mkdir()
    written = extract_evidence(engagement, found.ref, out)
    assert written.name == expected and written.parent == out
    assert [p.name for p in out.iterdir()] == [expected] and written.read_bytes() == b"hello"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".acme")) == ["acme.fieldwork", "out"]


def test_a_500_character_name_is_shortened_keeping_its_extension(engagement: EngagementFile, tmp_path: Path) -> None:
    original = "é" * 500 + ".pdf"
    found = attach_named(engagement, original)
    written = extract_evidence(engagement, found.ref, tmp_path)
    assert found.original_name == original
    assert written.suffix == ".pdf" and len(written.name.encode()) <= MAX_NAME_BYTES and written.parent == tmp_path


def test_every_safe_name_is_a_plain_name() -> None:
    for original, _ in HOSTILE.values():
        name = safe_file_name(original)
        assert name and "/" not in name and "\\" not in name and name not in (".", "..")
        assert all(c.isprintable() for c in name)


def test_a_private_copy_is_readable_only_by_its_owner_and_cleaned_up(engagement: EngagementFile) -> None:
    found = attach_named(engagement, "../secret plan.docx", b"plan")
    copy = open_private_copy(engagement, found.ref)
    assert copy.name == "_secret plan.docx" and copy.read_bytes() == b"plan"
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert discard_private_copy(copy) and not copy.parent.exists()
    with pytest.raises(ValueError, match="not a private copy"):
        discard_private_copy(Path("/etc/passwd"))


def flip_byte_of_a_chunk(path: Path) -> None:
    """Tamper with a stored chunk the way a tool outside the app could: plain SQL on a plain file."""
    conn = sqlite3.connect(path)
    data = bytearray(conn.execute("SELECT data FROM evidence_chunk WHERE seq = 1").fetchone()[0])
    data[4242] ^= 0x01
    conn.execute("UPDATE evidence_chunk SET data = ? WHERE seq = 1", (bytes(data),))
    conn.commit()
    conn.close()


def test_verify_names_the_file_whose_byte_was_flipped(
    engagement: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ev.attach_files(engagement, [write_file(tmp_path / "intact.csv", 100)])
    [damaged] = ev.attach_files(engagement, [write_file(tmp_path / "ledger.csv", 2 * MIB)])
    assert all(f.ok for f in verify(engagement))
    path = engagement.path
    engagement.close()
    flip_byte_of_a_chunk(path)

    db = open_engagement(path)
    try:
        failed = [f for f in verify(db) if not f.ok]
        assert [(f.check, f.detail.split(":")[0]) for f in failed] == [("evidence", "E-0002 (ledger.csv)")]
        out = tmp_path / "out"
        out.mkdir()
        with pytest.raises(EvidenceDamaged, match=r"E-0002 .* is damaged"):
            extract_evidence(db, damaged.ref, out)
        assert list(out.iterdir()) == [], "no half-written or unverified copy is left behind"
    finally:
        db.close()
    capsys.readouterr()
    assert main(["verify", str(path)]) == 1
    out_text = capsys.readouterr().out
    assert "FAIL evidence: E-0002 (ledger.csv)" in out_text and "intact.csv" not in out_text


def test_tampering_with_an_encrypted_file_is_caught_by_sqlcipher(tmp_path: Path) -> None:
    db, _ = create_engagement(tmp_path / "enc.fieldwork", type2_details(), passphrase=PASSPHRASE)
    ev.attach_files(db, [write_file(tmp_path / "payroll.csv", 3 * MIB)])
    db.close()
    path = tmp_path / "enc.fieldwork"
    with path.open("r+b") as handle:  # a byte in the middle of the evidence pages
        handle.seek(os.path.getsize(path) - 2 * MIB)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))

    db = open_engagement(path, PASSPHRASE)
    try:
        findings = {f.check: f for f in verify(db)}
    finally:
        db.close()
    assert not findings["encryption"].ok and "HMAC" in findings["encryption"].detail
    assert not findings["evidence"].ok


def test_private_copies_left_by_a_crash_are_swept_but_fresh_ones_kept(tmp_path: Path) -> None:
    import os
    import tempfile
    import time

    from fieldwork.app.services.evidence_copies import PRIVATE_PREFIX, sweep_private_copies

    old = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    (old / "ledger.csv").write_text("client data", encoding="utf-8")
    fresh = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    a_day_ago = time.time() - 24 * 3600
    os.utime(old, (a_day_ago, a_day_ago))
    try:
        assert sweep_private_copies() >= 1
        assert not old.exists() and fresh.exists()
    finally:
        import shutil

        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
