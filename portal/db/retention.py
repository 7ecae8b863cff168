"""Destroying a case's rows (art. 11.2c), the sweep's lock, and clearing what deletes leave.

A deleted row is not gone from the disk: PostgreSQL keeps dead tuples until a vacuum, and
SQLite keeps freed pages (and the write-ahead log) with their old contents. So the rows
are deleted with SQLite's ``secure_delete`` on, and :func:`clear_deleted_rows` vacuums
PostgreSQL's touched tables and truncates SQLite's write-ahead log afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from portal.db.tables import (
    Approval,
    ArchiveAdmission,
    AuditCaseKey,
    CaseAssignment,
    CaseKey,
    Casus,
    Consent,
    Document,
    FurtherUseRequest,
    Grant,
    Handover,
    LegalHold,
)
from portal.db.transactions import write_transaction

# The sweep's lock on PostgreSQL: one sweep destroys at a time, whatever the number of
# processes. A constant key, chosen once, never reused elsewhere (the audit chain has its own).
RETENTION_SWEEP_LOCK = 11_2_2026

# Every table a destruction deletes from or blanks, for the vacuum that follows it.
TOUCHED_TABLES: tuple[type[Table], ...] = (
    Approval,
    FurtherUseRequest,
    Grant,
    ArchiveAdmission,
    CaseAssignment,
    Handover,
    LegalHold,
    Document,
    Consent,
    CaseKey,
    AuditCaseKey,
    Casus,
)


@asynccontextmanager
async def sweep_lock() -> AsyncIterator[None]:
    """Hold the sweep's lock while the block runs; wait for another sweep to finish first.

    On PostgreSQL a session advisory lock on a connection of its own, so the steps inside
    commit one by one while the lock holds; the lock ends with the connection, a killed
    sweep included. On SQLite every destroying step is its own immediate transaction, which
    excludes every other writer, and each step checks the case's state first: two sweeps
    may interleave there, but never destroy a case twice or record it twice.
    """
    engine = Casus._meta.db
    if not isinstance(engine, PostgresEngine):
        yield
        return
    connection = await engine.get_new_connection()
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", RETENTION_SWEEP_LOCK)
        yield
    finally:
        await connection.close()


async def lock_case_row(case_id: UUID) -> None:
    """Hold the case's row until the transaction ends; call inside ``write_transaction()``.

    A hold and a destruction both take it first, so of the two the later one sees what the
    earlier one committed: a hold is never placed on a case whose destruction has begun,
    and destruction never begins on a held case. On PostgreSQL ``SELECT ... FOR UPDATE``;
    on SQLite the immediate transaction already excludes every other writer.
    """
    if isinstance(Casus._meta.db, PostgresEngine):
        await Casus.select(Casus.id).where(Casus.id == case_id).lock_rows()


async def mark_destroying(case_id: UUID, *, now: datetime) -> datetime | None:
    """Set ``destroyed_at`` unless set already; return the moment destruction began.

    From then on every access rule refuses the case (its regime is destroyed): nothing of
    it can be read while its key, objects and rows are being removed. None when there is
    no such case. Whether it may be destroyed is the caller's question to the domain,
    asked under the same row lock (``lock_case_row``).
    """
    async with write_transaction():
        await lock_case_row(case_id)
        row = await Casus.select(Casus.destroyed_at).where(Casus.id == case_id).first()
        if row is None:
            return None
        began: datetime | None = row["destroyed_at"]
        if began is not None:
            return began
        await Casus.update({Casus.destroyed_at: now}).where(Casus.id == case_id)
        return now


async def object_keys_of_case(case_id: UUID) -> list[str]:
    rows = await Document.select(Document.object_key).where(Document.casus == case_id)
    return sorted(str(row["object_key"]) for row in rows)


async def erase_case_rows(case_id: UUID, *, tombstone: str) -> dict[str, int]:
    """Delete the case's personal data and leave its row as a tombstone; count per table.

    Call inside ``write_transaction()``. Consent records go with the documents that name
    them, unless a document of another case still does.
    """
    if isinstance(Casus._meta.db, SQLiteEngine):
        # Freed pages are overwritten with zeros, on the transaction's own connection.
        await Casus.raw("PRAGMA secure_delete = ON")
    document_ids = [
        row["id"] for row in await Document.select(Document.id).where(Document.casus == case_id)
    ]
    consent_ids = [
        row["consent"]
        for row in await Document.select(Document.consent).where(
            (Document.casus == case_id) & Document.consent.is_not_null()
        )
    ]
    counts: dict[str, int] = {}
    if document_ids:
        counts["document_approval"] = await _deleted(
            Approval, Approval.document.is_in(document_ids)
        )
        counts["further_use_request"] = await _deleted(
            FurtherUseRequest, FurtherUseRequest.document.is_in(document_ids)
        )
    counts["access_grant"] = await _deleted(Grant, Grant.casus == case_id)
    counts["archive_admission"] = await _deleted(
        ArchiveAdmission, ArchiveAdmission.casus == case_id
    )
    counts["case_assignment"] = await _deleted(CaseAssignment, CaseAssignment.casus == case_id)
    counts["case_handover"] = await _deleted(Handover, Handover.casus == case_id)
    # A hold's reasons may name the person; lifted holds go with the case (a held one
    # never reaches this point).
    counts["legal_hold"] = await _deleted(LegalHold, LegalHold.casus == case_id)
    counts["document"] = await _deleted(Document, Document.casus == case_id)
    counts["case_key"] = await _deleted(CaseKey, CaseKey.casus == case_id)
    if consent_ids:
        still_named = {
            row["consent"]
            for row in await Document.select(Document.consent).where(
                Document.consent.is_in(consent_ids)
            )
        }
        unnamed = [consent for consent in consent_ids if consent not in still_named]
        if unnamed:
            counts["consent"] = await _deleted(Consent, Consent.id.is_in(unnamed))
    await Casus.update(
        {
            Casus.reference: tombstone,
            Casus.closing_explanation: None,
            Casus.registered_by: None,
            Casus.aanmelder: None,
        }
    ).where(Casus.id == case_id)
    return {table: count for table, count in counts.items() if count}


async def erase_document_rows(document_id: UUID) -> dict[str, int]:
    """Delete one document's rows (its provider removed it); count per table.

    Call inside ``write_transaction()``. Its consent record stays: it is the partij's own
    record of what the person agreed to, and may stand behind its other documents.
    """
    if isinstance(Casus._meta.db, SQLiteEngine):
        await Casus.raw("PRAGMA secure_delete = ON")
    counts = {
        "document_approval": await _deleted(Approval, Approval.document == document_id),
        "further_use_request": await _deleted(
            FurtherUseRequest, FurtherUseRequest.document == document_id
        ),
        "document": await _deleted(Document, Document.id == document_id),
    }
    return {table: count for table, count in counts.items() if count}


async def _deleted(table: type[Table], where: Any) -> int:
    rows = await table.delete().where(where).returning(table._meta.primary_key)
    return len(rows)


async def clear_deleted_rows() -> None:
    """Remove what the deletes left on disk; outside any transaction.

    PostgreSQL: ``VACUUM`` makes the dead tuples' space free (a plain vacuum does not
    overwrite it at once, but new rows reuse it and it no longer reaches a logical dump or
    a replica). SQLite: the freed pages were zeroed by ``secure_delete``; the write-ahead
    log still holds their old contents until a checkpoint truncates it.
    """
    engine = Casus._meta.db
    if isinstance(engine, PostgresEngine):
        for table in TOUCHED_TABLES:
            await engine.run_ddl(f"VACUUM {table._meta.tablename}")
    else:
        await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
