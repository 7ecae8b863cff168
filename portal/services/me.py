"""Who am I: my account, my partij, and the cases I have a part in, with the ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from portal.db import cases as cases_db
from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.domain import access
from portal.domain.grants import GrantEnd
from portal.domain.partijen import Actor, Partij
from portal.services.audit import RequestContext
from portal.services.cases import CaseEntry, case_facts
from portal.services.clock import Clock
from portal.services.errors import NotFound
from portal.services.grants import grant_view


@dataclass(frozen=True, kw_only=True)
class MyGrant:
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None
    ends_at: datetime | None
    """When the grant ends: its ``until``, its revocation or the case's afschaling."""
    ended_by: GrantEnd | None
    active: bool


@dataclass(frozen=True, kw_only=True)
class Me:
    """Who the caller is, the cases they have a part in, and every grant they hold or held."""

    actor: Actor
    partij: Partij
    cases: list[CaseEntry]
    grants: list[MyGrant]


async def who_am_i(context: RequestContext, *, clock: Clock) -> Me:
    actor, now = context.actor, clock()
    partij = await partijen_db.partij_by_id(actor.partij_id)
    if partij is None:  # pragma: no cover - a user's partij cannot be deleted
        raise NotFound(f"no partij {actor.partij_id}")
    cases = []
    for case in await cases_db.all_cases():
        facts = await case_facts(case)
        if access.may_see_case(actor, facts, now=now).allowed:
            cases.append(CaseEntry(case=case, procesregisseurs=facts.procesregisseurs))
    grants = []
    for grant in await grants_db.grants_of_user(actor.user_id):
        of_case = await cases_db.case_by_id(grant.case_id)
        if of_case is None:  # pragma: no cover - a grant goes with its case
            continue
        view = grant_view(grant, of_case, now=now)
        grants.append(
            MyGrant(
                id=grant.id,
                case_id=grant.case_id,
                case_reference=of_case.reference,
                granted_at=grant.granted_at,
                until=grant.until,
                revoked_at=grant.revoked_at,
                ends_at=view.ends_at,
                ended_by=view.ended_by,
                active=view.active,
            )
        )
    return Me(actor=actor, partij=partij, cases=cases, grants=grants)
