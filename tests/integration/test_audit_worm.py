"""The audit chain against its WORM copies, on real PostgreSQL and a real MinIO.

The records are written through the services' AuditLog with a Checkpointer, as the
portal writes them; ``portal audit verify`` then runs as an operator runs it, in its own
process. The tampering is what a DBA can do (drop the append-only triggers, then delete
or rewrite records and checkpoints): the database alone no longer shows it, the
object-locked copies in MinIO do.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from crypto import GnuPGHome, MasterKey, SigningKeys
from portal.app import StartupRefused, prepare_worm_store
from portal.db.engine import bind_engine, close_engine, migrate, open_engine, postgres_engine
from portal.db.tables import AuditCheckpoint, AuditEvent
from portal.services.audit import AuditLog
from portal.services.audit_chain import AuditSigner, Checkpointer, WormCopies
from portal.services.clock import system_clock
from portal.settings import load_settings
from storage import S3WormStore
from tests.integration.test_audit_chain import (
    drop_append_only_triggers,
    entry,
    insert_forged_record,
)
from tests.servers import free_port
from tests.servers.s3 import S3Endpoint

PORTAL = str(Path(sys.executable).parent / "portal")
EVERY_RECORDS = 5


@dataclass(frozen=True, kw_only=True)
class Portal:
    """One portal's database, WORM bucket and data directory, shared with the CLI."""

    url: str
    minio: S3Endpoint
    worm_bucket: str
    data_dir: Path

    def environ(self, **more: str) -> dict[str, str]:
        environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
        return {
            **environ,
            "PORTAL_DATA_DIR": str(self.data_dir),
            "PORTAL_DATABASE_URL": self.url,
            "PORTAL_S3_ENDPOINT": self.minio.endpoint,
            "PORTAL_S3_ACCESS_KEY": self.minio.access_key,
            "PORTAL_S3_SECRET_KEY": self.minio.secret_key,
            "PORTAL_S3_BUCKET": "documents",
            "PORTAL_S3_SECURE": "false",
            "PORTAL_AUDIT_WORM_BUCKET": self.worm_bucket,
            **more,
        }

    def worm(self) -> S3WormStore:
        return S3WormStore(
            endpoint=self.minio.endpoint,
            access_key=self.minio.access_key,
            secret_key=self.minio.secret_key,
            bucket=self.worm_bucket,
            secure=False,
        )

    def verify(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PORTAL, "audit", "verify"],
            env=self.environ(),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


