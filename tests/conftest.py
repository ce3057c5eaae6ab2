"""Fixtures shared by every test: a private home, an in-memory keychain, offscreen Qt."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may reach the real profile folders, even before a fixture runs.
os.environ["FIELDWORK_HOME"] = tempfile.mkdtemp(prefix="fieldwork-tests-")
os.environ["FIELDWORK_USER"] = "Test Auditor"

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import keyring
import keyring.backend
import pytest

from fieldwork.app.demo import create_demo
from fieldwork.app.domain.records import EngagementDetails, TeamMember
from fieldwork.app.domain.vocabulary import ReportType, Role
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.storage.engagement_file import EngagementFile

PASSPHRASE = "correct horse battery staple"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keychain that lives and dies with the test: the machine's is never touched."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError(username)
        del self.secrets[(service, username)]


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FIELDWORK_HOME", str(home))
    monkeypatch.setenv("FIELDWORK_USER", "Test Auditor")
    monkeypatch.delenv("FIELDWORK_PASSPHRASE", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def type2_details(**changes: object) -> EngagementDetails:
    values: dict[str, object] = {
        "client": "Acme Analytics",
        "system_name": "Acme Model Platform",
        "report_type": ReportType.TYPE2,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "tsc_categories": ("Security", "Availability"),
        "iso_scope": "The AI management system for the Acme Model Platform.",
    }
    values.update(changes)
    return EngagementDetails(**values)  # type: ignore[arg-type]


TEAM = (TeamMember("Dana Reyes", "DR", Role.SENIOR), TeamMember("Sam Ortiz", "SO", Role.MANAGER))

#: Switches who is at the keyboard (the profile's name, and so its initials).
Acting = Callable[[str], None]


@pytest.fixture
def acting(monkeypatch: pytest.MonkeyPatch) -> Acting:
    """Switch who is at the keyboard: a member of the team by name, or someone not on it."""
    return lambda name: monkeypatch.setenv("FIELDWORK_USER", name)


@pytest.fixture
def engagement(tmp_path: Path) -> Iterator[EngagementFile]:
    """A new, empty, unencrypted Type 2 engagement."""
    db, _ = create_engagement(tmp_path / "acme.fieldwork", type2_details(), TEAM)
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo engagement, written once per session; tests copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.fieldwork"
    create_demo(path).close()
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[EngagementFile]:
    from shutil import copyfile

    from fieldwork.app.storage.engagement_file import open_engagement

    path = tmp_path / "demo.fieldwork"
    copyfile(demo_template, path)
    db = open_engagement(path)
    yield db
    db.close()
