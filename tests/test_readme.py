"""The README's two commands are the ones CI runs, so a newcomer's first steps are tested."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)[:2]


def test_the_readme_opens_with_set_up_and_test_commands() -> None:
    setup, test = readme_commands()
    assert setup.endswith("fieldwork --demo") and "pip install" in setup and "venv" in setup
    assert "pytest" in test


def test_ci_installs_and_tests_exactly_as_the_readme_says() -> None:
    """The same commands, in CI's own environment folder: CI never deletes the developer's `.venv`."""
    setup, test = readme_commands()
    install = setup.rsplit(" && ", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if not line.startswith("#")]
    assert not any(".venv" in line.replace(".ci-venv", "") for line in commands)
    assert install.replace(".venv", ".ci-venv") in ci.splitlines()
    assert test.replace(".venv", ".ci-venv") in ci.splitlines()
    assert ".ci-venv/bin/mypy" in ci.splitlines()
