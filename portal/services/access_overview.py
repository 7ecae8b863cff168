"""Who can download what, right now, and why: the same decisions a download would make."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from portal.db import consents as consents_db
from portal.db import documents as documents_db
from portal.db import partijen as partijen_db
from portal.domain import access
from portal.domain.actions import Action
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import case_register_entry, facts_of
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
    part: str
    """Why the user is in the case (procesregisseur, grant, overdracht...) or ``none``."""
    ends_at: datetime | None
    ended_by: str | None


async def explain_access(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> list[AccessLine]:
    entry = await case_register_entry(context, case_id, audit=audit, clock=clock)
    now = clock()
    facts = await facts_of(case_id)
    decision = access.may_explain_access(context.actor, facts, now=now)
    record = audit.about(context, at=now, case=entry.case)
    if not decision.allowed:
        raise await record.refuse(Action.ACCESS_EXPLAIN_DENIED, decision)
    actors = await partijen_db.all_actors()
    lines = []
    for document in await documents_db.documents_of_case(case_id):
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
                    part=str(explained.part),
                    ends_at=explained.ends_at,
                    ended_by=str(explained.ended_by) if explained.ended_by else None,
                )
            )
    await record.succeed(Action.ACCESS_EXPLAIN, decision.reason)
    return lines
