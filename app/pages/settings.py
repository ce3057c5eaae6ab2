"""The engagement settings page: the engagement's fields and what is wrong with them, its team, tickmark
legend, system description (with the sections still as the prior period left them), stage and subservice
organizations, from one read transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.records import EngagementDetails, TeamMember, Tickmark
from fieldwork.app.domain.subservice import Subservice
from fieldwork.app.domain.workpapers import Stage
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.stage import read_stage
from fieldwork.app.services.subservice import read_subservice


@dataclass(frozen=True)
class SettingsPage:
    details: EngagementDetails
    #: What `update_details` would refuse or warn about in the recorded fields.
    warnings: tuple[str, ...]
    team: tuple[TeamMember, ...]
    tickmarks: tuple[Tickmark, ...]
    description: dict[str, str]
    stage: Stage
    #: Sections carried forward from the prior period and not yet edited for this one.
    to_update: frozenset[str] = frozenset()
    subservice: Subservice = dataclasses.field(default_factory=Subservice)


def read_settings_page(conn: Connection) -> SettingsPage:
    details = engagement_service.read_details(conn)
    return SettingsPage(
        details=details,
        warnings=tuple(engagement_service.validate_details(details)),
        team=tuple(engagement_service.read_team(conn)),
        tickmarks=tuple(engagement_service.read_tickmarks(conn)),
        description=engagement_service.read_system_description(conn),
        stage=read_stage(conn),
        to_update=frozenset(engagement_service.read_sections_to_update(conn)),
        subservice=read_subservice(conn),
    )


def load_settings_page(db: Engagement) -> SettingsPage:
    with db.reading() as conn:
        return read_settings_page(conn)
