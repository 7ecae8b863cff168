"""Admissions to an archived case: the manager decides who has access, with a reason and
an end, never for themselves; admissions are listed and can be revoked (art. 11.2b)."""

from __future__ import annotations

import uuid
from datetime import datetime

from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.grants import ArchiveAdmission
from portal.domain.refusal_codes import RefusalCode
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import case_register_entry, facts_of
from portal.services.clock import Clock
from portal.services.errors import InvalidInput, NotFound


async def admit_to_archive(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    username: str,
    reason: str,
    until: datetime,
    audit: AuditLog,
    clock: Clock,
) -> ArchiveAdmission:
    entry = await case_register_entry(context, case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=entry.case)
    admittee = await partijen_db.actor_by_username(username)
    if admittee is None:
        raise InvalidInput(f"no user named {username!r}", code=RefusalCode.UNKNOWN_USER)
    if until.tzinfo is None:
        raise InvalidInput(
            "until must carry a time zone, e.g. 2026-06-01T00:00:00Z",
            code=RefusalCode.INVALID_DATE,
        )
    decision: Decision
    async with write_transaction():
        facts = await facts_of(case_id)
        decision = access.may_admit_to_archive(
            context.actor, admittee, facts, reason=reason, until=until, now=now
        )
        if decision.allowed:
            admission = await grants_db.insert_admission(
                case_id=case_id,
                user_id=admittee.user_id,
                admitted_by=context.actor.user_id,
                reason=reason.strip(),
                until=until,
                now=now,
            )
            await record.succeed(
                Action.ARCHIVE_ADMIT, f"{decision.reason} until {until:%Y-%m-%d}: {reason.strip()}"
            )
            return admission
    raise await record.refuse(Action.ARCHIVE_ADMIT_DENIED, decision)


async def case_admissions(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> list[ArchiveAdmission]:
    """The admissions of a case, for the manager who decides them."""
    entry = await case_register_entry(context, case_id, audit=audit, clock=clock)
    now = clock()
    facts = await facts_of(case_id)
    decision = access.may_explain_access(context.actor, facts, now=now)
    if not decision.allowed:
        record = audit.about(context, at=now, case=entry.case)
        raise await record.refuse(Action.ACCESS_EXPLAIN_DENIED, decision)
    return list(facts.admissions)


async def revoke_admission(
    context: RequestContext,
    *,
    admission_id: uuid.UUID,
    reason: str,
    audit: AuditLog,
    clock: Clock,
) -> ArchiveAdmission:
    admission = await grants_db.admission_by_id(admission_id)
    if admission is None:
        raise NotFound(f"no archive admission {admission_id}")
    entry = await case_register_entry(context, admission.case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=entry.case)
    if not reason.strip():
        raise InvalidInput(
            "give the reason for revoking the admission", code=RefusalCode.REASON_REQUIRED
        )
    decision = access.may_revoke_admission(context.actor, admission, now=now)
    if not decision.allowed:
        raise await record.refuse(Action.ARCHIVE_REVOKE_DENIED, decision)
    async with write_transaction():
        await grants_db.revoke_admission(
            admission_id=admission.id,
            revoked_by=context.actor.user_id,
            reason=reason.strip(),
            now=now,
        )
        await record.succeed(
            Action.ARCHIVE_REVOKE,
            f"admission of user {admission.user_id} revoked: {reason.strip()}",
        )
    revoked = await grants_db.admission_by_id(admission_id)
    if revoked is None:  # pragma: no cover - the row was just updated
        raise NotFound(f"no archive admission {admission_id}")
    return revoked
