"""Legal holds: the manager keeps a case from destruction, with a reason, and lifts it again.

A held case is destroyed neither by the sweep nor early (``portal.services.retention``);
past +12 months it stays archived until the hold is lifted, and the first sweep after the
lift destroys it. Placing and destroying both lock the case's row first, so a hold never
lands on a case whose destruction has begun; the partial unique index
``legal_hold_one_open`` keeps one open hold per case whatever happens at the same moment.
"""

from __future__ import annotations

import uuid

from portal.db import holds as holds_db
from portal.db import retention as retention_db
from portal.db.transactions import is_unique_violation, write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.retention import LegalHold
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, Recording, RequestContext
from portal.services.cases import facts_of
from portal.services.clock import Clock
from portal.services.errors import Conflict


async def _recording(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> Recording:
    """The use case's page of the log, once the actor may know of the case (else 404)."""
    now = clock()
    facts = await facts_of(case_id)
    record = audit.about(context, at=now, case=facts.case)
    sight = access.may_see_retention_of(context.actor, facts, now=now)
    if not sight.allowed:
        raise await record.hide(Action.CASE_READ_DENIED, sight, f"case {case_id}")
    return record


async def place_hold(
    context: RequestContext, *, case_id: uuid.UUID, reason: str, audit: AuditLog, clock: Clock
) -> LegalHold:
    record = await _recording(context, case_id, audit=audit, clock=clock)
    now = record.at
    decision: Decision
    try:
        async with write_transaction():
            await retention_db.lock_case_row(case_id)
            facts = await facts_of(case_id)
            decision = access.may_place_hold(context.actor, facts, reason=reason, now=now)
            if decision.allowed:
                hold = await holds_db.insert_hold(
                    case_id=case_id,
                    placed_by=context.actor.user_id,
                    reason=reason.strip(),
                    now=now,
                )
                await record.succeed(Action.CASE_HOLD, f"{decision.reason}: {reason.strip()}")
                return hold
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # The row lock makes this unreachable in the portal; the index holds for any writer.
        refused = "the case is held already"
        await record.deny(Action.CASE_HOLD_DENIED, refused)
        raise Conflict(refused) from None
    raise await record.refuse(Action.CASE_HOLD_DENIED, decision)


async def lift_hold(
    context: RequestContext, *, case_id: uuid.UUID, reason: str, audit: AuditLog, clock: Clock
) -> LegalHold:
    record = await _recording(context, case_id, audit=audit, clock=clock)
    now = record.at
    decision: Decision
    async with write_transaction():
        await retention_db.lock_case_row(case_id)
        facts = await facts_of(case_id)
        decision = access.may_lift_hold(context.actor, facts, reason=reason, now=now)
        hold = await holds_db.open_hold_of_case(case_id) if decision.allowed else None
        if hold is not None:
            lifted = await holds_db.lift_hold(
                hold_id=hold.id, lifted_by=context.actor.user_id, reason=reason.strip(), now=now
            )
            if lifted is not None:
                await record.succeed(
                    Action.CASE_RELEASE_HOLD,
                    f"{decision.reason}; held since {hold.placed_at:%Y-%m-%d}: {reason.strip()}",
                )
                return lifted
    if decision.allowed:  # pragma: no cover - the row lock keeps the hold open until here
        raise Conflict("the hold was lifted meanwhile")
    raise await record.refuse(Action.CASE_RELEASE_HOLD_DENIED, decision)
