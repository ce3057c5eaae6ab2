"""Who is acting: the engagement team member this machine's profile names (by initials).

The history and sign-offs record that member, as the engagement knows them, not the operating-system account.
Someone whose profile names no member can still work (their entries carry the profile's name), but cannot sign.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from fieldwork.app.domain.records import TeamMember
from fieldwork.app.domain.vocabulary import Role
from fieldwork.app.profile import Profile, load_profile
from fieldwork.app.storage.schema import live, person


def member_for(conn: Connection, profile: Profile) -> TeamMember | None:
    query = select(person).where(person.c.initials == profile.initials.strip().upper(), live(person))
    row = conn.execute(query).mappings().first()
    return None if row is None else TeamMember(row["name"], row["initials"], Role(row["role"]), row["id"])


def acting_member(conn: Connection) -> TeamMember | None:
    """The team member at the keyboard, or None when the profile names nobody on this engagement's team."""
    return member_for(conn, load_profile())


def signature(conn: Connection) -> str:
    """How the history names whoever is acting: the member as the team lists them, else the profile's name."""
    member = acting_member(conn)
    return f"{member.name} ({member.initials})" if member else load_profile().signature