@pytest.fixture
async def portal(postgres_url: str, minio_endpoint: S3Endpoint) -> AsyncIterator[Portal]:
    data_dir = Path(f"/tmp/portal-worm-{os.getpid()}-{free_port()}")
    data_dir.mkdir(mode=0o700)  # noqa: ASYNC240 - set-up before anything runs concurrently
    MasterKey.generate().write(data_dir / "master.key")
    engine = postgres_engine(postgres_url)
    bind_engine(engine)
    await open_engine(engine)
    await migrate()
    setup = Portal(
        url=postgres_url,
        minio=minio_endpoint,
        worm_bucket=f"audit-worm-{uuid.uuid4().hex[:16]}",
        data_dir=data_dir,
    )
    setup.worm().ensure_bucket(default_retention_days=1)
    try:
        yield setup
    finally:
        await close_engine(engine)
        subprocess.run(
            ["gpgconf", "--homedir", str(data_dir / "gnupg"), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def checkpointer(portal: Portal) -> AsyncIterator[tuple[AuditLog, Checkpointer]]:
    """The portal's audit log, signing every 5 records and, on the clock, only hourly."""
    signer = AuditSigner(
        keys=SigningKeys(GnuPGHome(portal.data_dir / "gnupg")),
        master_key=MasterKey.load(portal.data_dir / "master.key"),
    )
    checkpointer = Checkpointer(
        signer,
        worm=WormCopies(store=portal.worm(), retain_for=timedelta(days=1)),
        every_records=EVERY_RECORDS,
        every_seconds=3600,
        clock=system_clock,
    )
    audit = AuditLog(
        pseudonym_key=bytes(32), sealing_key=b"s" * 32, on_appended=checkpointer.appended
    )
    task = asyncio.create_task(checkpointer.run())
    try:
        yield audit, checkpointer
    finally:
        checkpointer.stop()
        await task


async def append(audit: AuditLog, count: int) -> None:
    for number in range(1, count + 1):
        await audit.append(entry(number))


async def wait_for_checkpoint_at(seq: int) -> None:
    deadline = time.monotonic() + 30
    while not await AuditCheckpoint.exists().where(AuditCheckpoint.seq == seq):
        assert time.monotonic() < deadline, f"no checkpoint at record {seq} within 30 s"
        await asyncio.sleep(0.05)


async def chain_of_12_with_checkpoints_at_5_and_10(
    checkpointer: tuple[AuditLog, Checkpointer],
) -> None:
    audit, _ = checkpointer
    await append(audit, 5)
    await wait_for_checkpoint_at(5)
    await append(audit, 5)
    await wait_for_checkpoint_at(10)
    await append(audit, 2)


# --- N records, not M seconds ----------------------------------------------------------


async def test_a_checkpoint_and_its_worm_copy_follow_every_5_records_long_before_the_hour(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    started = time.monotonic()

    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)

    assert time.monotonic() - started < 30, "the hourly timer did not do this"
    rows = await AuditCheckpoint.select(AuditCheckpoint.number, AuditCheckpoint.seq).order_by(
        AuditCheckpoint.number
    )
    assert [(row["number"], row["seq"]) for row in rows] == [(1, 5), (2, 10)]
    assert [version.key for version in portal.worm().versions("")] == [
        "checkpoints/000000000001",
        "checkpoints/000000000002",
    ]


# --- verify -----------------------------------------------------------------------------


async def test_verify_passes_an_intact_log_and_says_what_the_worm_copies_cover(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)

    verified = portal.verify()

    assert verified.returncode == 0, verified.stderr
    assert "audit log intact: 12 records, 2 signed checkpoints" in verified.stdout
    assert (
        f"WORM copies: 2 in S3 bucket {portal.minio.endpoint}/{portal.worm_bucket} "
        "(object lock, COMPLIANCE mode); they cover records up to 10"
    ) in verified.stdout
    assert "not yet covered by a WORM copy: records 11 to 12" in verified.stdout


async def test_verify_fails_naming_the_gap_when_a_dba_deletes_the_last_records(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    # The whole trace in the database: the records and the checkpoint that covered them.
    await AuditEvent.delete().where(AuditEvent.seq >= 8)
    await AuditCheckpoint.delete().where(AuditCheckpoint.number == 2)

    verified = portal.verify()

    assert verified.returncode == 1
    assert (
        "audit log BROKEN at record 8: truncated (the log ends at record 7, but the WORM copy "
        "of checkpoint 2 covers records up to 10: record 8 to 10 deleted from the database)"
    ) in verified.stderr


async def test_verify_fails_when_every_record_and_checkpoint_is_deleted(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    await AuditEvent._meta.db.run_ddl("DELETE FROM audit_event")
    await AuditEvent._meta.db.run_ddl("DELETE FROM audit_checkpoint")

    verified = portal.verify()

    assert verified.returncode == 1
    assert "audit log BROKEN at record 1: truncated (the log ends at record 0" in verified.stderr


async def test_verify_fails_when_a_record_is_rewritten_and_the_chain_rehashed(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    # Record 3 rewritten, every hash after it recomputed, and the database's checkpoints,
    # which no longer match, removed: the database alone shows nothing.
    rows = await AuditEvent.select().order_by(AuditEvent.seq)
    await AuditEvent.delete().where(AuditEvent.seq >= 3)
    await AuditCheckpoint.delete(force=True)
    prev_hash = rows[1]["hash"]
    for seq in range(3, 13):
        prev_hash = await insert_forged_record(
            seq=seq, entry=entry(77 if seq == 3 else seq), prev_hash=prev_hash
        )

    verified = portal.verify()

    assert verified.returncode == 1
    assert (
        "audit log BROKEN at record 5: changed (record 5 differs from the head signed in the "
        "WORM copy of checkpoint 1: the chain up to it was rewritten)"
    ) in verified.stderr


async def test_verify_fails_when_one_field_of_a_record_is_changed(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    await AuditEvent.update({AuditEvent.reason: "nothing happened"}).where(AuditEvent.seq == 3)

    verified = portal.verify()

    assert verified.returncode == 1
    assert "audit log BROKEN at record 3: changed" in verified.stderr


async def test_verify_fails_when_a_checkpoint_is_deleted_from_the_database_only(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    await AuditCheckpoint.delete().where(AuditCheckpoint.number == 2)

    verified = portal.verify()

    assert verified.returncode == 1
    assert (
        "audit log BROKEN at record 10: checkpoint missing (checkpoint 2 (record 10) has a "
        "WORM copy but is missing from the database: deleted)"
    ) in verified.stderr


async def test_a_delete_marker_put_over_a_worm_copy_does_not_hide_it(
    portal: Portal, checkpointer: tuple[AuditLog, Checkpointer]
) -> None:
    await chain_of_12_with_checkpoints_at_5_and_10(checkpointer)
    await drop_append_only_triggers("postgres")
    await AuditEvent.delete().where(AuditEvent.seq >= 8)
    await AuditCheckpoint.delete().where(AuditCheckpoint.number == 2)
    # With the portal's own S3 credentials: hide the copy that would betray the gap.
    portal.minio.client().remove_object(
        bucket_name=portal.worm_bucket, object_name="checkpoints/000000000002"
    )

    verified = portal.verify()

    assert verified.returncode == 1
    assert "audit log BROKEN at record 8: truncated" in verified.stderr


# --- several app processes -----------------------------------------------------------------


async def test_two_app_processes_appending_at_once_keep_one_chain_with_worm_copies(
    portal: Portal,
) -> None:
    writers = [
        subprocess.Popen(  # noqa: ASYNC220 - the writers are other processes; the test only waits
            [
                sys.executable,
                "-m",
                "tests.integration.audit_writer",
                portal.url,
                portal.minio.endpoint,
                portal.worm_bucket,
                str(portal.data_dir),
                "60",
            ],
            env=portal.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=180)
        assert writer.returncode == 0, stderr

    verified = portal.verify()

    assert verified.returncode == 0, verified.stderr
    assert "audit log intact: 120 records" in verified.stdout
    rows = await AuditCheckpoint.select(AuditCheckpoint.number, AuditCheckpoint.seq).order_by(
        AuditCheckpoint.number
    )
    # Both processes signed: one checkpoint per number and per record, in chain order,
    # and the last one at the head, each with its WORM copy.
    numbers = [row["number"] for row in rows]
    seqs = [row["seq"] for row in rows]
    assert numbers == list(range(1, len(rows) + 1))
    assert seqs == sorted(set(seqs))
    assert seqs[-1] == 120
    assert len(rows) >= 2
    assert len(list(portal.worm().versions(""))) == len(rows)
    assert "checkpoints without a WORM copy" not in verified.stdout


# --- refusing a bucket that does not lock ---------------------------------------------------


def test_production_refuses_to_start_with_a_worm_bucket_without_object_lock(
    portal: Portal, tmp_path: Path
) -> None:
    plain = f"plain-{uuid.uuid4().hex[:16]}"
    portal.minio.client().make_bucket(bucket_name=plain)
    environ = portal.environ(PORTAL_ENV="production", PORTAL_AUDIT_WORM_BUCKET=plain)
    environ["PORTAL_MASTER_KEY_FILE"] = str(portal.data_dir / "master.key")
    settings = load_settings(environ)
    store = S3WormStore(
        endpoint=portal.minio.endpoint,
        access_key=portal.minio.access_key,
        secret_key=portal.minio.secret_key,
        bucket=plain,
        secure=False,
    )

    with pytest.raises(StartupRefused, match="has no object lock"):
        prepare_worm_store(settings, store)


def test_development_only_warns_about_a_worm_bucket_without_object_lock(
    portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    plain = f"plain-{uuid.uuid4().hex[:16]}"
    portal.minio.client().make_bucket(bucket_name=plain)
    settings = load_settings(portal.environ(PORTAL_AUDIT_WORM_BUCKET=plain))
    store = S3WormStore(
        endpoint=portal.minio.endpoint,
        access_key=portal.minio.access_key,
        secret_key=portal.minio.secret_key,
        bucket=plain,
        secure=False,
    )

    with caplog.at_level(logging.WARNING, logger="portal"):
        prepare_worm_store(settings, store)

    assert "has no object lock" in caplog.text


def test_a_missing_worm_bucket_is_created_with_object_lock_in_compliance_mode(
    portal: Portal,
) -> None:
    bucket = f"fresh-{uuid.uuid4().hex[:16]}"
    settings = load_settings(portal.environ(PORTAL_AUDIT_WORM_BUCKET=bucket))
    store = S3WormStore(
        endpoint=portal.minio.endpoint,
        access_key=portal.minio.access_key,
        secret_key=portal.minio.secret_key,
        bucket=bucket,
        secure=False,
    )

    prepare_worm_store(settings, store)

    config = portal.minio.client().get_object_lock_config(bucket_name=bucket)
    assert (config.mode, config.duration) == ("COMPLIANCE", settings.audit_worm_retention_days)
    store.check()
