"""The audit chain on SQLite and PostgreSQL: append-only, signed, and every tampering found.

Each test writes a short chain, signs a checkpoint, then tampers with the database the
way an administrator with direct access could (dropping the append-only triggers first,
as a superuser can) and checks that ``verify_log`` names the first broken record and
the kind of break.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from crypto import GnuPGHome, MasterKey, SigningKeys
from portal.db import audit_log as audit_log_db
from portal.db.tables import AuditCheckpoint, AuditEvent
from portal.db.transactions import write_transaction
from portal.domain.actions import Action, Outcome
from portal.domain.audit import FIELD_NAMES, AuditEntry
from portal.domain.audit_chain import BreakKind, chain_hash, record_hash
from portal.domain.register import ProcessingActivity
from portal.services.audit_chain import AuditSigner, sign_checkpoint, verify_log
from tests.servers import free_port

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REFUSED = (sqlite3.IntegrityError, asyncpg.PostgresError)


def clock() -> datetime:
    return T0 + timedelta(hours=1)


@pytest.fixture
def signer() -> Iterator[AuditSigner]:
    path = Path(f"/tmp/portal-sig-{free_port()}")
    yield AuditSigner(keys=SigningKeys(GnuPGHome(path)), master_key=MasterKey.generate())
    subprocess.run(["gpgconf", "--homedir", str(path), "--kill", "gpg-agent"], check=False)
    subprocess.run(["rm", "-rf", str(path)], check=False)


def entry(number: int) -> AuditEntry:
    return AuditEntry(
        started_at=T0 + timedelta(minutes=number),
        ended_at=T0 + timedelta(minutes=number, seconds=1),
        action=Action.DOCUMENT_DOWNLOAD,
        outcome=Outcome.PERMIT,
        processing_activity=ProcessingActivity.DOCUMENT_EXCHANGE,
        reason=f"event {number}",
        actor_user_id="9a3c1f6e-0000-4000-8000-000000000001",
        case_id="5b0e2d4c-0000-4000-8000-000000000002",
        purpose="screening",
        data_subject_ref="ab" * 32,
    )


async def write_chain(count: int) -> None:
    for number in range(1, count + 1):
        await audit_log_db.append_audit(entry(number))


async def drop_append_only_triggers(database: str) -> None:
    """What a database superuser can do: the tampering tests start here."""
    engine = AuditEvent._meta.db
    for table in ("audit_event", "audit_checkpoint"):
        if database == "sqlite":
            for operation in ("update", "delete"):
                await engine.run_ddl(f"DROP TRIGGER {table}_no_{operation}")
        else:
            await engine.run_ddl(f"DROP TRIGGER {table}_append_only ON {table}")


async def renumber(*, above: int, by: int) -> None:
    """Shift every record above ``above`` by ``by`` without tripping the unique key."""
    engine = AuditEvent._meta.db
    shift = f"UPDATE audit_event SET seq = -(seq + {by}) WHERE seq > {above}"  # noqa: S608 - two ints of the test itself
    await engine.run_ddl(shift)
    await engine.run_ddl("UPDATE audit_event SET seq = -seq WHERE seq < 0")


async def insert_forged_record(*, seq: int, entry: AuditEntry, prev_hash: str) -> str:
    """Write a record at ``seq`` chained to ``prev_hash``, as a forger would; its hash."""
    digest = chain_hash(seq, entry, prev_hash)
    columns = {name: getattr(entry, name) for name in FIELD_NAMES}
    await AuditEvent.insert(AuditEvent(seq=seq, prev_hash=prev_hash, hash=digest, **columns))
    return digest


async def swap(first: int, second: int) -> None:
    await AuditEvent.update({AuditEvent.seq: -1}).where(AuditEvent.seq == first)
    await AuditEvent.update({AuditEvent.seq: first}).where(AuditEvent.seq == second)
    await AuditEvent.update({AuditEvent.seq: second}).where(AuditEvent.seq == -1)


async def test_an_intact_chain_verifies_with_its_checkpoints(
    database: str, signer: AuditSigner
) -> None:
    await write_chain(5)
    first = await sign_checkpoint(signer, clock=clock)
    assert first is not None
    assert (first.number, first.seq) == (1, 5)
    assert await sign_checkpoint(signer, clock=clock) is None, "an unchanged head is signed once"
    await write_chain(3)
    second = await sign_checkpoint(signer, clock=clock)
    assert second is not None
    assert (second.number, second.seq) == (2, 8)

    verdict = await verify_log(signer)

    assert verdict.intact, verdict.detail
    assert (verdict.records, verdict.checkpoints) == (8, 2)


async def test_the_database_refuses_update_and_delete_of_the_log(
    database: str, signer: AuditSigner
) -> None:
    await write_chain(2)
    await sign_checkpoint(signer, clock=clock)
    with pytest.raises(REFUSED, match="append-only"):
        await AuditEvent.update({AuditEvent.reason: "nothing happened"}).where(AuditEvent.seq == 1)
    with pytest.raises(REFUSED, match="append-only"):
        await AuditEvent.delete().where(AuditEvent.seq == 2)
    with pytest.raises(REFUSED, match="append-only"):
        await AuditCheckpoint.delete().where(AuditCheckpoint.number == 1)
    if database == "postgres":
        with pytest.raises(REFUSED, match="append-only"):
            await AuditEvent._meta.db.run_ddl("TRUNCATE audit_event")
    assert [row["reason"] for row in await AuditEvent.select(AuditEvent.reason)] == [
        "event 1",
        "event 2",
    ]


CHANGES: dict[str, object] = {
    name: "tampered" for name in FIELD_NAMES if name not in {"started_at", "ended_at", "emergency"}
} | {
    "started_at": T0 - timedelta(days=1),
    "ended_at": T0 - timedelta(days=1),
    "emergency": True,
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
}


@pytest.mark.parametrize("field", sorted(CHANGES))
async def test_changing_any_field_of_a_record_is_found_at_that_record(
    database: str, signer: AuditSigner, field: str
) -> None:
    await write_chain(6)
    await sign_checkpoint(signer, clock=clock)
    await drop_append_only_triggers(database)
    column = AuditEvent._meta.get_column_by_name(field)
    await AuditEvent.update({column: CHANGES[field]}).where(AuditEvent.seq == 3)

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (3, BreakKind.CHANGED), verdict.detail


async def test_a_deleted_record_is_found_missing(database: str, signer: AuditSigner) -> None:
    await write_chain(6)
    await drop_append_only_triggers(database)
    await AuditEvent.delete().where(AuditEvent.seq == 4)

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (4, BreakKind.MISSING), verdict.detail


async def test_an_inserted_record_is_found_inserted(database: str, signer: AuditSigner) -> None:
    await write_chain(6)
    await drop_append_only_triggers(database)
    # A forged record after record 3, chained properly to it; the rest moved up one.
    previous = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == 3).first()
    assert previous is not None
    await renumber(above=3, by=1)
    forged = entry(99)
    await insert_forged_record(seq=4, entry=forged, prev_hash=previous["hash"])

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (4, BreakKind.INSERTED), verdict.detail


@pytest.mark.parametrize(
    ("first", "second"),
    [pytest.param(2, 3, id="neighbours"), pytest.param(2, 5, id="far-apart")],
)
async def test_swapped_records_are_found_reordered(
    database: str, signer: AuditSigner, first: int, second: int
) -> None:
    await write_chain(6)
    await drop_append_only_triggers(database)
    await swap(first, second)

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (first, BreakKind.REORDERED), verdict.detail


async def test_a_tail_cut_off_below_a_checkpoint_is_found_truncated(
    database: str, signer: AuditSigner
) -> None:
    await write_chain(8)
    await sign_checkpoint(signer, clock=clock)
    await write_chain(2)
    await drop_append_only_triggers(database)
    await AuditEvent.delete().where(AuditEvent.seq >= 6)

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (6, BreakKind.TRUNCATED), verdict.detail


async def test_a_consistently_rewritten_chain_fails_at_its_signed_checkpoint(
    database: str, signer: AuditSigner
) -> None:
    await write_chain(5)
    await sign_checkpoint(signer, clock=clock)
    await drop_append_only_triggers(database)
    # Rewrite record 2 and recompute every hash after it: the chain itself is whole again.
    rows = await AuditEvent.select().order_by(AuditEvent.seq)
    await AuditEvent.delete().where(AuditEvent.seq >= 2)
    prev_hash = rows[0]["hash"]
    for number in range(2, len(rows) + 1):
        rewritten = entry(number) if number != 2 else entry(77)
        prev_hash = await insert_forged_record(seq=number, entry=rewritten, prev_hash=prev_hash)

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (5, BreakKind.CHANGED), verdict.detail
    assert "checkpoint 1" in verdict.detail


async def test_a_forged_checkpoint_signature_is_found(database: str, signer: AuditSigner) -> None:
    await write_chain(3)
    await sign_checkpoint(signer, clock=clock)
    await drop_append_only_triggers(database)
    other = AuditSigner(keys=signer.keys, master_key=MasterKey.generate())
    forged = other.keys.generate_signing_key("someone else", secret=other.secret)
    row = await AuditCheckpoint.select().first()
    assert row is not None
    signature = other.keys.sign_detached(forged, other.secret, row["statement"].encode())
    await AuditCheckpoint.update({AuditCheckpoint.signature: signature}).where(
        AuditCheckpoint.number == 1
    )

    verdict = await verify_log(signer)

    assert (verdict.broken_seq, verdict.kind) == (3, BreakKind.SIGNATURE), verdict.detail


def test_record_hash_covers_every_field() -> None:
    fields = dict.fromkeys(FIELD_NAMES, "x")
    base = record_hash(1, fields, "0" * 64)
    for name in FIELD_NAMES:
        assert record_hash(1, {**fields, name: "y"}, "0" * 64) != base, name


# --- group commit: appends outside a transaction share one ------------------------------


async def test_concurrent_appends_share_commits_and_keep_one_intact_chain(
    database: str, signer: AuditSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = audit_log_db._append_entries
    groups: list[int] = []

    async def counted(engine: object, entries: list[Any]) -> list[int]:
        groups.append(len(entries))
        return await real(engine, entries)

    monkeypatch.setattr(audit_log_db, "_append_entries", counted)

    seqs = await asyncio.gather(*(audit_log_db.append_audit(entry(n)) for n in range(1, 41)))

    assert sorted(seqs) == list(range(1, 41))
    assert sum(groups) == 40
    assert len(groups) < 40, "forty appends at once should not take forty commits"
    rows = await AuditEvent.select(AuditEvent.seq, AuditEvent.reason).order_by(AuditEvent.seq)
    assert {row["reason"] for row in rows} == {f"event {n}" for n in range(1, 41)}
    # Each caller got the number of its own record.
    by_reason = {row["reason"]: row["seq"] for row in rows}
    assert [by_reason[f"event {n}"] for n in range(1, 41)] == seqs
    verdict = await verify_log(signer)
    assert verdict.intact, verdict.detail


async def test_a_record_failing_in_a_shared_commit_fails_its_caller_alone(
    database: str, signer: AuditSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = audit_log_db._append_entries

    async def poisoned(engine: object, entries: list[Any]) -> list[int]:
        if any(a.entry.reason == "event 5" for a in entries):
            raise RuntimeError("the database refused this group")
        return await real(engine, entries)

    monkeypatch.setattr(audit_log_db, "_append_entries", poisoned)

    outcomes = await asyncio.gather(
        *(audit_log_db.append_audit(entry(n)) for n in range(1, 11)), return_exceptions=True
    )

    failed = [n for n, outcome in enumerate(outcomes, start=1) if isinstance(outcome, Exception)]
    assert failed == [5]
    assert sorted(o for o in outcomes if isinstance(o, int)) == list(range(1, 10))
    verdict = await verify_log(signer)
    assert verdict.intact, verdict.detail
    assert verdict.records == 9


async def test_an_append_inside_a_transaction_stands_or_falls_with_it(database: str) -> None:
    class Undone(Exception):
        pass

    async def undone() -> None:
        async with write_transaction():
            await audit_log_db.append_audit(entry(1))
            raise Undone

    with pytest.raises(Undone):
        await undone()

    assert await AuditEvent.count() == 0
    await audit_log_db.append_audit(entry(2))
    assert await AuditEvent.count() == 1
