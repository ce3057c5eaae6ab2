"""Who is at the keyboard: the team member this machine's profile names (kept in the profile, never in the file).

The history and sign-offs record the member by the profile's initials. Asked from File > Who I am…, and when an
engagement is opened by someone whose profile names no member of its team: pick the member, or go on as someone
who is not on the team (who can work, but not sign or write review notes).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from fieldwork.app.domain.records import TeamMember
from fieldwork.app.profile import Profile, load_profile, save_profile
from fieldwork.ui.dialogs.foot import Button, dialog_foot

NOT_ON_TEAM = "Someone not on this engagement's team"


class ProfileDialog(QDialog):
    def __init__(self, team: tuple[TeamMember, ...], intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is working")
        self.team = team
        profile = load_profile()
        self.member = QComboBox()
        for found in team:
            self.member.addItem(f"{found.name} ({found.initials}), {found.role.label.lower()}", found.initials)
        self.member.addItem(NOT_ON_TEAM, None)
        chosen = next((i for i, m in enumerate(team) if m.initials == profile.initials.strip().upper()), len(team))
        self.member.setCurrentIndex(chosen)
        self.name = QLineEdit(profile.name)
        self.initials = QLineEdit(profile.initials)
        self.initials.setMaxLength(4)
        self.member.currentIndexChanged.connect(self._chosen)
        form = QFormLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        form.addRow(self.intro)
        form.addRow("I &am", self.member)
        form.addRow("&Name", self.name)
        form.addRow("&Initials", self.initials)
        self.error, self.buttons = dialog_foot(self, form.addRow, self.save, Button.Ok)
        self._chosen()
        self.resize(520, 240)

    def _chosen(self, _index: int = 0) -> None:
        """A member's name and initials are the team's; someone else gives their own."""
        initials = self.member.currentData()
        found = next((m for m in self.team if m.initials == initials), None)
        if found is not None:
            self.name.setText(found.name)
            self.initials.setText(found.initials)
        for field in (self.name, self.initials):
            field.setEnabled(found is None)

    def save(self) -> None:
        name, initials = self.name.text().strip(), self.initials.text().strip().upper()
        if not name or not initials:
            self.error.setText("Give your name and initials: the history records them with every change.")
            return
        save_profile(Profile(name, initials))
        self.accept()


def not_a_member_intro(profile: Profile) -> str:
    return (
        f"Your profile on this computer names you {profile.name} ({profile.initials}), who is not on this "
        "engagement's team. Which member are you? Someone not on the team can work in the file, but cannot sign "
        "or write review notes. Your choice is kept in your profile on this computer, not in the file."
    )


WHO_INTRO = (
    "The history and every sign-off record the team member named here (by initials). It is kept in your profile "
    "on this computer, not in the engagement file."
)
