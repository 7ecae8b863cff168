"""Cases (casussen): registration by the procesregisseur, and who may know of them.

A case is known at two depths (art. 9.6): its register entry (reference, phase, dates,
who is assigned), which every procesregisseur of the house and the manager see; and the
case itself (its documents, file names, grants), which only its people see. Anyone else
is answered as if the case did not exist, and the refusal is on record.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass

from crypto import CaseKeys, MasterKey
from portal.db import case_keys as case_keys_db
from portal.db import cases as cases_db
from portal.db import documents as documents_db
from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Case, CaseId
from portal.domain.partijen import Actor, Partij, UserId
from portal.domain.refusal_codes import RefusalCode
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


@dataclass(frozen=True, kw_only=True)
class CaseKeyring:
    """What creating a case needs to give it its own key."""

    keys: CaseKeys
    master_key: MasterKey


@dataclass(frozen=True, kw_only=True)
class CaseEntry:
    """A case's register entry: what its procesregisseurs and the manager see of it."""

    case: Case
    procesregisseurs: frozenset[UserId]


async def _reported(reference: str, reported_by: uuid.UUID, aanmelder: str) -> tuple[Partij, Actor]:
    """The reporting partij and its aanmelder, for a well-formed reference; else InvalidInput."""
    if not REFERENCE.match(reference):
        raise InvalidInput(
            "a case reference is 1 to 100 characters of letters, digits, '.', '_', '/' or '-'"
        )
    partij = await partijen_db.partij_by_id(reported_by)
    if partij is None:
        raise InvalidInput(
            f"reported_by names no partij: {reported_by}", code=RefusalCode.UNKNOWN_PARTIJ
        )
    reporter = await partijen_db.actor_by_username(aanmelder)
    if reporter is None:
        raise InvalidInput(f"aanmelder names no user: {aanmelder!r}", code=RefusalCode.UNKNOWN_USER)
    return partij, reporter


async def create_case(
    context: RequestContext,
    *,
    reference: str,
    reported_by: uuid.UUID,
    aanmelder: str,
    keyring: CaseKeyring,
    audit: AuditLog,
    clock: Clock,
) -> CaseEntry:
    """Register a case for the partij that reported it and its named aanmelder (1.18)."""
    now = clock()
    record = audit.about(context, at=now)
    try:
        partij, reporter = await _reported(reference, reported_by, aanmelder)
    except InvalidInput as exc:
        await record.deny(Action.CASE_CREATE_DENIED, str(exc))  # a refusal is on record too
        raise
    decision = access.may_register_case(context.actor, reported_by=partij, aanmelder=reporter)
    if not decision.allowed:
        raise await record.refuse(Action.CASE_CREATE_DENIED, decision)
    if await cases_db.case_by_reference(reference) is not None:
        raise Conflict(
            f"a case with reference {reference!r} exists already",
            code=RefusalCode.ALREADY_EXISTS,
        )
    case_id = CaseId(uuid.uuid4())
    secret = keyring.master_key.secret_for_case(str(case_id))
    # gpg is a blocking subprocess: keep it off the event loop.
    material = await asyncio.to_thread(keyring.keys.generate_case_key, str(case_id), secret=secret)
    try:
        async with write_transaction():
            case = await cases_db.insert_case(
                case_id=case_id,
                reference=reference,
                reported_by=partij.id,
                registered_by=context.actor.user_id,
                aanmelder=reporter.user_id,
                now=now,
            )
            await case_keys_db.insert_case_key(case_id=case_id, material=material, now=now)
            await audit.about(context, at=now, case=case).succeed(
                Action.CASE_CREATE, f"{decision.reason}; aanmelder {reporter.username}"
            )
    except BaseException:
        await asyncio.to_thread(keyring.keys.forget_case_key, material.fingerprint)
        raise
    return CaseEntry(case=case, procesregisseurs=frozenset({context.actor.user_id}))


async def case_facts(case: Case) -> access.CaseFacts:
    """Everything the access rules need about one case, loaded together."""
    return access.CaseFacts(
        case=case,
        assignments=await cases_db.assignments_of_case(case.id),
        grants=await grants_db.grants_of_case(case.id),
        admissions=await grants_db.admissions_of_case(case.id),
        handover=await cases_db.handover_of_case(case.id),
        document_ids=await documents_db.document_ids_of_case(case.id),
    )


async def facts_of(case_id: uuid.UUID) -> access.CaseFacts:
    case = await cases_db.case_by_id(case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return await case_facts(case)


async def visible_case(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> access.CaseFacts:
    """The case, if the actor has a part in it; otherwise NotFound, as if it did not exist."""
    facts = await facts_of(case_id)
    now = clock()
    decision = access.may_see_case(context.actor, facts, now=now)
    if not decision.allowed:
        record = audit.about(context, at=now, case=facts.case)
        raise await record.hide(Action.CASE_READ_DENIED, decision, f"case {case_id}")
    return facts


async def case_register_entry(
    context: RequestContext, case_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> CaseEntry:
    """The register entry, for those who may see it (art. 9.6); else NotFound, on record."""
    facts = await facts_of(case_id)
    now = clock()
    decision = access.may_see_register_entry(context.actor, facts, now=now)
    if not decision.allowed:
        record = audit.about(context, at=now, case=facts.case)
        raise await record.hide(Action.CASE_READ_DENIED, decision, f"case {case_id}")
    return CaseEntry(case=facts.case, procesregisseurs=facts.procesregisseurs)


async def visible_cases(context: RequestContext, *, clock: Clock) -> list[CaseEntry]:
    """The register entries the actor may see: only those, no refusal for the rest."""
    now = clock()
    entries = []
    for case in await cases_db.all_cases():
        facts = await case_facts(case)
        if access.may_see_register_entry(context.actor, facts, now=now).allowed:
            entries.append(CaseEntry(case=case, procesregisseurs=facts.procesregisseurs))
    return entries
