"""The review pack: the workpapers and the evidence they cite, linked by relative paths, owner-only, recorded in the
history, all or nothing, and limited by its options."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import ControlTest
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.review_pack import PackOptions, PackWritten, needs_review, write_review_pack
from fieldwork.app.services.evidence import Link, LinkKind, attach_files
from fieldwork.app.services.history import list_history
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import SignRole, sign
from fieldwork.app.services.testing import conclude
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.leftovers import temporary_name
from fieldwork.app.tasks import Cancelled, Task
from tests.xlsx_reading import records

PREPARER, REVIEWER = "Owen Castellano", "Hannah Brightwater"  # members of the demo's team


def _pack(db: EngagementFile, folder: Path, options: PackOptions | None = None) -> Path:
    target = folder / "pack"
    written = write_review_pack(db, target, Task(), options or PackOptions())
    assert written == PackWritten(target, target / "workpapers.xlsx", written.evidence_files, written.evidence_bytes)
    return target


def _file_links(workbook: Path) -> dict[str, list[tuple[str, str]]]:
    """Each sheet's links to files, as (cell, target) pairs."""
    book = load_workbook(workbook)
    return {
        sheet.title: [
            (cell.coordinate, cell.hyperlink.target)
            for row in sheet.iter_rows()
            for cell in row
            if cell.hyperlink is not None and cell.hyperlink.target
        ]
        for sheet in book.worksheets
    }


