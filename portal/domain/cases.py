"""Cases and their phases, with the closed list of purposes per phase (Bijlage 2)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NewType
from uuid import UUID

from portal.domain.partijen import PartijId


class Phase(enum.StrEnum):
    """A case moves one way through these phases (art. 1.18-1.21)."""

    AANMELDING = "aanmelding"
    TRIAGE = "triage"
    RTO = "rto"
    AFSCHALING = "afschaling"


class Purpose(enum.StrEnum):
    SCREENING = "screening"
    BEELDVORMING = "beeldvorming"
    ROUTERING = "routering"
    VOORBEREIDING_RTO = "voorbereiding_rto"
    TOESTANDSBEELD = "toestandsbeeld"
    PLAN_VAN_AANPAK = "plan_van_aanpak"
    MONITORING = "monitoring"
    VERDERE_VERSTREKKING = "verdere_verstrekking"
    AFSCHALEN = "afschalen"
    OPSCHALEN = "opschalen"
    OVERDRACHT = "overdracht"


# Bijlage 2: each phase has its own purposes and no others (doelbinding, art. 3.5).
PURPOSES_BY_PHASE: dict[Phase, frozenset[Purpose]] = {
    Phase.AANMELDING: frozenset({Purpose.SCREENING}),
    Phase.TRIAGE: frozenset({Purpose.BEELDVORMING, Purpose.ROUTERING, Purpose.VOORBEREIDING_RTO}),
    Phase.RTO: frozenset(
        {
            Purpose.TOESTANDSBEELD,
            Purpose.PLAN_VAN_AANPAK,
            Purpose.MONITORING,
            Purpose.VERDERE_VERSTREKKING,
            Purpose.AFSCHALEN,
            Purpose.OPSCHALEN,
        }
    ),
    Phase.AFSCHALING: frozenset({Purpose.OVERDRACHT}),
}


CaseId = NewType("CaseId", UUID)


@dataclass(frozen=True, kw_only=True)
class Case:
    id: CaseId
    reference: str
    reported_by: PartijId
    phase: Phase
    created_at: datetime
    afschaling_at: datetime | None
    destroyed_at: datetime | None
