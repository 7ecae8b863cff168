"""Legal holds on a case's destruction (art. 11.1): placed and lifted by the manager.

One open hold per case is held by the partial unique index ``legal_hold_one_open``:
:func:`insert_hold` raises the database's unique violation when one is open already.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from portal.db.tables import LegalHold
from portal.domain import cases, partijen, retention


def _hold(row: dict[str, Any]) -> retention.LegalHold:
    lifted_by = row["lifted_by"]
    return retention.LegalHold(
        id=retention.HoldId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        placed_by=partijen.UserId(UUID(str(row["placed_by"]))),
        placed_at=row["placed_at"],
        reason=row["reason"],
        lifted_by=partijen.UserId(UUID(str(lifted_by))) if lifted_by else None,
        lifted_at=row["lifted_at"],
        lift_reason=row["lift_reason"],
    )


async def open_holds(case_ids: Iterable[UUID] | None = None) -> dict[UUID, datetime]:
    """Since when each case with an open hold is held; of ``case_ids`` only, if given."""
    query = LegalHold.select(LegalHold.casus, LegalHold.placed_at).where(
        LegalHold.lifted_at.is_null()
    )
    if case_ids is not None:
        wanted = list(case_ids)
        if not wanted:
            return {}
        query = query.where(LegalHold.casus.is_in(wanted))
    return {UUID(str(row["casus"])): row["placed_at"] for row in await query}


async def open_hold_of_case(case_id: UUID) -> retention.LegalHold | None:
    row = (
        await LegalHold.select()
        .where((LegalHold.casus == case_id) & LegalHold.lifted_at.is_null())
        .first()
    )
    return _hold(row) if row else None


async def insert_hold(
    *, case_id: UUID, placed_by: UUID, reason: str, now: datetime
) -> retention.LegalHold:
    rows = await LegalHold.insert(
        LegalHold(id=uuid4(), casus=case_id, placed_by=placed_by, placed_at=now, reason=reason)
    ).returning(*LegalHold.all_columns())
    return _hold(rows[0])


async def lift_hold(
    *, hold_id: UUID, lifted_by: UUID, reason: str, now: datetime
) -> retention.LegalHold | None:
    """Lift the hold unless it was lifted already; the hold as it now stands, or None."""
    rows = (
        await LegalHold.update(
            {
                LegalHold.lifted_by: lifted_by,
                LegalHold.lifted_at: now,
                LegalHold.lift_reason: reason,
            }
        )
        .where((LegalHold.id == hold_id) & LegalHold.lifted_at.is_null())
        .returning(*LegalHold.all_columns())
    )
    return _hold(rows[0]) if rows else None
