"""Partner organisations (partijen) of the covenant."""

from __future__ import annotations

import uuid

from crypto import CaseKeys
from portal.db import grants as grants_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.grants import grants_ending_at_withdrawal
from portal.domain.partijen import Partij, PartijKind, may_add_partij
from portal.domain.refusal_codes import RefusalCode, code_of
from portal.domain.register import ProcessingActivity
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound
from portal.services.users import read_encryption_key

ACCESS = ProcessingActivity.ACCESS_MANAGEMENT

MAX_NAME_LENGTH = 200


async def add_partij(*, name: str, kind: PartijKind, clock: Clock) -> Partij:
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise InvalidInput(f"a partij name has 1 to {MAX_NAME_LENGTH} characters")
    if await partijen_db.partij_by_name(clean) is not None:
        raise Conflict(f"partij {clean!r} exists already", code=RefusalCode.ALREADY_EXISTS)
    zvh_exists = any(p.kind is PartijKind.ZVH for p in await partijen_db.all_partijen())
    if not (allowed := may_add_partij(kind, zvh_exists=zvh_exists)).allowed:
        raise Conflict(allowed.reason, code=code_of(allowed))
    return await partijen_db.insert_partij(name=clean, kind=kind, now=clock())


async def list_partijen() -> list[Partij]:
    """Every partij of the covenant by name: not personal data, for any signed-in user."""
    return await partijen_db.all_partijen()


async def set_partij_key(
    name: str, *, armored: str, keys: CaseKeys, operator: str, audit: AuditLog, clock: Clock
) -> str:
    """Register a partij's own OpenPGP key; return its fingerprint. Art. 2.1: every
    document the partij uploads from then on is also encrypted to it, so the partij can
    always read what it provided."""
    partij = await partijen_db.partij_by_name(name)
    if partij is None:
        raise NotFound(f"no partij named {name!r}")
    fingerprint = await read_encryption_key(armored, keys=keys)
    now = clock()
    async with write_transaction():
        await partijen_db.set_partij_public_key(partij_id=partij.id, armored=armored)
        await audit.by_operator(
            Action.PARTIJ_REGISTER_KEY,
            f"partij {partij.name} ({partij.id}): OpenPGP key {fingerprint} registered",
            operator=operator,
            at=now,
        )
    return fingerprint


async def withdraw_partij(
    context: RequestContext, *, partij_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> Partij:
    """Art. 27.3: a partij leaving the covenant loses all access at once, grants included."""
    now = clock()
    partij = await partijen_db.partij_by_id(partij_id)
    if partij is None:
        raise NotFound(f"no partij {partij_id}")
    decision = access.may_withdraw_partij(context.actor)
    record = audit.about(context, at=now)
    if not decision.allowed:
        raise await record.deny_by(Action.PARTIJ_WITHDRAW_DENIED, decision)
    async with write_transaction():
        await partijen_db.withdraw_partij(partij_id=partij.id, now=now)
        for user in await partijen_db.users_of_partij(partij.id):
            for grant in grants_ending_at_withdrawal(await grants_db.grants_of_user(user.user_id)):
                await grants_db.revoke_grant(
                    grant_id=grant.id,
                    revoked_by=context.actor.user_id,
                    reason="the partij withdrew from the covenant (art. 27.3)",
                    now=now,
                )
        await record.succeed(
            Action.PARTIJ_WITHDRAW,
            f"partij {partij.name} withdrew; its users' grants end (art. 27.3)",
        )
    withdrawn = await partijen_db.partij_by_id(partij.id)
    if withdrawn is None:  # pragma: no cover - the row was just updated
        raise NotFound(f"no partij {partij_id}")
    return withdrawn
