"""Grants of a case to a user, and the manager's admissions to an archived case."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import ArchiveAdmission, Grant
from portal.domain import cases, grants, partijen


def _grant(row: dict[str, Any]) -> grants.Grant:
    return grants.Grant(
        id=grants.GrantId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        user_id=partijen.UserId(UUID(str(row["user"]))),
        granted_at=row["granted_at"],
        until=row["until"],
        revoked_at=row["revoked_at"],
    )


async def grants_of_case(case_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await Grant.select().where(Grant.casus == case_id).order_by(Grant.granted_at)
    return tuple(_grant(row) for row in rows)


async def grant_by_id(grant_id: UUID) -> grants.Grant | None:
    row = await Grant.select().where(Grant.id == grant_id).first()
    return _grant(row) if row else None


async def grants_of_user(user_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await Grant.select().where(Grant.user == user_id)
    return tuple(_grant(row) for row in rows)


async def insert_grant(
    *, case_id: UUID, user_id: UUID, granted_by: UUID, until: datetime | None, now: datetime
) -> grants.Grant:
    rows = await Grant.insert(
        Grant(casus=case_id, user=user_id, granted_by=granted_by, granted_at=now, until=until)
    ).returning(*Grant.all_columns())
    return _grant(rows[0])


async def revoke_grant(
    *, grant_id: UUID, revoked_by: UUID | None, reason: str, now: datetime
) -> None:
    await Grant.update(
        {Grant.revoked_at: now, Grant.revoked_by: revoked_by, Grant.revoke_reason: reason}
    ).where((Grant.id == grant_id) & (Grant.revoked_at.is_null()))


async def admissions_of_case(case_id: UUID) -> tuple[grants.ArchiveAdmission, ...]:
    rows = await ArchiveAdmission.select().where(ArchiveAdmission.casus == case_id)
    return tuple(
        grants.ArchiveAdmission(
            case_id=cases.CaseId(UUID(str(row["casus"]))),
            user_id=partijen.UserId(UUID(str(row["user"]))),
            admitted_at=row["admitted_at"],
            reason=row["reason"],
        )
        for row in rows
    )


async def insert_admission(
    *, case_id: UUID, user_id: UUID, admitted_by: UUID, reason: str, now: datetime
) -> None:
    await ArchiveAdmission.insert(
        ArchiveAdmission(
            casus=case_id, user=user_id, admitted_by=admitted_by, reason=reason, admitted_at=now
        )
    )
