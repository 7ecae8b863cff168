"""Who can download what, right now, and why: the same decisions a download would make."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.db import consents as consents_db
from portal.db import documents as documents_db
from portal.db import partijen as partijen_db
from portal.domain import access
from portal.domain.actions import Action
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import case_facts, visible_case
from portal.services.clock import Clock


@dataclass(frozen=True, kw_only=True)
class AccessLine:
    document_id: uuid.UUID
    file_name: str
    username: str
    can_download: bool
    needs_justification: bool
    rule: str
    reason: str
    loses_access_at_afschaling: bool


async def explain_access(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> list[AccessLine]:
    case = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    decision = access.may_explain_access(context.actor)
    record = audit.about(context, at=now, case=case)
    if not decision.allowed:
        raise await record.deny(Action.ACCESS_EXPLAIN_DENIED, decision.reason)
    facts = await case_facts(case)
    actors = await partijen_db.all_actors()
    lines = []
    for document in await documents_db.documents_of_case(case.id):
        consent_id = document.restrictions.consent_id
        consent = await consents_db.consent_by_id(consent_id) if consent_id else None
        for actor in actors:
            explained = access.explain_download(actor, document, facts, consent=consent, now=now)
            lines.append(
                AccessLine(
                    document_id=document.id,
                    file_name=document.file_name,
                    username=actor.username,
                    can_download=explained.can_download,
                    needs_justification=explained.needs_justification,
                    rule=explained.rule,
                    reason=explained.reason,
                    loses_access_at_afschaling=explained.loses_access_at_afschaling,
                )
            )
    await record.succeed(Action.ACCESS_EXPLAIN, decision.reason)
    return lines
