"""Resumable uploads and their staged parts: the state every app process shares.

Who may write an upload is decided by a compare-and-set on its lease token, never by a
lock held while a body streams: a PATCH takes the lease in one short statement, commits
each sealed part with one short transaction that checks the lease and the offset again,
and gives the lease back at the end. A holder that died leaves a lease that lapses at
``lease_until``. The same token claims the finalisation job once the last byte is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from piccolo.engine.postgres import PostgresEngine

from portal.db.tables import ResumableUpload, ResumableUploadPart
from portal.db.transactions import write_transaction
from portal.domain.resumable import StagedPart, UploadStatus


@dataclass(frozen=True, kw_only=True)
class UploadRow:
    id: UUID
    case_id: UUID
    uploaded_by: UUID
    upload: dict[str, Any]
    length: int
    received: int
    status: UploadStatus
    wrapped_key: str | None
    lease_token: str | None
    lease_until: datetime | None
    attempts: int
    trace_id: str | None
    document_id: UUID | None
    outcome: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class PartRow:
    part: StagedPart
    object_key: str


def _row(row: dict[str, Any]) -> UploadRow:
    return UploadRow(
        id=UUID(str(row["id"])),
        case_id=UUID(str(row["casus"])),
        uploaded_by=UUID(str(row["uploaded_by"])),
        upload=row["upload"],
        length=int(row["length"]),
        received=int(row["received"]),
        status=UploadStatus(row["status"]),
        wrapped_key=row["wrapped_key"],
        lease_token=row["lease_token"],
        lease_until=row["lease_until"],
        attempts=int(row["attempts"]),
        trace_id=row["trace_id"],
        document_id=UUID(str(row["document"])) if row["document"] else None,
        outcome=row["outcome"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


def _lease_free(now: datetime) -> Any:
    return ResumableUpload.lease_token.is_null() | (ResumableUpload.lease_until <= now)


async def insert_upload(
    *,
    upload_id: UUID,
    case_id: UUID,
    uploaded_by: UUID,
    upload: dict[str, Any],
    length: int,
    wrapped_key: str,
    trace_id: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    await ResumableUpload.insert(
        ResumableUpload(
            id=upload_id,
            casus=case_id,
            uploaded_by=uploaded_by,
            upload=upload,
            length=length,
            received=0,
            status=UploadStatus.PENDING.value,
            wrapped_key=wrapped_key,
            trace_id=trace_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def upload_by_id(upload_id: UUID) -> UploadRow | None:
    row = (
        await ResumableUpload.select()
        .where(ResumableUpload.id == upload_id)
        .output(load_json=True)
        .first()
    )
    return _row(row) if row else None


async def take_lease(
    upload_id: UUID, *, offset: int, token: str, until: datetime, now: datetime
) -> bool:
    """Become the upload's one writer, if it is pending at ``offset`` and nobody writes."""
    rows = (
        await ResumableUpload.update(
            {ResumableUpload.lease_token: token, ResumableUpload.lease_until: until}
        )
        .where(
            (ResumableUpload.id == upload_id)
            & (ResumableUpload.status == UploadStatus.PENDING.value)
            & (ResumableUpload.received == offset)
            & _lease_free(now)
        )
        .returning(ResumableUpload.id)
    )
    return bool(rows)


async def renew_lease(upload_id: UUID, *, token: str, until: datetime) -> bool:
    rows = (
        await ResumableUpload.update({ResumableUpload.lease_until: until})
        .where((ResumableUpload.id == upload_id) & (ResumableUpload.lease_token == token))
        .returning(ResumableUpload.id)
    )
    return bool(rows)


async def release_lease(upload_id: UUID, *, token: str) -> None:
    await ResumableUpload.update(
        {ResumableUpload.lease_token: None, ResumableUpload.lease_until: None}
    ).where((ResumableUpload.id == upload_id) & (ResumableUpload.lease_token == token))


async def commit_part(
    upload_id: UUID,
    *,
    token: str,
    start: int,
    size: int,
    object_key: str,
    complete: bool,
    until: datetime,
    expires_at: datetime,
) -> bool:
    """Record a stored part and advance the offset past it, in one transaction, if
    ``token`` still holds the lease and the offset is still ``start``. With ``complete``
    the upload turns to finalising in the same statement, and the lease becomes the
    finalisation job's claim. False: nothing was recorded (the part is an orphan)."""
    changes: dict[Any, Any] = {
        ResumableUpload.received: start + size,
        ResumableUpload.lease_until: until,
        ResumableUpload.expires_at: expires_at,
    }
    if complete:
        changes[ResumableUpload.status] = UploadStatus.FINALISING.value
        # The PATCH that completes the stage makes the first attempt to finalise it.
        changes[ResumableUpload.attempts] = 1
    async with write_transaction():
        rows = (
            await ResumableUpload.update(changes)
            .where(
                (ResumableUpload.id == upload_id)
                & (ResumableUpload.lease_token == token)
                & (ResumableUpload.status == UploadStatus.PENDING.value)
                & (ResumableUpload.received == start)
            )
            .returning(ResumableUpload.id)
        )
        if not rows:
            return False
        await ResumableUploadPart.insert(
            ResumableUploadPart(
                id=uuid4(), upload=upload_id, start=start, size=size, object_key=object_key
            )
        )
    return True


