"""The fixed cast and case of the access tests, as pure domain values."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from portal.domain.cases import Case, CaseId, Phase, Purpose
from portal.domain.consents import Consent
from portal.domain.documents import (
    Approval,
    ConsentId,
    DataCategory,
    Document,
    DocumentId,
    LegalBasis,
    Restrictions,
)
from portal.domain.grants import ArchiveAdmission, Grant, GrantId
from portal.domain.partijen import Actor, PartijId, PartijKind, PartijStatus, Role, UserId

ZVH = PartijId(UUID(int=1))
VENLO = PartijId(UUID(int=2))  # reported the case
GGZ = PartijId(UUID(int=3))  # provided the document
POLITIE = PartijId(UUID(int=4))
RECLASSERING = PartijId(UUID(int=5))  # a participant's partij, with no other part

CASE_ID = CaseId(UUID(int=100))
DOCUMENT_ID = DocumentId(UUID(int=200))
CONSENT_ID = ConsentId(UUID(int=300))

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GRANTED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
ENDED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
OPEN_NOW = datetime(2026, 2, 15, 9, 0, tzinfo=UTC)
AFSCHALING = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

_user_numbers = itertools.count(1000)

PARTIJ_OF_ROLE = {
    Role.PROCESREGISSEUR: (ZVH, PartijKind.OVERIG),
    Role.MANAGER: (ZVH, PartijKind.OVERIG),
    Role.ADMINISTRATIEF: (ZVH, PartijKind.OVERIG),
    Role.CASUSREGISSEUR: (VENLO, PartijKind.COLLEGE),
    Role.DEELNEMER: (RECLASSERING, PartijKind.RECLASSERING),
    Role.PARTNER: (RECLASSERING, PartijKind.RECLASSERING),
    Role.FG: (VENLO, PartijKind.COLLEGE),
}


def actor(
    role: Role,
    *,
    partij: tuple[PartijId, PartijKind] | None = None,
    screened: bool = True,
    active: bool = True,
    partij_status: PartijStatus = PartijStatus.ACTIVE,
    name: str | None = None,
) -> Actor:
    partij_id, kind = partij or PARTIJ_OF_ROLE[role]
    return Actor(
        user_id=UserId(UUID(int=next(_user_numbers))),
        username=name or role.value,
        partij_id=partij_id,
        partij_kind=kind,
        partij_status=partij_status,
        roles=frozenset({role}),
        screened=screened,
        active=active,
        openpgp_public_key=None,
    )


def provider_actor() -> Actor:
    """A partner case worker of the partij that provided the document."""
    return actor(Role.PARTNER, partij=(GGZ, PartijKind.GGZ), name="provider")


def case(phase: Phase = Phase.AANMELDING, *, afschaling_at: datetime | None = None) -> Case:
    return Case(
        id=CASE_ID,
        reference="ZVH-2026-0001",
        reported_by=VENLO,
        phase=phase,
        created_at=CREATED,
        afschaling_at=afschaling_at,
        destroyed_at=None,
    )


def document(
    *,
    provider_kind: PartijKind = PartijKind.GGZ,
    legal_basis: LegalBasis = LegalBasis.AVG_6_1_E,
    approved_for: tuple[Phase, ...] = (Phase.TRIAGE, Phase.RTO, Phase.AFSCHALING),
) -> Document:
    from portal.domain.cases import PURPOSES_BY_PHASE

    return Document(
        id=DOCUMENT_ID,
        case_id=CASE_ID,
        phase=Phase.AANMELDING,
        provider_id=GGZ if provider_kind is PartijKind.GGZ else POLITIE,
        provider_kind=provider_kind,
        uploaded_by=UserId(UUID(int=999)),
        file_name="verslag.pdf",
        media_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        object_key=f"cases/{CASE_ID}/{DOCUMENT_ID}.pgp",
        restrictions=Restrictions(
            purposes=frozenset({Purpose.SCREENING}),
            data_categories=frozenset({DataCategory.GEZONDHEID}),
            legal_basis=legal_basis,
            consent_id=CONSENT_ID if legal_basis is LegalBasis.TOESTEMMING else None,
        ),
        description="",
        created_at=CREATED,
        approvals=tuple(
            Approval(phase=phase, purposes=PURPOSES_BY_PHASE[phase], approved_at=CREATED)
            for phase in approved_for
        ),
    )


def consent(*, withdrawn_at: datetime | None = None) -> Consent:
    return Consent(
        id=CONSENT_ID,
        partij_id=GGZ,
        subject_pseudonym="betrokkene-1",
        scope="delen met het ZVH",
        obtained_by="hulpverlener GGZ",
        obtained_at=CREATED,
        withdrawn_at=withdrawn_at,
    )


def grant(
    who: Actor, *, until: datetime | None = None, revoked_at: datetime | None = None
) -> Grant:
    return Grant(
        id=GrantId(UUID(int=500)),
        case_id=CASE_ID,
        user_id=who.user_id,
        granted_at=GRANTED,
        until=until,
        revoked_at=revoked_at,
    )


def admission(who: Actor) -> ArchiveAdmission:
    return ArchiveAdmission(
        case_id=CASE_ID, user_id=who.user_id, admitted_at=AFSCHALING, reason="inzageverzoek"
    )


__all__ = ["replace"]
