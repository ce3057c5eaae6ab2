"""The open-and-unlock sequence (`app.opening`) that the command line and the desktop app both follow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from fieldwork.app.engagement import OPENED_READ_ONLY, Engagement
from fieldwork.app.errors import WrongPassphrase
from fieldwork.app.keychain import recall, remember
from fieldwork.app.opening import Ask, Unlocking, open_for_changes, open_to_read
from fieldwork.app.services.engagement import create_engagement
from tests.conftest import PASSPHRASE, TEAM, type2_details

Opener = Callable[[Path, str | None], Engagement]


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    db, _ = create_engagement(tmp_path / "secret.fieldwork", type2_details(), TEAM, passphrase=PASSPHRASE)
    db.close()
    return db.path


def opened(outcome: Engagement | Ask) -> Engagement:
    assert not isinstance(outcome, Ask), outcome
    return outcome


def test_a_plain_file_opens_without_a_question(engagement: Engagement) -> None:
    path = engagement.path
    engagement.close()
    with opened(Unlocking(path, open_for_changes).start()) as db:
        assert not db.encrypted and db.read_only is None


def test_an_encrypted_file_asks_until_the_right_passphrase_and_remembers_it_when_asked(encrypted: Path) -> None:
    unlocking = Unlocking(encrypted, open_for_changes)
    first = unlocking.start()
    assert first == Ask("secret.fieldwork is encrypted. Enter its passphrase.", keychain=True)
    wrong = unlocking.answer("not the passphrase", remember_it=True)
    assert isinstance(wrong, Ask) and wrong.question.endswith("Try again.") and "passphrase" in wrong.note
    assert recall(encrypted) is None, "a wrong passphrase is never kept"
    with opened(unlocking.answer(PASSPHRASE, remember_it=True)) as db:
        assert db.encrypted and db.passphrase == PASSPHRASE
    assert recall(encrypted) == PASSPHRASE


def test_the_keychain_opens_a_file_and_a_stale_entry_asks(encrypted: Path) -> None:
    remember(encrypted, PASSPHRASE)
    with opened(Unlocking(encrypted, open_for_changes).start()) as db:
        assert db.passphrase == PASSPHRASE
    remember(encrypted, "an old passphrase")
    stale = Unlocking(encrypted, open_for_changes).start()
    assert stale == Ask(
        "The passphrase in the keychain no longer opens this file. Enter its passphrase.",
        keychain=True,
        note="the passphrase in the keychain no longer opens this file.",
    )


def test_a_given_passphrase_is_tried_first_and_a_wrong_one_is_refused(encrypted: Path) -> None:
    remember(encrypted, "an old passphrase")
    with opened(Unlocking(encrypted, open_for_changes).start(PASSPHRASE)) as db:
        assert db.passphrase == PASSPHRASE
    with pytest.raises(WrongPassphrase):
        Unlocking(encrypted, open_for_changes).start("wrong wrong wrong")


def test_without_a_keychain_it_asks_and_says_why_nothing_can_be_remembered(encrypted: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    unlocking = Unlocking(encrypted, open_for_changes)
    asked = unlocking.start()
    assert isinstance(asked, Ask) and not asked.keychain and "keychain is not available" in asked.note
    with opened(unlocking.answer(PASSPHRASE, remember_it=True)) as db:
        assert db.encrypted


@pytest.mark.parametrize(("opener", "read_only"), [(open_for_changes, None), (open_to_read, OPENED_READ_ONLY)])
def test_the_opener_decides_how_the_file_is_opened(encrypted: Path, opener: Opener, read_only: str | None) -> None:
    with opened(Unlocking(encrypted, opener).answer(PASSPHRASE)) as db:
        assert db.read_only == read_only
