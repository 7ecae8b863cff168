"""Requests to use another partij's document for one's own tasks (art. 3.5d)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from portal.db.tables import FurtherUseRequest as FurtherUseRequestTable
from portal.domain import documents, partijen


@dataclass(frozen=True, kw_only=True, slots=True)
class FurtherUseRequest:
    """One request as stored; undecided while ``decided_at`` is None."""

    id: UUID
    document_id: documents.DocumentId
    requested_by: partijen.UserId
    requesting_partij: partijen.PartijId
    purpose_description: str
    requested_at: datetime
    approved: bool | None
    decided_by: partijen.UserId | None
    decided_at: datetime | None
    decision_reason: str | None


async def insert_further_use_request(
    *, document_id: UUID, actor: partijen.Actor, description: str, now: datetime
) -> UUID:
    rows = await FurtherUseRequestTable.insert(
        FurtherUseRequestTable(
            document=document_id,
            requested_by=actor.user_id,
            requesting_partij=actor.partij_id,
            purpose_description=description,
            requested_at=now,
        )
    ).returning(FurtherUseRequestTable.id)
    return UUID(str(rows[0]["id"]))


async def further_use_request(request_id: UUID) -> FurtherUseRequest | None:
    table = FurtherUseRequestTable
    row = await table.select().where(table.id == request_id).first()
    if row is None:
        return None
    decided_by = row["decided_by"]
    return FurtherUseRequest(
        id=UUID(str(row["id"])),
        document_id=documents.DocumentId(UUID(str(row["document"]))),
        requested_by=partijen.UserId(UUID(str(row["requested_by"]))),
        requesting_partij=partijen.PartijId(UUID(str(row["requesting_partij"]))),
        purpose_description=row["purpose_description"],
        requested_at=row["requested_at"],
        approved=None if row["approved"] is None else bool(row["approved"]),
        decided_by=partijen.UserId(UUID(str(decided_by))) if decided_by else None,
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
    )


async def decide_further_use(
    *, request_id: UUID, approved: bool, decided_by: UUID, reason: str, now: datetime
) -> None:
    table = FurtherUseRequestTable
    await table.update(
        {
            table.approved: approved,
            table.decided_by: decided_by,
            table.decided_at: now,
            table.decision_reason: reason,
        }
    ).where(table.id == request_id)
