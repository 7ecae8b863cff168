"""The per-case keys that seal the audit log's personal fields, wrapped, one row per case.

A row is in one of two states: live (``wrapped_key`` set) or a tombstone (emptied when the
case was destroyed). The tombstone stays so that a record written about the case later
finds it and creates no fresh key (see ``portal.services.audit_sealing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from portal.db.tables import AuditCaseKey


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditKeyRow:
    case_id: str
    wrapped_key: str | None
    """None once the case is destroyed: the row is then a tombstone."""


def _row(row: dict[str, object]) -> AuditKeyRow:
    wrapped = row["wrapped_key"]
    return AuditKeyRow(
        case_id=str(row["case_id"]), wrapped_key=None if wrapped is None else str(wrapped)
    )


_KEY_QUERY = "SELECT case_id, wrapped_key FROM audit_case_key WHERE case_id = $1"


async def audit_key(case_id: str) -> AuditKeyRow | None:
    """The case's row, live or tombstone; read on every append of a record about a case."""
    engine = AuditCaseKey._meta.db
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        # On every download's path: plain asyncpg costs a fraction of Piccolo's query
        # building. Inside a transaction on its connection, which may hold the key it
        # has just made (a case's first record); otherwise on one from the pool.
        transaction = engine.current_transaction.get()
        if transaction is not None:
            found = await transaction.connection.fetchrow(_KEY_QUERY, case_id)
        else:
            async with engine.pool.acquire() as connection:
                found = await connection.fetchrow(_KEY_QUERY, case_id)
        return None if found is None else _row(dict(found))
    row = (
        await AuditCaseKey.select(AuditCaseKey.case_id, AuditCaseKey.wrapped_key)
        .where(AuditCaseKey.case_id == case_id)
        .first()
    )
    return None if row is None else _row(row)


async def audit_keys(case_ids: Iterable[str]) -> dict[str, AuditKeyRow]:
    """The rows of ``case_ids`` that exist, live or tombstone, by case id."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    rows = await AuditCaseKey.select(AuditCaseKey.case_id, AuditCaseKey.wrapped_key).where(
        AuditCaseKey.case_id.is_in(wanted)
    )
    return {str(row["case_id"]): _row(row) for row in rows}


async def audit_case_ids() -> list[str]:
    """Every case with a row, its key live or destroyed."""
    rows = await AuditCaseKey.select(AuditCaseKey.case_id)
    return [str(row["case_id"]) for row in rows]


async def insert_audit_key(*, case_id: str, wrapped_key: str, now: datetime) -> AuditKeyRow:
    """Store a new key unless the case has a row already (live or tombstone); return the
    row that holds, which is the other writer's where two raced."""
    # Plain SQL: Piccolo's on_conflict spells DO NOTHING differently on the two engines.
    await AuditCaseKey.raw(
        "INSERT INTO audit_case_key (case_id, wrapped_key, created_at) "
        "VALUES ({}, {}, {}) ON CONFLICT (case_id) DO NOTHING",
        case_id,
        wrapped_key,
        now,
    )
    row = await audit_key(case_id)
    if row is None:  # pragma: no cover - inserted or found on the lines above
        raise RuntimeError(f"the audit key of case {case_id} was neither stored nor found")
    return row


async def destroy_audit_key(case_id: str, *, now: datetime) -> bool:
    """Empty the case's key and leave its row a tombstone (one made if there was no row);
    True if a live key was destroyed. Call inside ``write_transaction()``."""
    if isinstance(AuditCaseKey._meta.db, SQLiteEngine):
        # The emptied key's old bytes are overwritten with zeros, not left in free space;
        # the write-ahead log is truncated by ``retention.clear_deleted_rows`` after.
        await AuditCaseKey.raw("PRAGMA secure_delete = ON")
    destroyed = (
        await AuditCaseKey.update({AuditCaseKey.wrapped_key: None, AuditCaseKey.destroyed_at: now})
        .where((AuditCaseKey.case_id == case_id) & AuditCaseKey.wrapped_key.is_not_null())
        .returning(AuditCaseKey.case_id)
    )
    if destroyed:
        return True
    await AuditCaseKey.raw(
        "INSERT INTO audit_case_key (case_id, wrapped_key, created_at, destroyed_at) "
        "VALUES ({}, NULL, {}, {}) ON CONFLICT (case_id) DO NOTHING",
        case_id,
        now,
        now,
    )
    return False
