"""Grants of a case to a user, and the manager's admissions to an archived case."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import ArchiveAdmission, Grant
from portal.domain import cases, documents, grants, partijen


def _grant(row: dict[str, Any]) -> grants.Grant:
    limit = row["documents"]
    return grants.Grant(
        id=grants.GrantId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        user_id=partijen.UserId(UUID(str(row["user"]))),
        granted_at=row["granted_at"],
        until=row["until"],
        revoked_at=row["revoked_at"],
        documents=(
            frozenset(documents.DocumentId(UUID(d)) for d in limit) if limit is not None else None
        ),
    )


def _grants() -> Any:
    return Grant.select().output(load_json=True)


async def grants_of_case(case_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await _grants().where(Grant.casus == case_id).order_by(Grant.granted_at)
    return tuple(_grant(row) for row in rows)


async def grant_by_id(grant_id: UUID) -> grants.Grant | None:
    row = await _grants().where(Grant.id == grant_id).first()
    return _grant(row) if row else None


async def grants_of_user(user_id: UUID) -> tuple[grants.Grant, ...]:
    rows = await _grants().where(Grant.user == user_id).order_by(Grant.granted_at)
    return tuple(_grant(row) for row in rows)


async def insert_grant(
    *,
    case_id: UUID,
    user_id: UUID,
    granted_by: UUID,
    until: datetime | None,
    documents: frozenset[documents.DocumentId] | None,
    now: datetime,
) -> grants.Grant:
    """Insert an open grant. Raises the database's unique violation if the user already
    holds an open grant in the case (index ``access_grant_one_open``)."""
    # Grants of this user in this case that have run out can never be active again: close
    # them, so that the one-open-grant index holds only for a grant that could still apply.
    await Grant.update({Grant.closed_at: Grant.until}).where(
        (Grant.casus == case_id)
        & (Grant.user == user_id)
        & Grant.closed_at.is_null()
        & (Grant.until <= now)
    )
    rows = await Grant.insert(
        Grant(
            casus=case_id,
            user=user_id,
            granted_by=granted_by,
            granted_at=now,
            until=until,
            documents=sorted(str(d) for d in documents) if documents is not None else None,
        )
    ).returning(*Grant.all_columns())
    # The JSON column comes back as text from RETURNING: the limit is the one just written.
    return replace(_grant({**rows[0], "documents": None}), documents=documents)


async def revoke_grant(
    *, grant_id: UUID, revoked_by: UUID | None, reason: str, now: datetime
) -> None:
    await Grant.update(
        {
            Grant.revoked_at: now,
            Grant.revoked_by: revoked_by,
            Grant.revoke_reason: reason,
            Grant.closed_at: now,
        }
    ).where((Grant.id == grant_id) & (Grant.revoked_at.is_null()))


async def close_grants_of_case(*, case_id: UUID, at: datetime) -> None:
    """Afschaling ends every grant of the case at once (art. 11.2)."""
    await Grant.update({Grant.closed_at: at}).where(
        (Grant.casus == case_id) & Grant.closed_at.is_null()
    )


def _admission(row: dict[str, Any]) -> grants.ArchiveAdmission:
    return grants.ArchiveAdmission(
        id=grants.AdmissionId(UUID(str(row["id"]))),
        case_id=cases.CaseId(UUID(str(row["casus"]))),
        user_id=partijen.UserId(UUID(str(row["user"]))),
        admitted_by=partijen.UserId(UUID(str(row["admitted_by"]))),
        admitted_at=row["admitted_at"],
        # Admissions from before they carried an end last as long as the archive itself.
        until=row["until"] or datetime.max.replace(tzinfo=row["admitted_at"].tzinfo),
        reason=row["reason"],
        revoked_at=row["revoked_at"],
    )


async def admissions_of_case(case_id: UUID) -> tuple[grants.ArchiveAdmission, ...]:
    rows = await ArchiveAdmission.select().where(ArchiveAdmission.casus == case_id)
    return tuple(_admission(row) for row in rows)


async def admission_by_id(admission_id: UUID) -> grants.ArchiveAdmission | None:
    row = await ArchiveAdmission.select().where(ArchiveAdmission.id == admission_id).first()
    return _admission(row) if row else None


async def insert_admission(
    *,
    case_id: UUID,
    user_id: UUID,
    admitted_by: UUID,
    reason: str,
    until: datetime,
    now: datetime,
) -> grants.ArchiveAdmission:
    rows = await ArchiveAdmission.insert(
        ArchiveAdmission(
            casus=case_id,
            user=user_id,
            admitted_by=admitted_by,
            reason=reason,
            admitted_at=now,
            until=until,
        )
    ).returning(*ArchiveAdmission.all_columns())
    return _admission(rows[0])


async def revoke_admission(
    *, admission_id: UUID, revoked_by: UUID, reason: str, now: datetime
) -> None:
    await ArchiveAdmission.update(
        {
            ArchiveAdmission.revoked_at: now,
            ArchiveAdmission.revoked_by: revoked_by,
            ArchiveAdmission.revoke_reason: reason,
        }
    ).where((ArchiveAdmission.id == admission_id) & ArchiveAdmission.revoked_at.is_null())
