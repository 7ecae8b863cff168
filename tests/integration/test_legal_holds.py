"""Legal holds against the sweep on SQLite and PostgreSQL, with an injected clock, real gpg
and stored objects: one open hold per case in the database, a held case kept past +12
months, the hold winning over a sweep that planned before it, the first sweep after the
lift destroying it."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from crypto import CaseKeys
from portal.db import holds as holds_db
from portal.db.tables import AuditEvent, CaseKey, Casus, Document, Partij, User
from portal.db.transactions import is_unique_violation
from portal.domain.cases import CaseId
from portal.domain.partijen import Actor, PartijId, PartijKind, PartijStatus, Role, UserId
from portal.domain.retention import Step
from portal.services import legal_holds
from portal.services.audit import RequestContext
from portal.services.clock import Clock
from portal.services.errors import Conflict, Forbidden
from portal.services.retention import destroy_case
from storage import ObjectStore
from tests.integration.test_retention import (
    AUDIT,
    DECIDED,
    DUE,
    REFERENCE,
    _a_decided_case,
    _insert,
    _sweep,
    keys,
    signer_of,
    store,
)

__all__ = ["keys", "store"]  # the fixtures, shared with the sweep's own tests

REASON = "klacht van betrokkene is in behandeling (art. 18)"


async def _zvh_user(role: Role) -> Actor:
    zvh = await _insert(Partij, name=f"ZVH-{uuid4().hex[:6]}", kind="zvh", created_at=DECIDED)
    user = await _insert(
        User, username=f"{role}-{uuid4().hex[:6]}", partij=zvh, roles=[role.value],
        created_at=DECIDED, vog_recorded_at=DECIDED, geheimhouding_recorded_at=DECIDED,
    )  # fmt: skip
    return Actor(
        user_id=UserId(user),
        username=f"{role}",
        partij_id=PartijId(zvh),
        partij_kind=PartijKind.ZVH,
        partij_status=PartijStatus.ACTIVE,
        roles=frozenset({role}),
        screened=True,
        active=True,
        openpgp_public_key=None,
    )


def _clock(moment: datetime) -> Clock:
    return lambda: moment


async def _present(case_id: UUID) -> tuple[int, int]:
    return (
        await CaseKey.count().where(CaseKey.casus == case_id),
        await Document.count().where(Document.casus == case_id),
    )


async def test_the_database_holds_one_open_hold_per_case(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    manager = await _zvh_user(Role.MANAGER)
    first = await holds_db.insert_hold(
        case_id=case_id, placed_by=manager.user_id, reason=REASON, now=DECIDED
    )

    with pytest.raises(Exception) as second:  # noqa: PT011 - the engine's own error type
        await holds_db.insert_hold(
            case_id=case_id, placed_by=manager.user_id, reason=REASON, now=DECIDED
        )
    assert is_unique_violation(second.value)

    await holds_db.lift_hold(hold_id=first.id, lifted_by=manager.user_id, reason=REASON, now=DUE)
    again = await holds_db.insert_hold(
        case_id=case_id, placed_by=manager.user_id, reason=REASON, now=DUE
    )
    assert again.open


async def test_art11_a_held_case_outlives_its_12_months_until_the_manager_lifts_the_hold(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    manager = await _zvh_user(Role.MANAGER)
    as_manager = RequestContext(actor=manager)
    procesregisseur = RequestContext(actor=await _zvh_user(Role.PROCESREGISSEUR))
    placed_at = DECIDED + timedelta(days=40)

    with pytest.raises(Forbidden):
        await legal_holds.place_hold(
            procesregisseur, case_id=case_id, reason=REASON, audit=AUDIT, clock=_clock(placed_at)
        )
    await legal_holds.place_hold(
        as_manager, case_id=case_id, reason=REASON, audit=AUDIT, clock=_clock(placed_at)
    )

    held = await _sweep(keys, store, now=DUE + timedelta(days=60))

    assert held.plan == []
    assert [(h.case_id, h.due_at, h.held_since) for h in held.held] == [(case_id, DUE, placed_at)]
    assert await _present(case_id) == (1, 1)
    assert len(list(store.list(f"cases/{case_id}/"))) == 2

    # Past +12 months the held case is archived, not gone: the manager still finds it.
    lifted = await legal_holds.lift_hold(
        as_manager, case_id=case_id, reason=REASON, audit=AUDIT, clock=_clock(DUE + timedelta(days=61))
    )  # fmt: skip
    assert lifted.lifted_at == DUE + timedelta(days=61)
    with pytest.raises(Conflict):
        await legal_holds.lift_hold(
            as_manager, case_id=case_id, reason=REASON, audit=AUDIT, clock=_clock(DUE + timedelta(days=61))
        )  # fmt: skip

    swept = await _sweep(keys, store, now=DUE + timedelta(days=62))

    assert [d.case_id for d in swept.done] == [case_id]
    assert swept.held == []
    assert await _present(case_id) == (0, 0)
    assert list(store.list(f"cases/{case_id}/")) == []
    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.case_id == str(case_id))
        .order_by(AuditEvent.seq)
    ]
    assert actions == ["case:hold:denied", "case:hold", "case:release-hold",
                       "case:release-hold:denied", "case:destroy"]  # fmt: skip


async def test_a_hold_placed_after_the_sweep_planned_still_wins(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    manager = await _zvh_user(Role.MANAGER)
    step = Step(case_id=CaseId(case_id), due_at=DUE, resuming=False)
    await holds_db.insert_hold(case_id=case_id, placed_by=manager.user_id, reason=REASON, now=DUE)

    destroyed = await destroy_case(
        step,
        now=DUE,
        store=store,
        keys=keys,
        signer=signer_of(keys),
        audit=AUDIT,
        operator="beheer",
    )

    assert destroyed is None
    assert await _present(case_id) == (1, 1)
    row = await Casus.select(Casus.destroyed_at).where(Casus.id == case_id).first()
    assert row is not None
    assert row["destroyed_at"] is None
