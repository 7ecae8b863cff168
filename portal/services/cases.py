"""Cases (casussen): registration by the procesregisseur, and who may see them."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, replace

from crypto import CaseKeys, MasterKey
from portal.db import case_keys as case_keys_db
from portal.db import cases as cases_db
from portal.db import documents as documents_db
from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Case, CaseId, Phase
from portal.domain.grants import grants_ending_at_afschaling
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.errors import Conflict, Forbidden, InvalidInput, NotFound

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


@dataclass(frozen=True, kw_only=True)
class CaseKeyring:
    """What creating a case needs to give it its own key."""

    keys: CaseKeys
    master_key: MasterKey


async def create_case(
    context: RequestContext,
    *,
    reference: str,
    reported_by: uuid.UUID,
    keyring: CaseKeyring,
    audit: AuditLog,
    clock: Clock,
) -> Case:
    now = clock()
    decision = access.may_register_case(context.actor)
    if not decision.allowed:
        await audit.about(context, at=now).deny(Action.CASE_CREATE_DENIED, decision.reason)
        raise Forbidden(decision.reason)
    if not REFERENCE.match(reference):
        raise InvalidInput(
            "a case reference is 1 to 100 characters of letters, digits, '.', '_', '/' or '-'"
        )
    if await partijen_db.partij_by_id(reported_by) is None:
        raise InvalidInput(f"reported_by names no partij: {reported_by}")
    if await cases_db.case_by_reference(reference) is not None:
        raise Conflict(f"a case with reference {reference!r} exists already")
    case_id = CaseId(uuid.uuid4())
    secret = keyring.master_key.secret_for_case(str(case_id))
    # gpg is a blocking subprocess: keep it off the event loop.
    material = await asyncio.to_thread(keyring.keys.generate_case_key, str(case_id), secret=secret)
    try:
        async with write_transaction():
            case = await cases_db.insert_case(
                case_id=case_id, reference=reference, reported_by=reported_by, now=now
            )
            await case_keys_db.insert_case_key(case_id=case_id, material=material, now=now)
            await audit.about(context, at=now, case=case).succeed(
                Action.CASE_CREATE, decision.reason
            )
    except BaseException:
        await asyncio.to_thread(keyring.keys.forget_case_key, material.fingerprint)
        raise
    return case


async def case_facts(case: Case) -> access.CaseFacts:
    """Everything the access rules need about one case, loaded together."""
    return access.CaseFacts(
        case=case,
        providers=await documents_db.providers_of(case.id),
        grants=await grants_db.grants_of_case(case.id),
        admissions=await grants_db.admissions_of_case(case.id),
    )


async def visible_case(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> Case:
    """The case, if the actor may know of it; otherwise NotFound, as if it did not exist."""
    case = await cases_db.case_by_id(case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    decision = access.may_see_case(context.actor, await case_facts(case), now=clock())
    if not decision.allowed:
        await audit.about(context, at=clock(), case=case).deny(
            Action.CASE_READ_DENIED, decision.reason
        )
        # Not 403: whether a case exists about someone is itself personal data.
        raise NotFound(f"no case {case_id}")
    return case


async def visible_cases(context: RequestContext, *, clock: Clock) -> list[Case]:
    now = clock()
    result = []
    for case in await cases_db.all_cases():
        decision = access.may_see_case(context.actor, await case_facts(case), now=now)
        if decision.allowed:
            result.append(case)
    return result


async def change_phase(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    to: Phase,
    reason: str,
    audit: AuditLog,
    clock: Clock,
) -> Case:
    """Move a case one phase on; afschaling ends every grant and starts the timeline."""
    case = await visible_case(context, case_id, audit=audit, clock=clock)
    now = clock()
    decision = access.may_change_phase(context.actor, case, to=to)
    if not decision.allowed:
        await audit.about(context, at=now, case=case).deny(
            Action.CASE_PHASE_DENIED, decision.reason
        )
        raise Forbidden(decision.reason)
    if not reason.strip():
        raise InvalidInput("give the reason for the phase change")
    afschaling_at = now if to is Phase.AFSCHALING else None
    async with write_transaction():
        facts = await case_facts(case)
        await cases_db.set_phase(case_id=case.id, phase=to, afschaling_at=afschaling_at)
        moved = replace(case, phase=to, afschaling_at=afschaling_at or case.afschaling_at)
        record = audit.about(context, at=now, case=moved)
        await record.succeed(Action.CASE_PHASE, f"{decision.reason}: {reason.strip()}")
        if afschaling_at is not None:
            # Art. 11.2: all RTO participants' access ends at once; each end is on record.
            for grant in grants_ending_at_afschaling(facts.grants, case, at=now):
                await record.succeed(
                    Action.GRANT_END, f"grant {grant.id} of user {grant.user_id} ends at afschaling"
                )
    return moved
