"""Cases: their reference, reporting partij and people, phase, and the decision date."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db import holds as holds_db
from portal.db.tables import CaseAssignment, Casus, Handover
from portal.domain import cases, documents, grants, partijen

# Cases registered before their people were recorded have none: no user holds this id.
NOBODY = partijen.UserId(UUID(int=0))


def _user_or_nobody(value: object) -> partijen.UserId:
    return partijen.UserId(UUID(str(value))) if value is not None else NOBODY


def _case(row: dict[str, Any], *, held_since: datetime | None = None) -> cases.Case:
    return cases.Case(
        id=cases.CaseId(UUID(str(row["id"]))),
        reference=row["reference"],
        reported_by=partijen.PartijId(UUID(str(row["reported_by"]))),
        registered_by=_user_or_nobody(row["registered_by"]),
        aanmelder=_user_or_nobody(row["aanmelder"]),
        phase=cases.Phase(row["phase"]),
        created_at=row["created_at"],
        phase_changed_at=row["phase_changed_at"] or row["created_at"],
        decided_at=row["decided_at"],
        closed_reason=cases.ClosingReason(row["closed_reason"]) if row["closed_reason"] else None,
        destroyed_at=row["destroyed_at"],
        held_since=held_since,
    )


async def insert_case(
    *,
    case_id: cases.CaseId,
    reference: str,
    reported_by: UUID,
    registered_by: UUID,
    aanmelder: UUID,
    now: datetime,
) -> cases.Case:
    rows = await Casus.insert(
        Casus(
            id=case_id,
            reference=reference,
            reported_by=reported_by,
            registered_by=registered_by,
            aanmelder=aanmelder,
            created_at=now,
            phase_changed_at=now,
        )
    ).returning(*Casus.all_columns())
    return _case(rows[0])


async def _with_hold(row: dict[str, Any] | None) -> cases.Case | None:
    if row is None:
        return None
    held = await holds_db.open_holds([row["id"]])
    return _case(row, held_since=held.get(UUID(str(row["id"]))))


async def case_by_id(case_id: UUID) -> cases.Case | None:
    return await _with_hold(await Casus.select().where(Casus.id == case_id).first())


async def case_by_reference(reference: str) -> cases.Case | None:
    return await _with_hold(await Casus.select().where(Casus.reference == reference).first())


async def all_cases() -> list[cases.Case]:
    held = await holds_db.open_holds()
    return [
        _case(row, held_since=held.get(UUID(str(row["id"]))))
        for row in await Casus.select().order_by(Casus.created_at)
    ]


async def set_phase(
    *, case_id: UUID, phase: cases.Phase, decided_at: datetime | None, now: datetime
) -> None:
    values: dict[Any, Any] = {Casus.phase: phase.value, Casus.phase_changed_at: now}
    if decided_at is not None:
        values[Casus.decided_at] = decided_at
    await Casus.update(values).where(Casus.id == case_id)


async def close_case(
    *, case_id: UUID, reason: cases.ClosingReason, explanation: str, decided_at: datetime
) -> None:
    await Casus.update(
        {
            Casus.closed_reason: reason.value,
            Casus.closing_explanation: explanation,
            Casus.decided_at: decided_at,
        }
    ).where(Casus.id == case_id)


# --- the case's procesregisseurs beyond its registrar (art. 1.22) ---------------------------


async def assignments_of_case(case_id: UUID) -> tuple[cases.Assignment, ...]:
    rows = await CaseAssignment.select().where(CaseAssignment.casus == case_id)
    return tuple(
        cases.Assignment(
            case_id=cases.CaseId(UUID(str(row["casus"]))),
            user_id=partijen.UserId(UUID(str(row["user"]))),
            assigned_by=partijen.UserId(UUID(str(row["assigned_by"]))),
            assigned_at=row["assigned_at"],
            reason=row["reason"],
        )
        for row in rows
    )


async def insert_assignment(
    *, case_id: UUID, user_id: UUID, assigned_by: UUID, reason: str, now: datetime
) -> None:
    await CaseAssignment.insert(
        CaseAssignment(
            casus=case_id, user=user_id, assigned_by=assigned_by, assigned_at=now, reason=reason
        )
    )


async def cases_assigned_to(user_id: UUID) -> list[UUID]:
    rows = await Casus.select(Casus.id).where(
        (Casus.registered_by == user_id)
        | Casus.id.is_in(
            CaseAssignment.select(CaseAssignment.casus).where(CaseAssignment.user == user_id)
        )
    )
    return [UUID(str(row["id"])) for row in rows]


# --- the hand-over at afschaling (Bijlage 2, overdracht) -------------------------------------


async def handover_of_case(case_id: UUID) -> grants.Handover | None:
    row = await Handover.select().where(Handover.casus == case_id).output(load_json=True).first()
    if row is None:
        return None
    return grants.Handover(
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        casusregisseur=partijen.UserId(UUID(str(row["casusregisseur"]))),
        documents=frozenset(documents.DocumentId(UUID(d)) for d in row["documents"]),
        named_by=partijen.UserId(UUID(str(row["named_by"]))),
        named_at=row["named_at"],
        window_ends_at=row["window_ends_at"],
    )


async def insert_handover(handover: grants.Handover) -> None:
    await Handover.insert(
        Handover(
            casus=handover.case_id,
            casusregisseur=handover.casusregisseur,
            documents=sorted(str(d) for d in handover.documents),
            named_by=handover.named_by,
            named_at=handover.named_at,
            window_ends_at=handover.window_ends_at,
        )
    )
