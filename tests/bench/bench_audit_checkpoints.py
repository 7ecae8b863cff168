"""What signing a checkpoint every 100 records, with a WORM copy, costs the appends.

    uv run python -m tests.bench.bench_audit_checkpoints [--seconds 10] [--records 100]

Starts its own PostgreSQL and MinIO (as the tests do) and appends with 8 concurrent
writers through the services' AuditLog for ``--seconds``, twice, each on a fresh
database: without a checkpointer (as before: an hourly checkpoint never comes within the
run) and with one signing every ``--records`` records or 60 s, copying each checkpoint
to an object-locked MinIO bucket. Then verifies the second chain against its copies.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from crypto import GnuPGHome, MasterKey, SigningKeys
from portal.db.engine import bind_engine, close_engine, migrate, open_engine, postgres_engine
from portal.db.tables import AuditCheckpoint
from portal.services.audit import AuditLog
from portal.services.audit_chain import (
    AuditSigner,
    Checkpointer,
    WormCopies,
    portal_signing_key,
    verify_log,
)
from portal.services.clock import system_clock
from storage import S3WormStore
from tests.bench.bench_audit import WRITERS, sample
from tests.servers.postgres import postgres_server
from tests.servers.s3 import minio_server


async def appends_per_second(audit: AuditLog, seconds: float) -> tuple[float, int]:
    stop = time.monotonic() + seconds
    counts = [0] * WRITERS

    async def writer(index: int) -> None:
        while time.monotonic() < stop:
            await audit.append(sample(counts[index]))
            counts[index] += 1

    started = time.monotonic()
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    return sum(counts) / (time.monotonic() - started), sum(counts)


async def run(
    url: str, *, signer: AuditSigner, checkpointer: Checkpointer | None, seconds: float
) -> tuple[float, int]:
    engine = postgres_engine(url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        await migrate()
        if checkpointer is None:
            return await appends_per_second(
                AuditLog(pseudonym_key=bytes(32), sealing_key=b"s" * 32), seconds
            )
        # The key is made once per portal, not per checkpoint: not part of what is measured.
        await portal_signing_key(signer, clock=system_clock)
        audit = AuditLog(
            pseudonym_key=bytes(32), sealing_key=b"s" * 32, on_appended=checkpointer.appended
        )
        task = asyncio.create_task(checkpointer.run())
        try:
            return await appends_per_second(audit, seconds)
        finally:
            checkpointer.stop()
            await task
    finally:
        await close_engine(engine)


async def main(seconds: float, every_records: int, rounds: int) -> int:
    home_dir = Path(tempfile.mkdtemp(prefix="pbc", dir="/tmp"))
    work = Path(tempfile.mkdtemp(prefix="bench-minio"))
    try:
        with postgres_server() as server, minio_server(work) as minio:
            signer = AuditSigner(
                keys=SigningKeys(GnuPGHome(home_dir)), master_key=MasterKey.generate()
            )
            lines = []
            # Alternating rounds, each on a fresh database: a shared machine's load drifts.
            for round_number in range(rounds):
                before, before_count = await run(
                    server.create_database(f"bench_before_{round_number}"),
                    signer=signer,
                    checkpointer=None,
                    seconds=seconds,
                )
                # A bucket per round: each round is another portal, with its own key.
                store = S3WormStore(
                    endpoint=minio.endpoint,
                    access_key=minio.access_key,
                    secret_key=minio.secret_key,
                    bucket=f"bench-audit-worm-{round_number}",
                    secure=False,
                )
                store.ensure_bucket(default_retention_days=1)
                checkpointer = Checkpointer(
                    signer,
                    worm=WormCopies(store=store, retain_for=timedelta(days=1)),
                    every_records=every_records,
                    every_seconds=60,
                    clock=system_clock,
                )
                url = server.create_database(f"bench_after_{round_number}")
                after, after_count = await run(
                    url, signer=signer, checkpointer=checkpointer, seconds=seconds
                )
                lines.append(
                    f"  round {round_number + 1}: no checkpointer {before:,.0f} records/s "
                    f"({before_count:,}); every {every_records} records + WORM {after:,.0f} "
                    f"records/s ({after_count:,})"
                )
            engine = postgres_engine(url)
            bind_engine(engine)
            await open_engine(engine)
            try:
                signed = await AuditCheckpoint.count()
                started = time.monotonic()
                verdict = await verify_log(signer, worm=store)
                verify_seconds = time.monotonic() - started
            finally:
                await close_engine(engine)
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(home_dir), "--kill", "gpg-agent"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"append via AuditLog, {WRITERS} writers, {seconds:.0f} s per run:\n"
        + "\n".join(lines)
        + f"\n  last run: {signed} checkpoints, {verdict.worm_checkpoints} WORM copies; "
        f"verify with them {verify_seconds:.1f} s, "
        f"{'intact' if verdict.intact else 'BROKEN: ' + verdict.detail}"
    )
    return 0 if verdict.intact else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.seconds, arguments.records, arguments.rounds)))
