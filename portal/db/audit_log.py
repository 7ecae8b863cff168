"""The audit log: appending to its hash chain, its head, reading it, and its checkpoints.

Records come back as :class:`portal.domain.audit_chain.StoredRecord`, their hashed fields
already in canonical form, so a reader and the verifier see exactly what was hashed.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import weakref
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


@dataclass(frozen=True, slots=True)
class _Append:
    entry: AuditEntry
    subject_index: str | None
    sealed_with: tuple[str, str] | None


async def append_audit(
    entry: AuditEntry,
    *,
    subject_index: str | None = None,
    sealed_with: tuple[str, str] | None = None,
) -> int:
    """Append one record to the hash chain; return its sequence number once it is durable.

    ``entry`` is hashed as it is stored (its personal fields sealed already, see
    ``portal.services.audit_sealing``); ``subject_index`` is stored beside it, unhashed.
    ``sealed_with`` (case id, wrapped key) is the key the sealer used, from its cache: it
    is checked against the ``audit_case_key`` row under the chain lock, and
    ``SealingKeyGone`` raised, nothing written, if the row no longer holds it.

    Inside an open transaction the record joins it, and stands or falls with what it
    records. Otherwise it is group-committed: records that arrive while an append is in
    flight go into the next one together, in one transaction and one commit (see
    :class:`_GroupCommit`). Raises whatever the database raises: the caller must not go
    ahead with the action it records if this fails.
    """
    engine = AuditEvent._meta.db
    append = _Append(entry, subject_index, sealed_with)
    if engine.current_transaction.get() is not None:
        return (await _append_entries(engine, [append]))[0]
    return await _group_commit(engine).append(append)


MAX_GROUP = 64
"""At most this many records share one commit."""


class _GroupCommit:
    """One process's appends outside a transaction, committed together while others wait.

    Every append waits for its own record's commit, as before; what changes is that the
    ones arriving while a commit is in flight do not each take the chain lock, read the
    head and commit, but go in the next transaction together, where the chain lock is
    held once for all of them. With one request at a time nothing waits for company: a
    record alone is committed at once. Should a shared commit fail (a sealing key gone,
    say), each of its records is tried again on its own, so one record cannot refuse the
    others' actions. Nothing is held here beyond the records not yet committed, whose
    callers are waiting.
    """

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._pending: list[tuple[_Append, asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def append(self, append: _Append) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        # A caller cancelled while it waits leaves its record to be written all the same;
        # its outcome is then nobody's to read, which must not be reported as lost.
        future.add_done_callback(_retrieve)
        self._pending.append((append, future))
        if self._flusher is None or self._flusher.done():
            # A context of its own: never the caller's (its transaction, its trace).
            self._flusher = loop.create_task(self._flush(), context=contextvars.Context())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            try:
                seqs = await _append_entries(self._engine, [append for append, _ in group])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                if len(group) == 1:
                    _settle(group[0][1], error=exc)
                    continue
                for append, future in group:
                    try:
                        (seq,) = await _append_entries(self._engine, [append])
                    except Exception as alone:  # noqa: BLE001 - handed to its caller
                        _settle(future, error=alone)
                    else:
                        _settle(future, seq=seq)
            else:
                for (_, future), seq in zip(group, seqs, strict=True):
                    _settle(future, seq=seq)


def _settle(
    future: asyncio.Future[int], *, seq: int | None = None, error: Exception | None = None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(seq if seq is not None else 0)


def _retrieve(future: asyncio.Future[int]) -> None:
    if not future.cancelled():
        future.exception()


# Per event loop and engine: tests bind several engines in turn, and run many loops.
_GROUPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _GroupCommit]] = (
    weakref.WeakKeyDictionary()
)


def _group_commit(engine: Any) -> _GroupCommit:
    groups = _GROUPS.setdefault(asyncio.get_running_loop(), {})
    group = groups.get(id(engine))
    if group is None or group._engine is not engine:
        group = groups[id(engine)] = _GroupCommit(engine)
    return group


def _sealing_keys(appends: list[_Append]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(a.sealed_with for a in appends if a.sealed_with is not None))


async def _append_entries(engine: Any, appends: list[_Append]) -> list[int]:
    """Append in order in one transaction (joining an open one)."""
    if isinstance(engine, PostgresEngine):
        return await _append_postgres(engine, appends)
    async with write_transaction():
        for sealed_with in _sealing_keys(appends):
            if not await _key_holds(*sealed_with):
                raise SealingKeyGone(sealed_with[0])
        last = (
            await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .order_by(AuditEvent.seq, ascending=False)
            .first()
        )
        rows, seqs = _chained(appends, last)
        await AuditEvent.insert(*(AuditEvent(**row) for row in rows))
    return seqs


def _chained(
    appends: list[_Append], last: Mapping[str, Any] | None
) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows that continue the chain after ``last`` (None: an empty log)."""
    seq = 0 if last is None else int(last["seq"])
    prev_hash = GENESIS_HASH if last is None else str(last["hash"])
    rows, seqs = [], []
    for append in appends:
        seq += 1
        hash_ = chain_hash(seq, append.entry, prev_hash)
        rows.append(
            {
                "seq": seq,
                "prev_hash": prev_hash,
                "hash": hash_,
                "data_subject_index": append.subject_index,
                **_audit_columns(append.entry),
            }
        )
        seqs.append(seq)
        prev_hash = hash_
    return rows, seqs


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
_KEY_HOLDS = "SELECT EXISTS (SELECT 1 FROM audit_case_key WHERE case_id = $1 AND wrapped_key = $2)"


async def _key_holds(case_id: str, wrapped_key: str) -> bool:
    row = (
        await AuditCaseKey.select(AuditCaseKey.case_id)
        .where((AuditCaseKey.case_id == case_id) & (AuditCaseKey.wrapped_key == wrapped_key))
        .first()
    )
    return row is not None


async def _append_postgres(engine: PostgresEngine, appends: list[_Append]) -> list[int]:
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
        keys = _sealing_keys(appends)
        if not keys:
            await connection.execute(_LOCK, AUDIT_CHAIN_LOCK)
        else:
            # The first key's check rides on the lock's round trip. A destruction
            # committed between this check and the commit leaves one record sealed under
            # the key just destroyed: unreadable to everyone, as destruction means anyway.
            locked = await connection.fetchrow(_LOCK_AND_KEY, AUDIT_CHAIN_LOCK, *keys[0])
            if locked is None or not locked["key_holds"]:
                raise SealingKeyGone(keys[0][0])
            for sealed_with in keys[1:]:
                if not await connection.fetchval(_KEY_HOLDS, *sealed_with):
                    raise SealingKeyGone(sealed_with[0])
        last = await connection.fetchrow(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
        )
        rows, seqs = _chained(appends, last)
        await connection.executemany(
            _AUDIT_INSERT, [[row[name] for name in _AUDIT_INSERT_COLUMNS] for row in rows]
        )
    return seqs


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
