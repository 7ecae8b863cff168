"""What goes over the wire: msgspec structs, the codes of portal.domain as plain strings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from portal.domain.cases import Case, Phase, Purpose
from portal.domain.consents import Consent
from portal.domain.documents import DataCategory, Document, LegalBasis
from portal.domain.grants import Grant
from portal.domain.partijen import Partij, PartijKind, PartijStatus
from portal.services.access_overview import AccessLine


class CaseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reference: str
    reported_by: UUID


class CaseOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    reference: str
    reported_by: UUID
    phase: Phase
    created_at: datetime
    afschaling_at: datetime | None

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls(
            id=case.id,
            reference=case.reference,
            reported_by=case.reported_by,
            phase=case.phase,
            created_at=case.created_at,
            afschaling_at=case.afschaling_at,
        )


class UploadMetadata(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The ``metadata`` part of an upload, sent before the ``file`` part."""

    phase: Phase
    purposes: list[Purpose]
    data_categories: list[DataCategory]
    legal_basis: LegalBasis
    consent_id: UUID | None = None
    description: str = msgspec.field(default="")


class DocumentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    phase: Phase
    provider: UUID
    uploaded_by: UUID
    file_name: str
    media_type: str
    size: int
    sha256: str
    purposes: list[Purpose]
    data_categories: list[DataCategory]
    legal_basis: LegalBasis
    consent_id: UUID | None
    description: str
    created_at: datetime

    @classmethod
    def of(cls, document: Document) -> DocumentOut:
        restrictions = document.restrictions
        return cls(
            id=document.id,
            case_id=document.case_id,
            phase=document.phase,
            provider=document.provider_id,
            uploaded_by=document.uploaded_by,
            file_name=document.file_name,
            media_type=document.media_type,
            size=document.size,
            sha256=document.sha256,
            purposes=sorted(restrictions.purposes),
            data_categories=sorted(restrictions.data_categories),
            legal_basis=restrictions.legal_basis,
            consent_id=restrictions.consent_id,
            description=document.description,
            created_at=document.created_at,
        )


class PhaseChangeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: Phase
    reason: str


class GrantIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    """The username of the participant."""
    until: datetime | None = None
    """Optional earlier end; a grant never outlasts afschaling."""


class GrantOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    user_id: UUID
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, grant: Grant) -> GrantOut:
        return cls(
            id=grant.id,
            case_id=grant.case_id,
            user_id=grant.user_id,
            granted_at=grant.granted_at,
            until=grant.until,
            revoked_at=grant.revoked_at,
        )


class AdmissionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    reason: str


class ApprovalIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    phase: Phase
    purposes: list[Purpose] | None = None
    """Which of the phase's purposes; all of them when left out."""


class ConsentIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    subject_pseudonym: str
    scope: str
    obtained_by: str
    obtained_at: datetime


class ConsentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partij_id: UUID
    subject_pseudonym: str
    scope: str
    obtained_by: str
    obtained_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, consent: Consent) -> ConsentOut:
        return cls(
            id=consent.id,
            partij_id=consent.partij_id,
            subject_pseudonym=consent.subject_pseudonym,
            scope=consent.scope,
            obtained_by=consent.obtained_by,
            obtained_at=consent.obtained_at,
            withdrawn_at=consent.withdrawn_at,
        )


class WithdrawalIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str = ""


class FurtherUseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: str


class FurtherUseDecisionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    approve: bool
    reason: str = ""


class PartijOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    kind: PartijKind
    status: PartijStatus

    @classmethod
    def of(cls, partij: Partij) -> PartijOut:
        return cls(id=partij.id, name=partij.name, kind=partij.kind, status=partij.status)


class AccessLineOut(msgspec.Struct, frozen=True, kw_only=True):
    document_id: UUID
    file_name: str
    username: str
    can_download: bool
    needs_justification: bool
    rule: str
    reason: str
    loses_access_at_afschaling: bool

    @classmethod
    def of(cls, line: AccessLine) -> AccessLineOut:
        return cls(
            document_id=line.document_id,
            file_name=line.file_name,
            username=line.username,
            can_download=line.can_download,
            needs_justification=line.needs_justification,
            rule=line.rule,
            reason=line.reason,
            loses_access_at_afschaling=line.loses_access_at_afschaling,
        )
