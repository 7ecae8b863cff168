"""What goes over the wire: msgspec structs, the codes of portal.domain as plain strings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from portal.domain.cases import Case, Phase, Purpose
from portal.domain.documents import DataCategory, Document, LegalBasis


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
