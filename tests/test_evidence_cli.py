"""`fieldwork evidence add | list | extract`, as a script uses them, on plain and encrypted files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.services.engagement import create_engagement
from tests.conftest import PASSPHRASE, type2_details
from tests.evidence_helpers import make_items, sha256_of, write_file


@pytest.fixture(params=["plain", "encrypted"])
def engagement_path(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    passphrase = PASSPHRASE if request.param == "encrypted" else None
    if passphrase:
        monkeypatch.setenv("FIELDWORK_PASSPHRASE", passphrase)
    db, _ = create_engagement(tmp_path / "acme.fieldwork", type2_details(), passphrase=passphrase)
    make_items(db)
    db.close()
    return tmp_path / "acme.fieldwork"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_and_extract(engagement_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = write_file(tmp_path / "users.csv", 1_500_000), write_file(tmp_path / "policy.pdf", 2000)
    file = str(engagement_path)
    code, out, _ = run(
        capsys, "evidence", "add", file, str(a), str(b), "--control", "c-001", "--test", "C-001.T2",
        "--request", "PBC-001", "--received", "2026-10-01", "--provided-by", "CISO",
    )  # fmt: skip
    assert code == 0 and out.splitlines()[0].startswith("E-0001  users.csv  1,500,000 bytes")

    code, out, _ = run(capsys, "evidence", "list", file, "--json")
    listed = json.loads(out)
    assert code == 0 and [f["ref"] for f in listed] == ["E-0001", "E-0002"]
    assert listed[0]["sha256"] == sha256_of(a) and listed[0]["received_date"] == "2026-10-01"
    assert listed[0]["used_by"] == ["C-001", "C-001.T2", "PBC-001"] and listed[0]["provided_by"] == "CISO"
    code, out, _ = run(capsys, "evidence", "list", file)
    assert code == 0 and "users.csv  [C-001, C-001.T2, PBC-001]" in out and "2 file(s)." in out

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, _ = run(capsys, "evidence", "extract", file, "E-0001", "--to", str(out_dir))
    assert code == 0 and (out_dir / "users.csv").read_bytes() == a.read_bytes()
    assert run(capsys, "verify", file)[0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("add", "{file}", "{missing}"), "does not exist"),
        (("add", "{file}", "{present}", "--control", "C-999"), "There is no control C-999"),
        (("add", "{file}", "{present}", "--request", "PBC-404"), "There is no PBC request PBC-404"),
        (("extract", "{file}", "E-0042", "--to", "{folder}"), "There is no evidence E-0042"),
        (("extract", "{file}", "report.pdf", "--to", "{folder}"), "not an evidence reference like E-0001"),
        (("extract", "{file}", "1", "--to", "{missing}"), "is not a folder"),
    ],
)
def test_mistakes_get_one_sentence_and_change_nothing(
    engagement_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    present = write_file(tmp_path / "present.txt", 10)
    names = {"file": engagement_path, "missing": tmp_path / "missing", "present": present, "folder": tmp_path}
    before = engagement_path.read_bytes()
    code, _out, err = run(capsys, "evidence", *(part.format(**names) for part in argv))
    assert code != 0 and message in err and "Traceback" not in err
    assert err.startswith("fieldwork: ") and err.count("\n") == 1
    assert engagement_path.read_bytes() == before


def test_add_links_a_sample_item_named_as_people_write_it(
    engagement_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file, shot = str(engagement_path), write_file(tmp_path / "ticket.png", 900)

    code, _, err = run(capsys, "evidence", "add", file, str(shot), "--sample-item", "c-001.t2#3")
    assert code == 0, err
    code, out, _ = run(capsys, "evidence", "list", file)
    assert "ticket.png  [C-001.T2 #3]" in out

    code, _, err = run(capsys, "evidence", "add", file, str(shot), "--sample-item", "C-001.T2 #9")
    assert code != 0 and "There is no sample item C-001.T2 #9 in this engagement." in err
