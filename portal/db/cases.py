"""Cases: their reference, reporting partij, phase and afschaling date."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import Casus
from portal.domain import cases, partijen


def _case(row: dict[str, Any]) -> cases.Case:
    return cases.Case(
        id=cases.CaseId(UUID(str(row["id"]))),
        reference=row["reference"],
        reported_by=partijen.PartijId(UUID(str(row["reported_by"]))),
        phase=cases.Phase(row["phase"]),
        created_at=row["created_at"],
        afschaling_at=row["afschaling_at"],
        destroyed_at=row["destroyed_at"],
    )


async def insert_case(
    *, case_id: cases.CaseId, reference: str, reported_by: UUID, now: datetime
) -> cases.Case:
    rows = await Casus.insert(
        Casus(id=case_id, reference=reference, reported_by=reported_by, created_at=now)
    ).returning(*Casus.all_columns())
    return _case(rows[0])


async def case_by_id(case_id: UUID) -> cases.Case | None:
    row = await Casus.select().where(Casus.id == case_id).first()
    return _case(row) if row else None


async def case_by_reference(reference: str) -> cases.Case | None:
    row = await Casus.select().where(Casus.reference == reference).first()
    return _case(row) if row else None


async def all_cases() -> list[cases.Case]:
    return [_case(row) for row in await Casus.select().order_by(Casus.created_at)]


async def set_phase(*, case_id: UUID, phase: cases.Phase, afschaling_at: datetime | None) -> None:
    values: dict[Any, Any] = {Casus.phase: phase.value}
    if afschaling_at is not None:
        values[Casus.afschaling_at] = afschaling_at
    await Casus.update(values).where(Casus.id == case_id)
