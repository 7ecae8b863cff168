"""Cases and their phases, with the closed list of purposes per phase (Bijlage 2)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NewType
from uuid import UUID

from portal.domain.partijen import PartijId, UserId


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


class ClosingReason(enum.StrEnum):
    """Why a case was closed before an RTO (art. 1.18, 1.19): it never reached the table."""

    NIET_TOEGELATEN = "niet_toegelaten"
    """Screening found the case does not meet the criteria (Bijlage 2, aanmelding)."""
    ELDERS_BELEGD = "elders_belegd"
    """Triage routed the case elsewhere (Bijlage 2, triage: routering)."""


# A case can be closed only before the RTO; afterwards it ends by afschaling.
CLOSABLE_PHASES = frozenset({Phase.AANMELDING, Phase.TRIAGE})

CaseId = NewType("CaseId", UUID)


@dataclass(frozen=True, kw_only=True)
class Case:
    id: CaseId
    reference: str
    reported_by: PartijId
    registered_by: UserId
    """The procesregisseur who registered the case: its first procesregisseur."""
    aanmelder: UserId
    """The named user of ``reported_by`` who reported the case (art. 1.18, 9.2)."""
    phase: Phase
    created_at: datetime
    phase_changed_at: datetime
    """When the case entered its current phase (``created_at`` for aanmelding)."""
    decided_at: datetime | None
    """The RTO's afschaling decision or the procesregisseur's closing decision; the timeline
    of art. 11.2 counts from it. None while the case is open."""
    closed_reason: ClosingReason | None
    """Set when the case was closed at aanmelding or triage (it keeps that phase)."""
    destroyed_at: datetime | None
    held_since: datetime | None = None
    """When the legal hold now open on the case was placed; None while none is. A held case
    is not destroyed, by the sweep or earlier (see ``portal.domain.retention``)."""

    @property
    def closed(self) -> bool:
        return self.closed_reason is not None


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """A procesregisseur assigned to a case after its registration, on record (art. 1.22)."""

    case_id: CaseId
    user_id: UserId
    assigned_by: UserId
    assigned_at: datetime
    reason: str
