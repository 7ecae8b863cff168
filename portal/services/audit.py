"""Recording what happened: every decision and state change leaves an audit record.

Fail closed: if the record cannot be written, :func:`record` raises ``AuditUnavailable``
and the caller does not go ahead with the action it was about to take.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from portal.db import repositories
from portal.domain.audit import Action, AuditEntry, Outcome, ProcessingActivity
from portal.domain.cases import Case
from portal.domain.documents import Document
from portal.domain.parties import Actor
from portal.services.errors import AuditUnavailable, Forbidden

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Who asks, from where, within which trace: what every audit record carries."""

    actor: Actor
    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None


def entry(
    context: RequestContext,
    action: Action,
    outcome: Outcome,
    *,
    reason: str,
    started_at: datetime,
    ended_at: datetime | None = None,
    activity: ProcessingActivity,
    case: Case | None = None,
    document: Document | None = None,
    purpose: str | None = None,
    justification: str | None = None,
) -> AuditEntry:
    actor = context.actor
    return AuditEntry(
        started_at=started_at,
        ended_at=ended_at or started_at,
        action=action,
        outcome=outcome,
        reason=reason,
        actor_user_id=str(actor.user_id),
        actor_username=actor.username,
        actor_partij_id=str(actor.partij_id),
        actor_role=",".join(sorted(actor.roles)),
        case_id=str(case.id) if case else (str(document.case_id) if document else None),
        phase=str(case.phase) if case else None,
        document_id=str(document.id) if document else None,
        document_sha256=document.sha256 if document else None,
        purpose=purpose,
        justification=justification,
        legal_basis=str(document.restrictions.legal_basis) if document else None,
        consent_id=(
            str(document.restrictions.consent_id)
            if document and document.restrictions.consent_id
            else None
        ),
        client_address=context.client_address,
        user_agent=context.user_agent,
        trace_id=context.trace_id,
        span_id=context.span_id,
        processing_activity=activity,
    )


async def record(audit_entry: AuditEntry) -> int:
    try:
        return await repositories.append_audit(audit_entry)
    except Exception as exc:
        # The operator needs to know at once: while this fails, no document leaves.
        log.exception("audit log write failed for %s; refusing the action", audit_entry.action)
        raise AuditUnavailable(
            "the audit log cannot be written right now, so nothing was done; try again later"
        ) from exc


def finished(
    audit_entry: AuditEntry, action: Action, outcome: Outcome, *, reason: str, at: datetime
) -> AuditEntry:
    """The record of how an event that was permitted earlier ended."""
    return replace(audit_entry, action=action, outcome=outcome, reason=reason, ended_at=at)


async def denial(
    context: RequestContext,
    action: Action,
    reason: str,
    *,
    at: datetime,
    activity: ProcessingActivity,
    case: Case | None = None,
    document: Document | None = None,
    purpose: str | None = None,
) -> Forbidden:
    """Record a refusal and return the error to raise: every denial is on record."""
    await record(
        entry(
            context,
            action,
            Outcome.DENY,
            reason=reason,
            started_at=at,
            activity=activity,
            case=case,
            document=document,
            purpose=purpose,
        )
    )
    return Forbidden(reason)


async def success(
    context: RequestContext,
    action: Action,
    reason: str,
    *,
    at: datetime,
    activity: ProcessingActivity,
    case: Case | None = None,
    document: Document | None = None,
) -> None:
    await record(
        entry(
            context,
            action,
            Outcome.SUCCESS,
            reason=reason,
            started_at=at,
            activity=activity,
            case=case,
            document=document,
        )
    )
