"""The local profile: who is at the keyboard, recorded with every change.

The app runs offline, so identity is what the auditor set on this machine (or, by
default, the operating-system account name).
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass

from fieldwork.app.paths import config_dir


@dataclass(frozen=True)
class Profile:
    name: str
    initials: str

    @property
    def signature(self) -> str:
        """How the history names this person."""
        return f"{self.name} ({self.initials})"


def _default_profile() -> Profile:
    name = os.environ.get("FIELDWORK_USER") or getpass.getuser() or "Unknown user"
    initials = "".join(part[0] for part in name.replace(".", " ").split() if part).upper()[:4] or "?"
    return Profile(name, initials)


def load_profile() -> Profile:
    path = config_dir() / "profile.json"
    if not path.exists():
        return _default_profile()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Profile(str(data["name"]), str(data["initials"]))
    except (ValueError, KeyError, TypeError):
        return _default_profile()


def save_profile(profile: Profile) -> None:
    path = config_dir() / "profile.json"
    path.write_text(json.dumps(asdict(profile), ensure_ascii=False, indent=1), encoding="utf-8")
