"""A document's metadata, for those who may know of it; shared by downloads and approvals.

Uploads are :mod:`portal.services.uploads`, downloads :mod:`portal.services.downloads`,
the provider's decisions about its documents :mod:`portal.services.approvals`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.db import cases as cases_db
from portal.db import documents as documents_db
from portal.db import partijen as partijen_db
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.documents import Document
from portal.domain.grants import Grant
from portal.domain.partijen import PartijId
from portal.services.audit import About, AuditLog, RequestContext
from portal.services.cases import case_facts, visible_case
from portal.services.clock import Clock
from portal.services.errors import NotFound


async def document_and_case(document_id: uuid.UUID) -> tuple[Document, access.CaseFacts]:
    """The document and what the rules need about its case, or NotFound."""
    document = await documents_db.document_by_id(document_id)
    case = await cases_db.case_by_id(document.case_id) if document else None
    if document is None or case is None:
        raise NotFound(f"no document {document_id}")
    return document, await case_facts(case)


async def readable_document(
    context: RequestContext,
    document_id: uuid.UUID,
    *,
    audit: AuditLog,
    clock: Clock,
    purpose: str | None = None,
) -> tuple[Document, access.CaseFacts]:
    """The document and its case if the actor may know of it, else NotFound (audited)."""
    document, facts = await document_and_case(document_id)
    seen = access.may_see_document(context.actor, document, facts, now=clock())
    if not seen.allowed:
        action = Action.DOCUMENT_DOWNLOAD_DENIED if purpose else Action.DOCUMENT_READ_DENIED
        about: About = {"case": facts.case, "document": document}
        if purpose:
            about["purpose"] = purpose
        await audit.about(context, at=clock(), **about).deny(action, seen.reason)
        # Not 403: that a document exists in a case is itself personal data.
        raise NotFound(f"no document {document_id}")
    return document, facts


async def document_metadata(
    context: RequestContext, document_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> Document:
    document, _ = await readable_document(context, document_id, audit=audit, clock=clock)
    return document


async def visible_case_documents(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> list[Document]:
    """The documents of a case the actor may see, if they have a part in the case (else
    NotFound, audited). A grant limited to listed documents shows only those (art. 9.6)."""
    return (await case_overview(context, case_id, audit=audit, clock=clock)).documents


@dataclass(frozen=True, kw_only=True)
class CaseOverview:
    """What the case page shows its reader: the case, their own grant, their documents."""

    facts: access.CaseFacts
    documents: list[Document]
    grant: Grant | None
    """The reader's own grant on the case, the latest one; None if they have a part in it
    without one (its procesregisseur, its aanmelder)."""
    provider_names: dict[PartijId, str]


async def case_overview(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> CaseOverview:
    """The case and the documents the actor may see, as ``visible_case_documents``."""
    facts = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    found = [
        document
        for document in await documents_db.documents_of_case(case_id)
        if access.may_see_document(context.actor, document, facts, now=now).allowed
    ]
    own = [grant for grant in facts.grants if grant.user_id == context.actor.user_id]
    names: dict[PartijId, str] = {}
    for provider_id in {document.provider_id for document in found}:
        partij = await partijen_db.partij_by_id(provider_id)
        names[provider_id] = partij.name if partij else ""
    return CaseOverview(
        facts=facts,
        documents=found,
        grant=max(own, key=lambda grant: grant.granted_at) if own else None,
        provider_names=names,
    )
