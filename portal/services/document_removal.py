"""A providing partij removes its own document from a case (art. 2.1, 3.5c, 11.1).

The order follows the destruction of a case (``portal.services.retention``), for one
document: first its rows go, in one transaction with the ``document:remove`` record, so
from that commit no process shows or serves it; then every stored version of its object.
The case key stays (it locks the case's other documents), so the old ciphertext is no
longer crypto-shredded by this step alone; if deleting the object fails, the object stays
under ``cases/<case>/``, where the case's own destruction removes it.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from portal.db import retention as retention_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.documents import DocumentId
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import facts_of
from portal.services.clock import Clock
from portal.services.documents import readable_document
from portal.services.errors import NotFound
from storage import ObjectStore


@dataclass(frozen=True, kw_only=True)
class Removal:
    document_id: DocumentId
    versions: int
    """How many stored versions of the document's object were deleted."""
    rows: dict[str, int]


async def remove_document(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    reason: str,
    store: ObjectStore,
    audit: AuditLog,
    clock: Clock,
) -> Removal:
    document, facts = await readable_document(context, document_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=facts.case, document=document)
    decision: Decision
    async with write_transaction():
        # A hold placed at the same moment takes the same lock: one of the two goes first.
        await retention_db.lock_case_row(facts.case.id)
        facts = await facts_of(facts.case.id)
        decision = access.may_remove_document(
            context.actor, document, facts, reason=reason, now=now
        )
        if decision.allowed:
            rows = await retention_db.erase_document_rows(document.id)
            if not rows.get("document"):
                raise NotFound(f"no document {document_id}")
            await record.succeed(
                Action.DOCUMENT_REMOVE,
                f"{decision.reason}: {reason.strip()}; every version of its object is deleted",
            )
    if not decision.allowed:
        raise await record.refuse(Action.DOCUMENT_REMOVE_DENIED, decision)
    versions = await asyncio.to_thread(store.delete, document.object_key)
    await retention_db.clear_deleted_rows()
    return Removal(document_id=document.id, versions=versions, rows=rows)
