"""`fieldwork demo`, `new`, `info` and friends, as a script or a newcomer would use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fieldwork import app
from fieldwork.app.catalog import load_catalog
from fieldwork.app.cli.main import main
from fieldwork.app.demo import load_demo_content
from fieldwork.app.domain.vocabulary import Framework, RequirementKind

SECURITY_AVAILABILITY_CONFIDENTIALITY = ("Security", "Availability", "Confidentiality")


def info_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["info", str(path), "--json"]) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def test_the_demo_covers_every_in_scope_criterion_and_iso_requirement(
    demo_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = info_json(demo_template, capsys)
    coverage = doc["coverage"]
    assert isinstance(coverage, dict)
    catalog = load_catalog()
    criteria = {
        i.code
        for i in catalog.items
        if i.framework is Framework.SOC2 and i.category in SECURITY_AVAILABILITY_CONFIDENTIALITY
    }
    iso = {i.code for i in catalog.items if i.kind in (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL)}
    excluded = {line["control"] for line in load_demo_content()["soa"] if not line["included"]}
    assert excluded and excluded <= iso
    assert set(coverage["soc2"]["in_scope"]) == criteria and coverage["soc2"]["excluded"] == []
    assert set(coverage["iso42001"]["in_scope"]) == iso - excluded  # excluded in the SoA: not in scope
    assert set(coverage["iso42001"]["excluded"]) == excluded
    assert coverage["soc2"]["uncovered"] == [] and coverage["iso42001"]["uncovered"] == []


def test_the_demo_is_a_realistic_type2_with_open_items_and_exceptions(
    demo_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = info_json(demo_template, capsys)
    engagement = doc["engagement"]
    assert isinstance(engagement, dict) and isinstance(doc["counts"], dict)
    assert engagement["report_type"] == "type2"
    assert engagement["tsc_categories"] == list(SECURITY_AVAILABILITY_CONFIDENTIALITY)
    statuses = set(doc["requirements"].values())  # type: ignore[union-attr]
    assert {"concluded", "exceptions", "in_progress", "excluded"} <= statuses
    assert 4 <= doc["counts"]["deviations"] <= 8
    excluded = [line for line in load_demo_content()["soa"] if not line["included"]]
    assert excluded and all(line["justification"].strip() for line in excluded)


def test_every_control_and_test_is_listed_with_its_id(demo_template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = info_json(demo_template, capsys)
    controls, tests = doc["controls"], doc["tests"]
    assert isinstance(controls, list) and isinstance(tests, list)
    assert len(controls) == doc["counts"]["controls"]  # type: ignore[index]
    assert len(tests) == doc["counts"]["tests"]  # type: ignore[index]
    assert all(t["ref"].startswith(t["control"] + ".T") and uuid.UUID(t["id"]).version == 7 for t in tests)


def test_scale_multiplies_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, three = tmp_path / "one.fieldwork", tmp_path / "three.fieldwork"
    assert main(["demo", str(one), "--unencrypted"]) == 0
    assert main(["demo", str(three), "--unencrypted", "--scale", "3"]) == 0
    small, large = info_json(one, capsys)["counts"], info_json(three, capsys)["counts"]
    assert isinstance(small, dict) and isinstance(large, dict)
    for name in ("controls", "tests", "sample_items", "deviations"):
        assert large[name] == 3 * small[name]


def test_new_validates_and_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.fieldwork"
    code = main(
        ["new", str(path), "--client", "A", "--system", "B", "--type2", "2026-06-01", "2026-01-01", "--unencrypted"]
    )
    assert code == 2
    assert "before it starts" in capsys.readouterr().err
    assert not path.exists()


def test_bad_arguments_exit_non_zero_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["new", "x.fieldwork", "--client", "A", "--system", "B", "--type2", "not-a-date", "2026-01-01"])
    assert exited.value.code == 2
    assert "is not a date like" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"hello world\n", b"SQLite format 3\x00" + b"\x00" * 20])
def test_info_on_a_bad_file_is_one_sentence(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd.fieldwork"
    path.write_bytes(content)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fieldwork: odd.fieldwork ") and "\n" not in err and "Traceback" not in err


def test_the_installed_command_reports_its_version() -> None:
    done = subprocess.run([sys.executable, "-m", "fieldwork.app.cli.main", "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.strip() == f"Fieldwork {app.__version__}"


def test_a_verb_on_a_missing_file_never_shows_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fieldwork.app.cli.main", "verify", str(tmp_path / "nope.fieldwork")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "fieldwork: nope.fieldwork does not exist."
