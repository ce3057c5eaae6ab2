"""Identities of the engagement's records: UUIDs, typed per kind of record.

Primary keys are UUIDs so that copies of one engagement, worked on apart and merged later, never
give two different records the same key (integer keys numbered highest-plus-one did: two copies of
the demo each made a different C-080). They are version 7 UUIDs: time-ordered, so records sort in
the order they were made, and monotonic within this process, so a bulk insert keeps its order too.

A `NewType` per kind lets mypy tell a control's id from a test's; at run time each is a `UUID`.
"""

from __future__ import annotations

import uuid
from typing import NewType

import uuid6

EngagementId = NewType("EngagementId", uuid.UUID)
PersonId = NewType("PersonId", uuid.UUID)
ControlId = NewType("ControlId", uuid.UUID)
TestId = NewType("TestId", uuid.UUID)
SampleItemId = NewType("SampleItemId", uuid.UUID)
DeviationId = NewType("DeviationId", uuid.UUID)
PbcRequestId = NewType("PbcRequestId", uuid.UUID)
EvidenceId = NewType("EvidenceId", uuid.UUID)
PopulationId = NewType("PopulationId", uuid.UUID)
FindingId = NewType("FindingId", uuid.UUID)
MisstatementId = NewType("MisstatementId", uuid.UUID)
ReplicaId = NewType("ReplicaId", uuid.UUID)
WorkpaperId = NewType("WorkpaperId", uuid.UUID)
WorkpaperItemId = NewType("WorkpaperItemId", uuid.UUID)
IpeId = NewType("IpeId", uuid.UUID)
AiSystemId = NewType("AiSystemId", uuid.UUID)
ImpactAssessmentId = NewType("ImpactAssessmentId", uuid.UUID)
FairnessResultId = NewType("FairnessResultId", uuid.UUID)
SubserviceId = NewType("SubserviceId", uuid.UUID)
ComplementaryId = NewType("ComplementaryId", uuid.UUID)


def new_id() -> uuid.UUID:
    """A new time-ordered key (the library's `UUID` is a subclass of `uuid.UUID`, equal to and hashed as one)."""
    return uuid6.uuid7()


def parse_id(text: object) -> uuid.UUID | None:
    """The UUID written in `text` (with or without dashes), or None when it is not one."""
    if isinstance(text, uuid.UUID):
        return text
    try:
        return uuid.UUID(str(text).strip())
    except ValueError:
        return None