def _inside(pack: Path, base: Path, target: str) -> Path:
    """Where a relative link from a file in `base` leads; it must be a file inside the pack."""
    assert "://" not in target and not target.startswith("/"), f"{target} is not relative"
    found = (base / unquote(target)).resolve()
    assert found.is_file() and found.is_relative_to(pack.resolve()), target
    return found


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_link_opens_a_copy_of_the_evidence_inside_the_pack(demo: EngagementFile, tmp_path: Path) -> None:
    pack = _pack(demo, tmp_path)
    book = load_workbook(pack / "workpapers.xlsx")
    links = _file_links(pack / "workpapers.xlsx")
    evidence_rows = records(book["Evidence"])
    assert len(links["Evidence"]) == len(evidence_rows) == len(gather(demo).evidence) > 0

    by_ref = {row["Reference"].value: row for row in evidence_rows}
    for row in evidence_rows:
        copy = _inside(pack, pack, row["File name"].hyperlink.target)
        assert copy.name.startswith(f"{row['Reference'].value} "), "laid out by evidence reference"
        assert _sha256(copy) == row["SHA-256"].value and copy.stat().st_size == row["Size (bytes)"].value
    assert sorted(p.name for p in (pack / "evidence").iterdir()) == sorted(
        _inside(pack, pack, target).name for _, target in links["Evidence"]
    ), "the folder holds the files the workbook cites, and only those"

    for sheet in ("Tests", "Samples"):
        rows = records(book[sheet])
        cited = [row for row in rows if row["Evidence"].value]
        assert cited, f"the demo cites evidence on {sheet}"
        for row in cited:
            link = row["Evidence"].hyperlink
            assert link is not None and link.target, (sheet, row["Evidence"].coordinate)
            first = row["Evidence"].value.split(", ")[0]
            assert _sha256(_inside(pack, pack, link.target)) == by_ref[first]["SHA-256"].value
        assert all(row["Evidence"].hyperlink is None for row in rows if not row["Evidence"].value)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_links_still_resolve_after_libreoffice_converts_the_workbook(demo: EngagementFile, tmp_path: Path) -> None:
    pack = _pack(demo, tmp_path)
    converted = pack / "converted"
    expected = {_sha256(path) for path in (pack / "evidence").iterdir()}
    for kind in ("xlsx", "ods"):
        subprocess.run(
            [
                *("soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless"),
                *("--convert-to", kind, "--outdir", str(converted), str(pack / "workpapers.xlsx")),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    xlsx_links = [target for found in _file_links(converted / "workpapers.xlsx").values() for _, target in found]
    assert {_sha256(_inside(pack, converted, target)) for target in xlsx_links} == expected
    with zipfile.ZipFile(converted / "workpapers.ods") as package:
        content = ElementTree.fromstring(package.read("content.xml"))
    href = "{http://www.w3.org/1999/xlink}href"
    ods_links = [e.get(href, "") for e in content.iter() if not e.get(href, "#").startswith("#")]
    # an OpenDocument link is relative to the package, as if the .ods file were a folder
    assert {_sha256(_inside(pack, converted / "workpapers.ods", target)) for target in ods_links} == expected
    assert len(ods_links) >= len(xlsx_links) > 0


def test_the_pack_is_owner_only_and_recorded_in_the_history(demo: EngagementFile, tmp_path: Path) -> None:
    pack = _pack(demo, tmp_path, PackOptions(key_controls_only=True))
    for place in [pack, *pack.rglob("*")]:
        mode = stat.S_IMODE(place.stat().st_mode)
        assert mode == (0o700 if place.is_dir() else 0o600), (place, oct(mode))
    (entry,) = [entry for entry in list_history(demo) if entry.action == "export_review_pack"]
    assert entry.item_id == demo.path.name
    assert entry.new_values == {
        "target": str(pack.absolute()),
        "evidence_files": len(list((pack / "evidence").iterdir())),
        "limited_to": "key controls",
    }


def _cancel_after(calls: int) -> Task:
    task = Task()
    seen = [0]

    def progress(done: int, total: int, label: str) -> None:
        seen[0] += 1
        if seen[0] >= calls:
            task.cancel()

    task._on_progress = progress
    return task


@pytest.mark.parametrize("calls", [1, 3, 8])
def test_a_cancel_leaves_nothing(demo: EngagementFile, tmp_path: Path, calls: int) -> None:
    big = tmp_path / "source" / "export.bin"
    big.parent.mkdir()
    big.write_bytes(os.urandom(3 << 20))  # three chunks: a cancel between them, inside the evidence copy
    test = next(t for t in gather(demo).tests if t.conclusion is not None)
    attach_files(demo, [big], [Link(LinkKind.TEST, test.id)])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        write_review_pack(demo, out / "pack", _cancel_after(calls), PackOptions())
    assert list(out.iterdir()) == [], "no pack, no temporary folder, no temporary file"


def test_a_killed_writers_folder_is_swept_by_the_next_pack(demo: EngagementFile, tmp_path: Path) -> None:
    ours = temporary_name(tmp_path / "earlier", "pack")  # .earlier.pack~MACHINE~PID
    dead = ours.with_name(f"{ours.name.rsplit('~', 1)[0]}~999999~k2x")  # a process that is gone
    (dead / "evidence").mkdir(parents=True)
    (dead / "evidence" / "E-0001 secret.txt").write_text("client data")
    _pack(demo, tmp_path)
    assert not dead.exists() and (tmp_path / "pack" / "workpapers.xlsx").is_file()
    assert not [p.name for p in tmp_path.iterdir() if ".pack~" in p.name], "nor any temporary of the pack written"


def _sign_both(db: EngagementFile, kind: ItemType, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDWORK_USER", PREPARER)
    sign(db, kind, key, SignRole.PREPARER)
    monkeypatch.setenv("FIELDWORK_USER", REVIEWER)
    sign(db, kind, key, SignRole.REVIEWER)


def _unsigned(data: ReportData) -> list[ControlTest]:
    """Concluded tests that neither they nor their control carry a sign-off yet (the demo has signed some)."""

    def bare(kind: ItemType, key: str) -> bool:
        state = data.signoffs[kind].get(key)
        return state is None or (state.preparer is None and state.reviewer is None)

    return [
        t
        for t in data.tests
        if t.conclusion is not None and bare(ItemType.TEST, str(t.id)) and bare(ItemType.CONTROL, str(t.control_id))
    ]


def test_a_signed_test_whose_sample_items_have_evidence_is_not_stale(
    demo: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read alone or with every other test, a test's content is the same (it once took in every test's item
    evidence when read in bulk, so each such test read as changed after review the moment it was signed)."""
    data = gather(demo)
    cited = {ref.split(" #")[0] for found in data.evidence for ref in found.used_by if " #" in ref}
    test = next(t for t in _unsigned(data) if t.ref in cited)
    _sign_both(demo, ItemType.TEST, str(test.id), monkeypatch)
    state = gather(demo).signoffs[ItemType.TEST][str(test.id)]
    assert state.complete and not state.stale


def test_key_controls_only_limits_the_rows_and_the_evidence(demo: EngagementFile, tmp_path: Path) -> None:
    data = gather(demo)
    pack = _pack(demo, tmp_path, PackOptions(key_controls_only=True))
    book = load_workbook(pack / "workpapers.xlsx")
    controls = records(book["Controls"])
    key = {c.ref for c in data.controls if c.is_key}
    assert {row["Reference"].value for row in controls} == key and 0 < len(key) < len(data.controls)
    tests = {row["Reference"].value for row in records(book["Tests"])}
    assert tests == {t.ref for t in data.tests if t.control_ref in key}
    assert {row["Test"].value for row in records(book["Samples"])} <= tests
    cited = key | tests | {f"{row['Test'].value} #{row['Item'].value}" for row in records(book["Samples"])}
    evidence = {row["Reference"].value for row in records(book["Evidence"])}
    assert evidence == {e.ref for e in data.evidence if cited.intersection(e.used_by)}
    assert evidence < {e.ref for e in data.evidence}, "the demo has evidence outside key controls"
    assert len(list((pack / "evidence").iterdir())) == len(evidence)
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    assert index["Rows limited to"] == "key controls"
    assert (index["Controls"], index["Tests"], index["Evidence files"]) == (len(key), len(tests), len(evidence))


def test_changed_since_review_keeps_what_a_reviewer_still_has_to_look_at(
    demo: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = gather(demo)
    reviewed = _unsigned(data)[0]
    changed = next(t for t in _unsigned(data) if t.control_id != reviewed.control_id)
    for test in (reviewed, changed):
        _sign_both(demo, ItemType.TEST, str(test.id), monkeypatch)
        _sign_both(demo, ItemType.CONTROL, str(test.control_id), monkeypatch)
    conclude(demo, changed.id, changed.conclusion, "Re-performed after the client's correction.")  # now stale
    states = gather(demo).signoffs[ItemType.TEST]
    assert not needs_review(states[str(reviewed.id)]) and needs_review(states[str(changed.id)])
    assert any(not needs_review(states[str(t.id)]) for t in data.tests if t.id != reviewed.id), "the demo's review"

    pack = _pack(demo, tmp_path, PackOptions(changed_since_review=True))
    book = load_workbook(pack / "workpapers.xlsx")
    tests = {row["Reference"].value for row in records(book["Tests"])}
    assert changed.ref in tests and reviewed.ref not in tests
    assert tests == {t.ref for t in data.tests if needs_review(states[str(t.id)])}, "never reviewed: still to look at"
    assert reviewed.ref not in {row["Test"].value for row in records(book["Samples"])}


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) != 0
    return capsys.readouterr().err


def test_the_command_line_wants_the_unencrypted_pack_confirmed(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.close()
    target = tmp_path / "pack"
    command = ["export", str(demo.path), "--review-pack", str(target)]
    assert "--unencrypted-ok" in _refused(command, capsys)
    assert not target.exists()
    assert "--review-pack" in _refused(["export", str(demo.path), "--key-controls-only"], capsys)
    assert main([*command, "--unencrypted-ok", "--key-controls-only"]) == 0
    out = capsys.readouterr().out
    assert "UNENCRYPTED" in out and "limited to key controls" in out
    assert (target / "workpapers.xlsx").is_file()
    assert "already exists" in _refused([*command, "--unencrypted-ok"], capsys)


def test_a_pack_without_evidence_still_writes_the_workbook(engagement: EngagementFile, tmp_path: Path) -> None:
    pack = _pack(engagement, tmp_path)
    assert list((pack / "evidence").iterdir()) == []
    assert records(load_workbook(pack / "workpapers.xlsx")["Controls"]) == []