async def claim_finalisation(
    *, token: str, until: datetime, now: datetime, upload_id: UUID | None = None
) -> UUID | None:
    """Claim one finalisation job whose claim is free (or ``upload_id``'s): its id, or None.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED``, so processes polling at once each get a
    different job and never wait for one another; SQLite has one writer at a time, and
    the immediate transaction makes the read and the claim one step.
    """
    async with write_transaction():
        query = ResumableUpload.select(ResumableUpload.id).where(
            (ResumableUpload.status == UploadStatus.FINALISING.value) & _lease_free(now)
        )
        if upload_id is not None:
            query = query.where(ResumableUpload.id == upload_id)
        query = query.order_by(ResumableUpload.expires_at).limit(1)
        if isinstance(ResumableUpload._meta.db, PostgresEngine):
            query = query.lock_rows("UPDATE", skip_locked=True)
        row = await query.first()
        if row is None:
            return None
        claimed = UUID(str(row["id"]))
        await ResumableUpload.update(
            {
                ResumableUpload.lease_token: token,
                ResumableUpload.lease_until: until,
                ResumableUpload.attempts: ResumableUpload.attempts + 1,
            }
        ).where(ResumableUpload.id == claimed)
    return claimed


async def parts_of(upload_id: UUID) -> list[PartRow]:
    rows = (
        await ResumableUploadPart.select()
        .where(ResumableUploadPart.upload == upload_id)
        .order_by(ResumableUploadPart.start)
    )
    return [
        PartRow(
            part=StagedPart(start=int(row["start"]), size=int(row["size"])),
            object_key=row["object_key"],
        )
        for row in rows
    ]


async def finish(
    upload_id: UUID,
    *,
    token: str,
    status: UploadStatus,
    document_id: UUID | None,
    outcome: str,
    expires_at: datetime,
) -> bool:
    """The job's end: the outcome kept for the client, the data key and parts forgotten.

    Joins the caller's transaction, so a document and its upload's ``done`` commit
    together: a finaliser that dies before that commit leaves a job to redo, never a
    second document. False if ``token`` no longer holds the claim.
    """
    async with write_transaction():
        rows = (
            await ResumableUpload.update(
                {
                    ResumableUpload.status: status.value,
                    ResumableUpload.document: document_id,
                    ResumableUpload.outcome: outcome,
                    ResumableUpload.wrapped_key: None,
                    ResumableUpload.lease_token: None,
                    ResumableUpload.lease_until: None,
                    ResumableUpload.expires_at: expires_at,
                }
            )
            .where((ResumableUpload.id == upload_id) & (ResumableUpload.lease_token == token))
            .returning(ResumableUpload.id)
        )
        if not rows:
            return False
        await ResumableUploadPart.delete().where(ResumableUploadPart.upload == upload_id)
    return True


async def delete_upload(upload_id: UUID, *, now: datetime) -> bool:
    """Remove the upload and its parts, unless someone holds its lease right now."""
    async with write_transaction():
        row = (
            await ResumableUpload.select(ResumableUpload.id)
            .where((ResumableUpload.id == upload_id) & _lease_free(now))
            .first()
        )
        if row is None:
            return False
        await ResumableUploadPart.delete().where(ResumableUploadPart.upload == upload_id)
        await ResumableUpload.delete().where(ResumableUpload.id == upload_id)
    return True


async def expired_uploads(now: datetime) -> list[UploadRow]:
    """Uploads past their expiry that nobody writes or finalises right now."""
    rows = (
        await ResumableUpload.select()
        .where((ResumableUpload.expires_at <= now) & _lease_free(now))
        .order_by(ResumableUpload.expires_at)
        .output(load_json=True)
    )
    return [_row(row) for row in rows]


async def staged_upload_ids() -> set[str]:
    """Ids of the uploads whose stage is still needed (pending or finalising)."""
    rows = await ResumableUpload.select(ResumableUpload.id).where(
        ResumableUpload.status.is_in([UploadStatus.PENDING.value, UploadStatus.FINALISING.value])
    )
    return {str(row["id"]) for row in rows}
