"""The providing partij's say over its documents: re-approval for a new phase (art. 3.5b-c)
and further use by a recipient for its own tasks (art. 3.5d)."""

from __future__ import annotations

import uuid

from portal.db import documents as documents_db
from portal.db import further_use as further_use_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Phase, Purpose
from portal.domain.documents import Document, approval_purposes
from portal.domain.refusal_codes import RefusalCode
from portal.domain.rules import Rule
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.documents import document_and_case, readable_document
from portal.services.errors import Conflict, InvalidInput, NotFound


async def approve_document(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    phase: Phase,
    purposes: frozenset[Purpose] | None,
    audit: AuditLog,
    clock: Clock,
) -> Document:
    """The provider re-approves its document for the case's current phase (art. 3.5b, c).

    Not gated by who may see the case: after afschaling the provider no longer sees it,
    yet it stays controller of what it provided and alone decides its use for overdracht.
    """
    document, facts = await document_and_case(document_id)
    now = clock()
    chosen = approval_purposes(phase, purposes)
    decision = access.may_approve(
        context.actor, document, facts, phase=phase, purposes=chosen, now=now
    )
    record = audit.about(context, at=now, case=facts.case, document=document)
    if not decision.allowed:
        refusal = await record.deny_by(Action.DOCUMENT_APPROVE_DENIED, decision)
        if (
            decision.rule is Rule.DOCUMENT_APPROVE_PROVIDER
            and not access.may_see_document(context.actor, document, facts, now=now).allowed
        ):
            # Someone with no part in the case learns nothing of the document.
            raise NotFound(f"no document {document_id}")
        raise refusal
    async with write_transaction():
        await documents_db.insert_approval(
            document_id=document.id,
            phase=phase,
            purposes=chosen,
            approved_by=context.actor.user_id,
            now=now,
        )
        await record.succeed(
            Action.DOCUMENT_APPROVE, f"{decision.reason}; purposes {', '.join(sorted(chosen))}"
        )
    approved = await documents_db.document_by_id(document.id)
    if approved is None:  # pragma: no cover - the document was just read
        raise NotFound(f"no document {document_id}")
    return approved


async def request_further_use(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    description: str,
    audit: AuditLog,
    clock: Clock,
) -> uuid.UUID:
    """A participant asks to use another partij's document for its own tasks (art. 3.5d)."""
    document, facts = await readable_document(context, document_id, audit=audit, clock=clock)
    now = clock()
    decision = access.may_request_further_use(context.actor, document, facts, now=now)
    record = audit.about(context, at=now, case=facts.case, document=document)
    if not decision.allowed:
        raise await record.deny_by(Action.FURTHER_USE_REQUEST_DENIED, decision)
    if not description.strip():
        raise InvalidInput(
            "describe the task the document would be used for", code=RefusalCode.REASON_REQUIRED
        )
    async with write_transaction():
        request_id = await further_use_db.insert_further_use_request(
            document_id=document.id, actor=context.actor, description=description.strip(), now=now
        )
        await record.succeed(
            Action.FURTHER_USE_REQUEST, f"request {request_id}: {description.strip()}"
        )
    return request_id


async def decide_further_use(
    context: RequestContext,
    *,
    request_id: uuid.UUID,
    approve: bool,
    reason: str,
    audit: AuditLog,
    clock: Clock,
) -> None:
    """The providing partij approves or refuses a request for further use (art. 3.5d)."""
    request = await further_use_db.further_use_request(request_id)
    if request is None:
        raise NotFound(f"no further-use request {request_id}")
    document, facts = await readable_document(
        context, request.document_id, audit=audit, clock=clock
    )
    now = clock()
    decision = access.may_decide_further_use(context.actor, document)
    record = audit.about(context, at=now, case=facts.case, document=document)
    if not decision.allowed:
        raise await record.deny_by(Action.FURTHER_USE_DECIDE_DENIED, decision)
    if request.decided_at is not None:
        raise Conflict(
            f"request {request_id} was decided already", code=RefusalCode.ALREADY_DECIDED
        )
    async with write_transaction():
        await further_use_db.decide_further_use(
            request_id=request_id,
            approved=approve,
            decided_by=context.actor.user_id,
            reason=reason.strip(),
            now=now,
        )
        await record.succeed(
            Action.FURTHER_USE_DECIDE,
            f"request {request_id} {'approved' if approve else 'refused'}: {reason.strip()}",
        )
