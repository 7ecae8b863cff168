"""Consent, recorded by the partij that obtained it, and its withdrawal (art. 7.2, 13.7)."""

from __future__ import annotations

import uuid
from datetime import datetime

from portal.db import consents as consents_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.consents import Consent
from portal.domain.refusal_codes import RefusalCode
from portal.domain.register import ProcessingActivity
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.errors import InvalidInput, NotFound

CONSENT = ProcessingActivity.CONSENT_REGISTRATION


async def record_consent(
    context: RequestContext,
    *,
    subject_pseudonym: str,
    scope: str,
    obtained_by: str,
    obtained_at: datetime,
    audit: AuditLog,
    clock: Clock,
) -> Consent:
    now = clock()
    decision = access.may_record_consent(context.actor)
    record = audit.about(context, at=now)
    if not decision.allowed:
        raise await record.deny_by(Action.CONSENT_RECORD_DENIED, decision)
    if not (subject_pseudonym.strip() and scope.strip() and obtained_by.strip()):
        raise InvalidInput("subject_pseudonym, scope and obtained_by are all required")
    if obtained_at.tzinfo is None or obtained_at > now:
        raise InvalidInput(
            "obtained_at is a moment in the past, with a time zone", code=RefusalCode.INVALID_DATE
        )
    async with write_transaction():
        consent = await consents_db.insert_consent(
            partij_id=context.actor.partij_id,
            subject_pseudonym=subject_pseudonym.strip(),
            scope=scope.strip(),
            obtained_by=obtained_by.strip(),
            obtained_at=obtained_at,
            recorded_by=context.actor.user_id,
            now=now,
        )
        await record.succeed(Action.CONSENT_RECORD, f"consent {consent.id} recorded")
    return consent


async def withdraw_consent(
    context: RequestContext, *, consent_id: uuid.UUID, reason: str, audit: AuditLog, clock: Clock
) -> Consent:
    now = clock()
    consent = await consents_db.consent_by_id(consent_id)
    if consent is None:
        raise NotFound(f"no consent {consent_id}")
    decision = access.may_withdraw_consent(context.actor, consent)
    record = audit.about(context, at=now)
    if not decision.allowed:
        raise await record.deny_by(Action.CONSENT_WITHDRAW_DENIED, decision)
    async with write_transaction():
        await consents_db.withdraw_consent(consent_id=consent.id, reason=reason.strip(), now=now)
        # Art. 13.7: every recipient's permission lapses with it; downloads check it each time.
        await record.succeed(
            Action.CONSENT_WITHDRAW,
            f"consent {consent.id} withdrawn: {reason.strip() or 'no reason given'}",
        )
    withdrawn = await consents_db.consent_by_id(consent_id)
    if withdrawn is None:  # pragma: no cover - the row was just updated
        raise NotFound(f"no consent {consent_id}")
    return withdrawn
