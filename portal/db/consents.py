"""Consents a partij recorded for a data subject, and their withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import Consent
from portal.domain import documents, partijen
from portal.domain.consents import Consent as ConsentRecord


def _consent(row: dict[str, Any]) -> ConsentRecord:
    return ConsentRecord(
        id=documents.ConsentId(UUID(str(row["id"]))),
        partij_id=partijen.PartijId(UUID(str(row["partij"]))),
        subject_pseudonym=row["subject_pseudonym"],
        scope=row["scope"],
        obtained_by=row["obtained_by"],
        obtained_at=row["obtained_at"],
        withdrawn_at=row["withdrawn_at"],
    )


async def consent_by_id(consent_id: UUID) -> ConsentRecord | None:
    row = await Consent.select().where(Consent.id == consent_id).first()
    return _consent(row) if row else None


async def insert_consent(
    *,
    partij_id: UUID,
    subject_pseudonym: str,
    scope: str,
    obtained_by: str,
    obtained_at: datetime,
    recorded_by: UUID,
    now: datetime,
) -> ConsentRecord:
    rows = await Consent.insert(
        Consent(
            partij=partij_id,
            subject_pseudonym=subject_pseudonym,
            scope=scope,
            obtained_by=obtained_by,
            obtained_at=obtained_at,
            recorded_by=recorded_by,
            recorded_at=now,
        )
    ).returning(*Consent.all_columns())
    return _consent(rows[0])


async def withdraw_consent(*, consent_id: UUID, reason: str, now: datetime) -> None:
    await Consent.update({Consent.withdrawn_at: now, Consent.withdrawn_reason: reason}).where(
        (Consent.id == consent_id) & (Consent.withdrawn_at.is_null())
    )
