"""Access per RTO participant, granted and revoked by the procesregisseur; archive admissions.

Each decision is taken inside the write transaction, so it sees the state it changes; a
denial is recorded after that transaction has ended, because a refusal raised inside it
would roll its own record back.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.grants import Grant
from portal.domain.register import ProcessingActivity
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import case_facts, visible_case
from portal.services.clock import Clock
from portal.services.errors import InvalidInput, NotFound

ACCESS = ProcessingActivity.ACCESS_MANAGEMENT


async def grant_access(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    username: str,
    until: datetime | None,
    audit: AuditLog,
    clock: Clock,
) -> Grant:
    case = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    grantee = await partijen_db.actor_by_username(username)
    if grantee is None:
        raise NotFound(f"no user named {username!r}")
    if until is not None and until.tzinfo is None:
        raise InvalidInput("until must carry a time zone, e.g. 2026-06-01T00:00:00Z")
    grant: Grant | None = None
    record = audit.about(context, at=now, case=case)
    async with write_transaction():
        decision = access.may_grant(
            context.actor, grantee, await case_facts(case), until=until, now=now
        )
        if decision.allowed:
            grant = await grants_db.insert_grant(
                case_id=case.id,
                user_id=grantee.user_id,
                granted_by=context.actor.user_id,
                until=until,
                now=now,
            )
            await record.succeed(
                Action.GRANT_CREATE,
                f"{decision.reason} (grant {grant.id}, until {until or 'afschaling'})",
            )
    if grant is None:
        raise await record.deny(Action.GRANT_CREATE_DENIED, decision.reason)
    return grant


async def case_grants(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> list[Grant]:
    case = await visible_case(context, case_id, audit=audit, clock=clock)
    return list(await grants_db.grants_of_case(case.id))


async def grant_details(
    context: RequestContext, *, grant_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> Grant:
    """One grant, for those who may see its case (else NotFound, audited)."""
    grant = await grants_db.grant_by_id(grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    await visible_case(context, grant.case_id, audit=audit, clock=clock)
    return grant


async def revoke_grant(
    context: RequestContext, *, grant_id: uuid.UUID, reason: str, audit: AuditLog, clock: Clock
) -> Grant:
    grant = await grants_db.grant_by_id(grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    case = await visible_case(context, grant.case_id, audit=audit, clock=clock)
    now = clock()
    if not reason.strip():
        raise InvalidInput("give the reason for revoking the grant")
    decision: Decision
    record = audit.about(context, at=now, case=case)
    async with write_transaction():
        decision = access.may_revoke_grant(context.actor, grant, await case_facts(case), now=now)
        if decision.allowed:
            await grants_db.revoke_grant(
                grant_id=grant.id, revoked_by=context.actor.user_id, reason=reason.strip(), now=now
            )
            await record.succeed(
                Action.GRANT_REVOKE,
                f"grant {grant.id} of user {grant.user_id} revoked: {reason.strip()}",
            )
    if not decision.allowed:
        raise await record.deny(Action.GRANT_REVOKE_DENIED, decision.reason)
    revoked = await grants_db.grant_by_id(grant_id)
    if revoked is None:  # pragma: no cover - the row was just updated
        raise NotFound(f"no grant {grant_id}")
    return revoked


async def admit_to_archive(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    username: str,
    reason: str,
    audit: AuditLog,
    clock: Clock,
) -> None:
    case = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    grantee = await partijen_db.actor_by_username(username)
    if grantee is None:
        raise NotFound(f"no user named {username!r}")
    if not reason.strip():
        raise InvalidInput("give the reason for the admission (art. 11.2b)")
    decision: Decision
    record = audit.about(context, at=now, case=case)
    async with write_transaction():
        decision = access.may_admit_to_archive(
            context.actor, grantee, await case_facts(case), now=now
        )
        if decision.allowed:
            await grants_db.insert_admission(
                case_id=case.id,
                user_id=grantee.user_id,
                admitted_by=context.actor.user_id,
                reason=reason.strip(),
                now=now,
            )
            await record.succeed(Action.ARCHIVE_ADMIT, f"{decision.reason}: {reason.strip()}")
    if not decision.allowed:
        raise await record.deny(Action.ARCHIVE_ADMIT_DENIED, decision.reason)
