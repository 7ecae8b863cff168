"""A case's course: one phase on, closed before an RTO, and who its procesregisseurs are.

Each decision is taken inside the write transaction, so it sees the state it changes; a
refusal is recorded after that transaction, because a refusal raised inside it would roll
its own record back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from portal.db import cases as cases_db
from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import ClosingReason, Phase
from portal.domain.documents import DocumentId
from portal.domain.grants import Handover, grants_ending_at_afschaling, handover_window_ends
from portal.domain.intake import MAX_REASON_LENGTH, free_text_problem
from portal.domain.partijen import Actor
from portal.domain.refusal_codes import RefusalCode
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import CaseEntry, case_register_entry, facts_of, visible_case
from portal.services.clock import Clock
from portal.services.errors import InvalidInput


@dataclass(frozen=True, kw_only=True)
class HandoverRequest:
    """Bijlage 2 "overdracht": whom the procesregisseur names, and which documents."""

    casusregisseur: str
    documents: frozenset[DocumentId]


def _checked_text(name: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"give the {name}", code=RefusalCode.REASON_REQUIRED)
    if (problem := free_text_problem(f"the {name}", text, limit=MAX_REASON_LENGTH)) is not None:
        raise InvalidInput(problem, code=RefusalCode.TEXT_NOT_ACCEPTED)
    return text


async def change_phase(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    to: Phase,
    reason: str,
    decided_at: datetime | None,
    handover: HandoverRequest | None,
    handover_days: int,
    audit: AuditLog,
    clock: Clock,
) -> CaseEntry:
    """Move a case one phase on. Afschaling carries the RTO's decision date, ends every
    grant at once (art. 11.2) and may name the hand-over to the casusregisseur."""
    facts = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=facts.case)
    text = _checked_text("reason for the phase change", reason)
    recipient = None
    if handover is not None:
        recipient = await partijen_db.actor_by_username(handover.casusregisseur)
        if recipient is None:
            raise InvalidInput(
                f"no user named {handover.casusregisseur!r}", code=RefusalCode.UNKNOWN_USER
            )
    decision: Decision
    async with write_transaction():
        facts = await facts_of(case_id)
        decision = access.may_change_phase(
            context.actor, facts, to=to, decided_at=decided_at, now=now
        )
        if decision.allowed and handover is not None and recipient is not None:
            decision = access.may_hand_over(
                context.actor, recipient, facts, documents=handover.documents, now=now
            )
        if decision.allowed:
            case = facts.case
            await cases_db.set_phase(case_id=case.id, phase=to, decided_at=decided_at, now=now)
            moved = replace(case, phase=to, phase_changed_at=now, decided_at=decided_at)
            record = audit.about(context, at=now, case=moved)
            await record.succeed(Action.CASE_PHASE, f"from {case.phase} to {to}: {text}")
            if decided_at is not None:
                # Art. 11.2: all RTO participants' access ends at once; each end is on record.
                for grant in grants_ending_at_afschaling(facts.grants, case, at=now):
                    await record.succeed(
                        Action.GRANT_END, f"grant {grant.id} of user {grant.user_id} ends"
                    )
                await grants_db.close_grants_of_case(case_id=case.id, at=decided_at)
            if handover is not None and recipient is not None:
                await cases_db.insert_handover(
                    Handover(
                        case_id=case.id,
                        casusregisseur=recipient.user_id,
                        documents=handover.documents,
                        named_by=context.actor.user_id,
                        named_at=now,
                        window_ends_at=handover_window_ends(now, days=handover_days),
                    )
                )
                await record.succeed(Action.HANDOVER_NAME, decision.reason)
            return CaseEntry(case=moved, procesregisseurs=facts.procesregisseurs)
    raise await record.refuse(Action.CASE_PHASE_DENIED, decision)


async def close_case(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    reason: ClosingReason,
    explanation: str,
    decided_at: datetime | None,
    audit: AuditLog,
    clock: Clock,
) -> CaseEntry:
    """Close a case at aanmelding or triage (not admitted, routed elsewhere); it then
    follows the afschaling timeline from ``decided_at`` (art. 1.21, 11.2)."""
    facts = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=facts.case)
    text = _checked_text("explanation of the closing", explanation)
    decision: Decision
    async with write_transaction():
        facts = await facts_of(case_id)
        decision = access.may_close_case(
            context.actor, facts, reason=reason, decided_at=decided_at, now=now
        )
        if decision.allowed and decided_at is not None:
            case = facts.case
            await cases_db.close_case(
                case_id=case.id, reason=reason, explanation=text, decided_at=decided_at
            )
            await grants_db.close_grants_of_case(case_id=case.id, at=decided_at)
            closed = replace(case, closed_reason=reason, decided_at=decided_at)
            await audit.about(context, at=now, case=closed).succeed(
                Action.CASE_CLOSE, f"{decision.reason}: {text}"
            )
            return CaseEntry(case=closed, procesregisseurs=facts.procesregisseurs)
    raise await record.refuse(Action.CASE_CLOSE_DENIED, decision)


async def _assignee(username: str) -> Actor:
    assignee = await partijen_db.actor_by_username(username)
    if assignee is None:
        raise InvalidInput(f"no user named {username!r}", code=RefusalCode.UNKNOWN_USER)
    return assignee


async def assign_procesregisseur(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    username: str,
    reason: str,
    audit: AuditLog,
    clock: Clock,
) -> CaseEntry:
    """Assign another procesregisseur to the case (by one of its own or the manager), so a
    colleague can take it over (art. 1.22); on record with the reason."""
    entry = await case_register_entry(context, case_id, audit=audit, clock=clock)
    now = clock()
    record = audit.about(context, at=now, case=entry.case)
    try:
        reason = _checked_text("reason", reason)
        assignee = await _assignee(username)
    except InvalidInput as exc:
        await record.deny(Action.CASE_ASSIGN_DENIED, str(exc))  # a refusal is on record too
        raise
    decision: Decision
    async with write_transaction():
        facts = await facts_of(case_id)
        decision = access.may_assign_procesregisseur(
            context.actor, assignee, facts, reason=reason, now=now
        )
        if decision.allowed:
            await cases_db.insert_assignment(
                case_id=case_id,
                user_id=assignee.user_id,
                assigned_by=context.actor.user_id,
                reason=reason.strip(),
                now=now,
            )
            await record.succeed(Action.CASE_ASSIGN, f"{decision.reason}: {reason.strip()}")
            return CaseEntry(
                case=facts.case, procesregisseurs=facts.procesregisseurs | {assignee.user_id}
            )
    raise await record.refuse(Action.CASE_ASSIGN_DENIED, decision)
