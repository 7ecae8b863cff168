"""The fixed cast and case of the access tests, as pure domain values.

One case, reported by Gemeente Venlo (anna is its aanmelder), registered by alice, with a
document provided by the GGZ (uploaded by gert). Everyone else has the part their name
says, or none: charlie has nothing at all.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from portal.domain.cases import (
    PURPOSES_BY_PHASE,
    Assignment,
    Case,
    CaseId,
    ClosingReason,
    Phase,
    Purpose,
)
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
from portal.domain.grants import AdmissionId, ArchiveAdmission, Grant, GrantId, Handover
from portal.domain.partijen import Actor, PartijId, PartijKind, PartijStatus, Role, UserId
from portal.domain.retention import add_months

ZVH = PartijId(UUID(int=1))
VENLO = PartijId(UUID(int=2))  # reported the case
GGZ = PartijId(UUID(int=3))  # provided the document
POLITIE = PartijId(UUID(int=4))
RECLASSERING = PartijId(UUID(int=5))  # the participants' partij, with no other part

CASE_ID = CaseId(UUID(int=100))
DOCUMENT_ID = DocumentId(UUID(int=200))
OTHER_DOCUMENT_ID = DocumentId(UUID(int=201))  # another document of the case
CONSENT_ID = ConsentId(UUID(int=300))

CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GRANTED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
ENDED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
OPEN_NOW = datetime(2026, 2, 15, 9, 0, tzinfo=UTC)
AFSCHALING = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HANDOVER_ENDS = AFSCHALING + timedelta(days=14)
ARCHIVED_FROM = add_months(AFSCHALING, 6)

_user_numbers = itertools.count(1000)

VENLO_KIND = (VENLO, PartijKind.COLLEGE)
GGZ_KIND = (GGZ, PartijKind.GGZ)
PARTIJ_OF_ROLE = {
    Role.PROCESREGISSEUR: (ZVH, PartijKind.ZVH),
    Role.MANAGER: (ZVH, PartijKind.ZVH),
    Role.ADMINISTRATIEF: (ZVH, PartijKind.ZVH),
    Role.CASUSREGISSEUR: VENLO_KIND,
    Role.DEELNEMER: (RECLASSERING, PartijKind.RECLASSERING),
    Role.PARTNER: (RECLASSERING, PartijKind.RECLASSERING),
    Role.FG: VENLO_KIND,
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
    """A fresh user with ``role``: a new user id, so no part in the case unless given one."""
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


# --- the cast: each person's part in the one case -------------------------------------------
ALICE = actor(Role.PROCESREGISSEUR, name="alice")  # registered the case
PAULA = actor(Role.PROCESREGISSEUR, name="paula")  # assigned to it later
PETER = actor(Role.PROCESREGISSEUR, name="peter")  # a colleague, not assigned
MARIA = actor(Role.MANAGER, name="maria")
ADA = actor(Role.ADMINISTRATIEF, name="ada")
ZOE = actor(Role.FG, partij=(ZVH, PartijKind.ZVH), name="zoe")  # the ZVH's FG
ANNA = actor(Role.PARTNER, partij=VENLO_KIND, name="anna")  # the aanmelder
VICTOR = actor(Role.PARTNER, partij=VENLO_KIND, name="victor")  # anna's colleague
GERT = actor(Role.DEELNEMER, partij=GGZ_KIND, name="gert")  # uploaded the document
GINA = actor(Role.PARTNER, partij=GGZ_KIND, name="gina")  # the provider's partner
GREG = actor(Role.CASUSREGISSEUR, partij=GGZ_KIND, name="greg")  # the provider's casusregisseur
FIEN = actor(Role.FG, partij=GGZ_KIND, name="fien")  # the provider's FG
ROGUE = actor(Role.PROCESREGISSEUR, partij=VENLO_KIND, name="rogue")  # a ZVH role elsewhere
BOB = actor(Role.DEELNEMER, name="bob")  # active grant (until afschaling ends it)
EVE = actor(Role.DEELNEMER, name="eve")  # grant expired
RITA = actor(Role.DEELNEMER, name="rita")  # grant revoked
LIM = actor(Role.DEELNEMER, name="lim")  # grant limited to the other document
CHARLIE = actor(Role.DEELNEMER, name="charlie")  # nothing
CARLA = actor(Role.CASUSREGISSEUR, name="carla")  # the hand-over recipient (Venlo)
ADAM = actor(Role.DEELNEMER, name="adam")  # admitted to the archive
EDITH = actor(Role.DEELNEMER, name="edith")  # archive admission ended
RONALD = actor(Role.DEELNEMER, name="ronald")  # archive admission revoked

CAST = {
    who.username: who
    for who in (
        ALICE, PAULA, PETER, MARIA, ADA, ZOE, ANNA, VICTOR, GERT, GINA, GREG, FIEN, ROGUE,
        BOB, EVE, RITA, LIM, CHARLIE, CARLA, ADAM, EDITH, RONALD,
    )
}  # fmt: skip


def provider_actor() -> Actor:
    """A partner case worker of the partij that provided the document."""
    return GINA


def case(
    phase: Phase = Phase.AANMELDING,
    *,
    decided_at: datetime | None = None,
    closed_reason: ClosingReason | None = None,
    phase_changed_at: datetime = CREATED,
) -> Case:
    return Case(
        id=CASE_ID,
        reference="ZVH-2026-0001",
        reported_by=VENLO,
        registered_by=ALICE.user_id,
        aanmelder=ANNA.user_id,
        phase=phase,
        created_at=CREATED,
        phase_changed_at=phase_changed_at,
        decided_at=decided_at,
        closed_reason=closed_reason,
        destroyed_at=None,
    )


def assignment(who: Actor) -> Assignment:
    return Assignment(
        case_id=CASE_ID,
        user_id=who.user_id,
        assigned_by=ALICE.user_id,
        assigned_at=GRANTED,
        reason="neemt de casus over tijdens verlof",
    )


def document(
    *,
    provider_kind: PartijKind = PartijKind.GGZ,
    legal_basis: LegalBasis = LegalBasis.AVG_6_1_E,
    approved_for: tuple[Phase, ...] = (Phase.TRIAGE, Phase.RTO, Phase.AFSCHALING),
    document_id: DocumentId = DOCUMENT_ID,
) -> Document:
    return Document(
        id=document_id,
        case_id=CASE_ID,
        phase=Phase.AANMELDING,
        provider_id=GGZ if provider_kind is PartijKind.GGZ else POLITIE,
        provider_kind=provider_kind,
        uploaded_by=GERT.user_id if provider_kind is PartijKind.GGZ else UserId(UUID(int=999)),
        file_name="verslag.pdf",
        media_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        object_key=f"cases/{CASE_ID}/{document_id}.pgp",
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
    who: Actor,
    *,
    until: datetime | None = None,
    revoked_at: datetime | None = None,
    documents: frozenset[DocumentId] | None = None,
) -> Grant:
    return Grant(
        id=GrantId(UUID(int=500)),
        case_id=CASE_ID,
        user_id=who.user_id,
        granted_at=GRANTED,
        until=until,
        revoked_at=revoked_at,
        documents=documents,
    )


def admission(
    who: Actor, *, until: datetime | None = None, revoked_at: datetime | None = None
) -> ArchiveAdmission:
    return ArchiveAdmission(
        id=AdmissionId(UUID(int=600)),
        case_id=CASE_ID,
        user_id=who.user_id,
        admitted_by=MARIA.user_id,
        admitted_at=ARCHIVED_FROM + timedelta(days=1),
        until=until or add_months(AFSCHALING, 11),
        reason="inzageverzoek van betrokkene",
        revoked_at=revoked_at,
    )


def handover(who: Actor = CARLA) -> Handover:
    return Handover(
        case_id=CASE_ID,
        casusregisseur=who.user_id,
        documents=frozenset({DOCUMENT_ID}),
        named_by=ALICE.user_id,
        named_at=AFSCHALING,
        window_ends_at=HANDOVER_ENDS,
    )


__all__ = ["replace"]
