"""Access per RTO participant, granted and revoked by a procesregisseur of the case.

Each decision is taken inside the write transaction, so it sees the state it changes; a
denial is recorded after that transaction has ended, because a refusal raised inside it
would roll its own record back. One open grant per user per case is held by the
database (a partial unique index): of two simultaneous grants, the second is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import is_unique_violation, write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Case
from portal.domain.documents import DocumentId
from portal.domain.grants import Grant, GrantEnd
from portal.domain.partijen import Actor
from portal.domain.refusal_codes import RefusalCode
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import facts_of, visible_case
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True, kw_only=True)
class GrantView:
    """A grant with its computed end, so an ended grant never looks active (art. 11.2)."""

    grant: Grant
    ends_at: datetime | None
    ended_by: GrantEnd | None
    active: bool


def grant_view(grant: Grant, case: Case, *, now: datetime) -> GrantView:
    return GrantView(
        grant=grant,
        ends_at=grant.ends_at(case),
        ended_by=grant.ended(case, now=now),
        active=grant.active(case, now=now),
    )


async def _grantee(username: str, until: datetime | None) -> Actor:
    """The user to be granted, with an ``until`` that says its time zone; else InvalidInput."""
    grantee = await partijen_db.actor_by_username(username)
    if grantee is None:
        raise InvalidInput(f"no user named {username!r}", code=RefusalCode.UNKNOWN_USER)
    if until is not None and until.tzinfo is None:
        raise InvalidInput(
            "until must carry a time zone, e.g. 2026-06-01T00:00:00Z",
            code=RefusalCode.INVALID_DATE,
        )
    return grantee


async def grant_access(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    username: str,
    until: datetime | None,
    documents: frozenset[DocumentId] | None,
    audit: AuditLog,
    clock: Clock,
) -> GrantView:
    facts = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=facts.case)
    try:
        grantee = await _grantee(username, until)
    except InvalidInput as exc:
        await record.deny(Action.GRANT_CREATE_DENIED, str(exc))  # a refusal is on record too
        raise
    decision: Decision
    try:
        async with write_transaction():
            facts = await facts_of(case_id)
            decision = access.may_grant(
                context.actor, grantee, facts, until=until, documents=documents, now=now
            )
            if decision.allowed:
                grant = await grants_db.insert_grant(
                    case_id=facts.case.id,
                    user_id=grantee.user_id,
                    granted_by=context.actor.user_id,
                    until=until,
                    documents=documents,
                    now=now,
                )
                limit = f", {len(documents)} document(s)" if documents is not None else ""
                await record.succeed(
                    Action.GRANT_CREATE,
                    f"{decision.reason} (grant {grant.id}, until {until or 'afschaling'}{limit})",
                )
                return grant_view(grant, facts.case, now=now)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # A simultaneous request granted the same user first: the index let only one in.
        reason = f"{grantee.username} already has access to this case"
        await record.deny(Action.GRANT_CREATE_DENIED, reason)
        raise Conflict(reason, code=RefusalCode.ALREADY_EXISTS) from None
    raise await record.refuse(Action.GRANT_CREATE_DENIED, decision)


async def case_grants(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> list[GrantView]:
    facts = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    return [grant_view(grant, facts.case, now=now) for grant in facts.grants]


async def grant_details(
    context: RequestContext, *, grant_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> GrantView:
    """One grant with its computed end, for those who may see its case (else NotFound)."""
    grant = await grants_db.grant_by_id(grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    facts = await visible_case(context, grant.case_id, audit=audit, clock=clock)
    return grant_view(grant, facts.case, now=clock())


async def revoke_grant(
    context: RequestContext, *, grant_id: uuid.UUID, reason: str, audit: AuditLog, clock: Clock
) -> GrantView:
    grant = await grants_db.grant_by_id(grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    facts = await visible_case(context, grant.case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=facts.case)
    if not reason.strip():
        raise InvalidInput(
            "give the reason for revoking the grant", code=RefusalCode.REASON_REQUIRED
        )
    decision: Decision
    async with write_transaction():
        facts = await facts_of(grant.case_id)
        decision = access.may_revoke_grant(context.actor, grant, facts, now=now)
        if decision.allowed:
            await grants_db.revoke_grant(
                grant_id=grant.id, revoked_by=context.actor.user_id, reason=reason.strip(), now=now
            )
            await record.succeed(
                Action.GRANT_REVOKE,
                f"grant {grant.id} of user {grant.user_id} revoked: {reason.strip()}",
            )
    if not decision.allowed:
        raise await record.refuse(Action.GRANT_REVOKE_DENIED, decision)
    revoked = await grants_db.grant_by_id(grant_id)
    if revoked is None:  # pragma: no cover - the row was just updated
        raise NotFound(f"no grant {grant_id}")
    return grant_view(revoked, facts.case, now=now)
