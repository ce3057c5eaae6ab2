"""An installed Fieldwork finds its catalogs, templates and migrations without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fieldwork import app

ROOT = Path(__file__).resolve().parents[1]
#: Where the checkout's top-level folders go in the wheel: "" or the namespace's folder ("fieldwork/").
IN_WHEEL = app.__name__.removesuffix("app").replace(".", "/")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    (built,) = out.glob("fieldwork-*.whl")
    return built


def test_the_wheel_carries_every_resource_and_migration(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        IN_WHEEL + p.relative_to(ROOT).as_posix()
        for folder in ("resources", "db/migrations")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert expected, "there are resources to ship"
    assert sorted(set(expected) - names) == []


def install(wheel: Path, target: Path) -> Path:
    """Install the wheel alone into `target`, a folder as site-packages would be."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def test_an_installed_copy_creates_and_opens_an_engagement_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = install(wheel, tmp_path / "site")
    script = (
        "import sys\n"
        "import fieldwork.app.resources as found\n"
        "from fieldwork.app.resources import migrations_path, resource_path\n"
        "assert str(target) in found.__file__, found.__file__\n"
        "print(resource_path('catalogs', 'crosswalk.json'))\n"
        "print(migrations_path())\n"
        "from fieldwork.app.cli.main import main\n"
        "sys.exit(main(['demo', sys.argv[1], '--unencrypted']))\n"
    ).replace("str(target)", repr(str(target)))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "demo.fieldwork")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(target), "FIELDWORK_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1].startswith(str(target))
    assert (tmp_path / "demo.fieldwork").stat().st_size > 0


def test_the_wheel_installs_only_the_fieldwork_package(wheel: Path, tmp_path: Path) -> None:
    """Nothing else in site-packages is named after Fieldwork's parts (app, ui, db, resources)."""
    target = install(wheel, tmp_path / "site")
    installed = {p.name for p in target.iterdir() if p.name != "bin"}
    (info,) = [name for name in installed if name.endswith(".dist-info")]
    assert installed == {"fieldwork", info}
    assert (target / info / "top_level.txt").read_text().split() == ["fieldwork"]
    assert {p.name for p in (target / "fieldwork").iterdir()} >= {"app", "ui", "db", "resources"}


def test_this_checkout_is_imported_as_fieldwork() -> None:
    import fieldwork.app
    import fieldwork.ui

    assert Path(fieldwork.app.__file__).resolve() == ROOT / "app" / "__init__.py"
    assert Path(fieldwork.ui.__file__).resolve() == ROOT / "ui" / "__init__.py"
