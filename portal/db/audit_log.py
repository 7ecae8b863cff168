"""The audit log: appending to its hash chain, its head, reading it, and its checkpoints.

Records come back as :class:`portal.domain.audit_chain.StoredRecord`, their hashed fields
already in canonical form, so a reader and the verifier see exactly what was hashed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from portal.db.tables import AuditCaseKey, AuditCheckpoint, AuditEvent
from portal.db.transactions import write_transaction
from portal.domain.audit import FIELD_NAMES, AuditEntry, AuditQuery
from portal.domain.audit_chain import GENESIS_HASH, StoredRecord, canonical_fields, chain_hash

# One lock for the whole audit chain on PostgreSQL: appends are serialised so that every
# record names its true predecessor. A constant key, chosen once, never reused elsewhere.
AUDIT_CHAIN_LOCK = 7_513_2024


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckpointRow:
    """A signed checkpoint as stored; whether its signature holds is for the reader to check."""

    number: int
    seq: int
    head_hash: str
    statement: str
    signature: str
    key_fingerprint: str
    signed_at: datetime


# --- appending -------------------------------------------------------------------------------


class SealingKeyGone(Exception):
    """The audit key an entry was sealed with is no longer the case's live key."""


async def append_audit(
    entry: AuditEntry,
    *,
    subject_index: str | None = None,
    sealed_with: tuple[str, str] | None = None,
) -> int:
    """Append one record to the hash chain; return its sequence number.

    ``entry`` is hashed as it is stored (its personal fields sealed already, see
    ``portal.services.audit_sealing``); ``subject_index`` is stored beside it, unhashed.
    ``sealed_with`` (case id, wrapped key) is the key the sealer used, from its cache: it
    is checked against the ``audit_case_key`` row in the statement that takes the chain
    lock, no extra round trip, and ``SealingKeyGone`` raised, nothing written, if the row
    no longer holds it.

    Runs in its own transaction (immediate on SQLite, advisory-locked on PostgreSQL) so
    concurrent writers keep one consistent chain. Raises whatever the database raises:
    the caller must not go ahead with the action it records if this fails.
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, PostgresEngine):
        return await _append_audit_postgres(engine, entry, subject_index, sealed_with)
    async with write_transaction():
        if sealed_with is not None and not await _key_holds(*sealed_with):
            raise SealingKeyGone(sealed_with[0])
        last = (
            await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .order_by(AuditEvent.seq, ascending=False)
            .first()
        )
        seq = 1 if last is None else int(last["seq"]) + 1
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        await AuditEvent.insert(
            AuditEvent(
                seq=seq,
                prev_hash=prev_hash,
                hash=chain_hash(seq, entry, prev_hash),
                data_subject_index=subject_index,
                **_audit_columns(entry),
            )
        )
    return seq


_AUDIT_INSERT_COLUMNS = ("seq", "prev_hash", "hash", "data_subject_index", *FIELD_NAMES)
_AUDIT_INSERT = (
    f"INSERT INTO audit_event ({', '.join(_AUDIT_INSERT_COLUMNS)}) "  # noqa: S608 - column names are our own constants
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_AUDIT_INSERT_COLUMNS) + 1))})"
)


_LOCK = "SELECT pg_advisory_xact_lock($1)"
_LOCK_AND_KEY = (
    "SELECT pg_advisory_xact_lock($1), EXISTS (SELECT 1 FROM audit_case_key "
    "WHERE case_id = $2 AND wrapped_key = $3) AS key_holds"
)


async def _key_holds(case_id: str, wrapped_key: str) -> bool:
    row = (
        await AuditCaseKey.select(AuditCaseKey.case_id)
        .where((AuditCaseKey.case_id == case_id) & (AuditCaseKey.wrapped_key == wrapped_key))
        .first()
    )
    return row is not None


async def _append_audit_postgres(
    engine: PostgresEngine,
    entry: AuditEntry,
    subject_index: str | None,
    sealed_with: tuple[str, str] | None,
) -> int:
    """The PostgreSQL append on the transaction's own connection, as prepared statements.

    The chain lock is held from the head read to the commit, so the time spent inside it
    bounds how many records per second the whole deployment can append; Piccolo's query
    building there cost more than the database did. Lock and head read stay separate
    statements: read in the same statement, the head could predate the lock.
    """
    async with engine.transaction():
        transaction = engine.current_transaction.get()
        if transaction is None:  # pragma: no cover - entered on the line above
            raise RuntimeError("no transaction to append the audit record in")
        connection = transaction.connection
        if sealed_with is None:
            await connection.execute(_LOCK, AUDIT_CHAIN_LOCK)
        else:
            # The key's check rides on the lock's round trip. A destruction committed
            # between this check and the commit leaves one record sealed under the key
            # just destroyed: unreadable to everyone, as destruction means anyway.
            locked = await connection.fetchrow(_LOCK_AND_KEY, AUDIT_CHAIN_LOCK, *sealed_with)
            if locked is None or not locked["key_holds"]:
                raise SealingKeyGone(sealed_with[0])
        last = await connection.fetchrow(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
        )
        seq = 1 if last is None else int(last["seq"]) + 1
        prev_hash = GENESIS_HASH if last is None else str(last["hash"])
        columns = _audit_columns(entry)
        await connection.execute(
            _AUDIT_INSERT,
            seq,
            prev_hash,
            chain_hash(seq, entry, prev_hash),
            subject_index,
            *(columns[name] for name in FIELD_NAMES),
        )
    return seq


def _audit_columns(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in FIELD_NAMES}
    return {
        name: (value.value if isinstance(value, enum.Enum) else value)
        for name, value in values.items()
    }


async def lock_audit_chain() -> None:
    """Inside ``write_transaction()``: hold the chain's lock until the transaction ends.

    On SQLite the immediate transaction already excludes every other writer.
    """
    if not isinstance(AuditEvent._meta.db, SQLiteEngine):
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", AUDIT_CHAIN_LOCK)


# --- reading ---------------------------------------------------------------------------------


def _stored_record(row: Mapping[str, Any]) -> StoredRecord:
    return StoredRecord(
        seq=int(row["seq"]),
        prev_hash=str(row["prev_hash"]),
        hash=str(row["hash"]),
        fields=canonical_fields(row),
    )


async def audit_head() -> tuple[int, str] | None:
    """Sequence number and hash of the newest record, or None for an empty log."""
    last = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return None if last is None else (int(last["seq"]), str(last["hash"]))


async def audit_rows_after(after_seq: int, limit: int) -> list[StoredRecord]:
    """Up to ``limit`` records after ``after_seq``, in order: one batch of a full scan."""
    engine = AuditEvent._meta.db
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        # A million-record verify spends its time here and in hashing: plain asyncpg
        # rows cost a fraction of Piccolo's per-row conversion.
        async with engine.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT * FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2",
                after_seq,
                limit,
            )
        return [_stored_record(dict(row)) for row in rows]
    return [
        _stored_record(row)
        for row in await AuditEvent.select()
        .where(AuditEvent.seq > after_seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    ]


async def audit_page(query: AuditQuery, *, after_seq: int, limit: int) -> list[StoredRecord]:
    """Records matching ``query``, in sequence order, after ``after_seq`` (keyset paging)."""
    select = AuditEvent.select().where(AuditEvent.seq > after_seq)
    if query.case_id is not None:
        select = select.where(AuditEvent.case_id == query.case_id)
    if query.partij_id is not None:
        select = select.where(
            (AuditEvent.actor_partij_id == query.partij_id)
            | (AuditEvent.provider_partij_id == query.partij_id)
        )
    if query.scope_partij_id is not None:
        select = select.where(
            (AuditEvent.actor_partij_id == query.scope_partij_id)
            | (AuditEvent.provider_partij_id == query.scope_partij_id)
        )
    if query.provider_partij_id is not None:
        select = select.where(AuditEvent.provider_partij_id == query.provider_partij_id)
    if query.user is not None:
        select = select.where(
            (AuditEvent.actor_user_id == query.user) | (AuditEvent.actor_username == query.user)
        )
    if query.actions:
        select = select.where(AuditEvent.action.is_in(list(query.actions)))
    if query.data_subject_ref is not None:
        # Records from before sealing hold the pseudonym in clear; sealed ones its index.
        clear = AuditEvent.data_subject_ref == query.data_subject_ref
        select = select.where(
            clear | AuditEvent.data_subject_index.is_in(sorted(query.data_subject_indexes))
            if query.data_subject_indexes
            else clear
        )
    if query.since is not None:
        select = select.where(AuditEvent.started_at >= query.since)
    if query.until is not None:
        select = select.where(AuditEvent.started_at < query.until)
    return [_stored_record(row) for row in await select.order_by(AuditEvent.seq).limit(limit)]


# --- checkpoints -----------------------------------------------------------------------------


def _checkpoint(row: Mapping[str, Any]) -> CheckpointRow:
    return CheckpointRow(
        number=int(row["number"]),
        seq=int(row["seq"]),
        head_hash=str(row["head_hash"]),
        statement=str(row["statement"]),
        signature=str(row["signature"]),
        key_fingerprint=str(row["key_fingerprint"]),
        signed_at=row["signed_at"],
    )


async def audit_checkpoint_rows() -> list[CheckpointRow]:
    rows = await AuditCheckpoint.select().order_by(AuditCheckpoint.number)
    return [_checkpoint(row) for row in rows]


async def last_audit_checkpoint() -> CheckpointRow | None:
    row = await AuditCheckpoint.select().order_by(AuditCheckpoint.number, ascending=False).first()
    return None if row is None else _checkpoint(row)


async def audit_checkpoint(number: int) -> CheckpointRow | None:
    row = await AuditCheckpoint.select().where(AuditCheckpoint.number == number).first()
    return None if row is None else _checkpoint(row)


async def insert_audit_checkpoint(
    *,
    number: int,
    seq: int,
    head_hash: str,
    statement: str,
    signature: str,
    key_fingerprint: str,
    signed_at: datetime,
) -> None:
    await AuditCheckpoint.insert(
        AuditCheckpoint(
            number=number,
            seq=seq,
            head_hash=head_hash,
            statement=statement,
            signature=signature,
            key_fingerprint=key_fingerprint,
            signed_at=signed_at,
        )
    )
