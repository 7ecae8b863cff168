"""Documents with their restrictions, and the provider's approvals for later phases."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import Approval, Document
from portal.domain import cases, documents, partijen


def _document(
    row: dict[str, Any], approvals: tuple[documents.Approval, ...] = ()
) -> documents.Document:
    consent = row["consent"]
    return documents.Document(
        id=documents.DocumentId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        phase=cases.Phase(row["phase"]),
        provider_id=partijen.PartijId(UUID(str(row["provider"]))),
        provider_kind=partijen.PartijKind(row["provider_kind"]),
        uploaded_by=partijen.UserId(UUID(str(row["uploaded_by"]))),
        file_name=row["file_name"],
        media_type=row["media_type"],
        size=int(row["size"]),
        sha256=row["sha256"],
        object_key=row["object_key"],
        restrictions=documents.Restrictions(
            purposes=frozenset(cases.Purpose(code) for code in row["purposes"]),
            data_categories=frozenset(documents.DataCategory(c) for c in row["data_categories"]),
            legal_basis=documents.LegalBasis(row["legal_basis"]),
            consent_id=documents.ConsentId(UUID(str(consent))) if consent else None,
        ),
        description=row["description"],
        created_at=row["created_at"],
        approvals=approvals,
    )


def _document_query() -> Any:
    return Document.select(
        *Document.all_columns(), Document.provider.kind.as_alias("provider_kind")
    ).output(load_json=True)


async def _approvals_of(document_ids: list[UUID]) -> dict[str, tuple[documents.Approval, ...]]:
    if not document_ids:
        return {}
    rows = (
        await Approval.select()
        .where(Approval.document.is_in(document_ids))
        .order_by(Approval.approved_at)
        .output(load_json=True)
    )
    found: dict[str, list[documents.Approval]] = {}
    for row in rows:
        found.setdefault(str(row["document"]), []).append(
            documents.Approval(
                phase=cases.Phase(row["phase"]),
                purposes=frozenset(cases.Purpose(p) for p in row["purposes"]),
                approved_at=row["approved_at"],
            )
        )
    return {key: tuple(value) for key, value in found.items()}


def _document_row(document: documents.Document) -> Document:
    restrictions = document.restrictions
    return Document(
        id=document.id,
        casus=document.case_id,
        phase=document.phase.value,
        provider=document.provider_id,
        uploaded_by=document.uploaded_by,
        file_name=document.file_name,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        object_key=document.object_key,
        purposes=sorted(p.value for p in restrictions.purposes),
        data_categories=sorted(c.value for c in restrictions.data_categories),
        legal_basis=restrictions.legal_basis.value,
        consent=restrictions.consent_id,
        description=document.description,
        created_at=document.created_at,
    )


async def insert_document(document: documents.Document) -> None:
    await Document.insert(_document_row(document))


async def document_by_id(document_id: UUID) -> documents.Document | None:
    row = await _document_query().where(Document.id == document_id).first()
    if row is None:
        return None
    approvals = await _approvals_of([document_id])
    return _document(row, approvals.get(str(document_id), ()))


async def documents_of_case(case_id: UUID) -> list[documents.Document]:
    rows = await _document_query().where(Document.casus == case_id).order_by(Document.created_at)
    approvals = await _approvals_of([row["id"] for row in rows])
    return [_document(row, approvals.get(str(row["id"]), ())) for row in rows]


async def document_ids_of_case(case_id: UUID) -> frozenset[documents.DocumentId]:
    rows = await Document.select(Document.id).where(Document.casus == case_id)
    return frozenset(documents.DocumentId(UUID(str(row["id"]))) for row in rows)


async def documents_uploaded_by(user_id: UUID) -> list[documents.Document]:
    """Every document the user uploaded: the uploader always sees their own metadata."""
    rows = (
        await _document_query().where(Document.uploaded_by == user_id).order_by(Document.created_at)
    )
    approvals = await _approvals_of([row["id"] for row in rows])
    return [_document(row, approvals.get(str(row["id"]), ())) for row in rows]


async def insert_approval(
    *,
    document_id: UUID,
    phase: cases.Phase,
    purposes: frozenset[cases.Purpose],
    approved_by: UUID,
    now: datetime,
) -> None:
    await Approval.insert(
        Approval(
            document=document_id,
            phase=phase.value,
            purposes=sorted(p.value for p in purposes),
            approved_by=approved_by,
            approved_at=now,
        )
    )
