"""Recording what happened: every decision and state change leaves an audit record.

Fail closed: if the record cannot be written, :func:`record` raises ``AuditUnavailable``
and the caller does not go ahead with the action it was about to take.

Every record about a case carries the pseudonym of the person the case is about, a keyed
hash with a key derived from the master key. The composition root hands that key over
once, with :func:`use_pseudonym_key`, before any request is served; a record about a case
written without it would be unfindable for an inzage request, so :func:`record` refuses
(fail closed) rather than write one.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from portal.db import audit_log as audit_log_db
from portal.domain.actions import Action, Outcome
from portal.domain.audit import AuditEntry, case_subject_reference, subject_pseudonym
from portal.domain.cases import Case
from portal.domain.documents import Document
from portal.domain.partijen import Actor
from portal.domain.register import ProcessingActivity
from portal.services.clock import Clock
from portal.services.errors import AuditUnavailable, Forbidden

log = logging.getLogger(__name__)

PSEUDONYM_KEY_PURPOSE = "audit-pseudonyms"
"""The name under which the master key derives the pseudonym key (``MasterKey.key_for``)."""

_pseudonym_key: bytes | None = None


def use_pseudonym_key(key: bytes) -> None:
    """Set the key data-subject pseudonyms are made with (composition root only)."""
    global _pseudonym_key  # noqa: PLW0603 - one process-wide key, set once at start like the engine
    _pseudonym_key = key


def pseudonym_of_case(case_id: str) -> str:
    if _pseudonym_key is None:
        raise AuditUnavailable("the audit log has no pseudonym key; the portal is misconfigured")
    return subject_pseudonym(_pseudonym_key, case_subject_reference(case_id))


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
        provider_partij_id=str(document.provider_id) if document else None,
        data_categories=(
            ",".join(sorted(document.restrictions.data_categories)) if document else None
        ),
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
    if audit_entry.case_id is not None and audit_entry.data_subject_ref is None:
        audit_entry = replace(audit_entry, data_subject_ref=pseudonym_of_case(audit_entry.case_id))
    try:
        return await audit_log_db.append_audit(audit_entry)
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
    await record_denial(
        context,
        action,
        reason,
        at=at,
        activity=activity,
        case=case,
        document=document,
        purpose=purpose,
    )
    return Forbidden(reason)


async def record_denial(
    context: RequestContext,
    action: Action,
    reason: str,
    *,
    at: datetime,
    activity: ProcessingActivity,
    case: Case | None = None,
    document: Document | None = None,
    purpose: str | None = None,
) -> None:
    """Record a refusal whose error is not a plain 403 (not found, bad input, conflict)."""
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


async def record_failed_login(
    *,
    reason: str,
    client_address: str | None,
    user_agent: str | None,
    trace_id: str | None,
    span_id: str | None,
    clock: Clock,
) -> None:
    """Record a refused bearer token: from where, never the token's text.

    Successful authentication is not recorded per request (see ``Action.AUTH_LOGIN_FAILED``).
    A failure to record is logged, not raised: the request is refused either way.
    """
    now = clock()
    # A failure to record is logged by record(); the caller answers 401 regardless.
    with contextlib.suppress(AuditUnavailable):
        await record(
            AuditEntry(
                started_at=now,
                ended_at=now,
                action=Action.AUTH_LOGIN_FAILED,
                outcome=Outcome.DENY,
                processing_activity=ProcessingActivity.ACCESS_MANAGEMENT,
                reason=reason,
                client_address=client_address,
                user_agent=user_agent,
                trace_id=trace_id,
                span_id=span_id,
            )
        )
