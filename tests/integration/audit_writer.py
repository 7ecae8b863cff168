"""One app process appending audit records, as ``portal serve`` would: a script that
tests/integration/test_audit_worm.py starts twice at once (pytest does not collect it).

    python -m tests.integration.audit_writer DATABASE_URL S3_ENDPOINT WORM_BUCKET DATA_DIR COUNT

It appends COUNT records through the services' AuditLog with a Checkpointer signing
every 10 records, waits for the last checkpoint it owes, and exits.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crypto import GnuPGHome, MasterKey, SigningKeys
from portal.db.engine import bind_engine, close_engine, open_engine, postgres_engine
from portal.services.audit import AuditLog
from portal.services.audit_chain import AuditSigner, Checkpointer, WormCopies
from portal.services.clock import system_clock
from storage import S3WormStore
from tests.servers.s3 import ACCESS_KEY, SECRET_KEY

EVERY_RECORDS = 10


async def main(url: str, endpoint: str, bucket: str, data_dir: Path, count: int) -> None:
    engine = postgres_engine(url)
    bind_engine(engine)
    await open_engine(engine)
    master_key = MasterKey.load(data_dir / "master.key")
    # A GnuPG home of its own, as on another machine: only the database is shared.
    home = GnuPGHome(Path(f"/tmp/portal-aw-{os.getpid()}"))
    signer = AuditSigner(keys=SigningKeys(home), master_key=master_key)
    worm = WormCopies(
        store=S3WormStore(
            endpoint=endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            bucket=bucket,
            secure=False,
        ),
        retain_for=timedelta(days=1),
    )
    checkpointer = Checkpointer(
        signer, worm=worm, every_records=EVERY_RECORDS, every_seconds=3600, clock=system_clock
    )
    audit = AuditLog(
        pseudonym_key=bytes(32), sealing_key=b"s" * 32, on_appended=checkpointer.appended
    )
    task = asyncio.create_task(checkpointer.run())
    try:
        for number in range(count):
            await audit.failed_login(
                reason=f"attempt {number} by process {os.getpid()}",
                client_address="192.0.2.7",
                user_agent=None,
                trace_id=None,
                span_id=None,
                at=datetime.now(UTC),
            )
            await asyncio.sleep(0)
    finally:
        checkpointer.stop()
        await task
    try:
        # What the last appends are owed, signed before the process ends.
        await checkpointer.sign_now()
    finally:
        await close_engine(engine)
        subprocess.run(
            ["gpgconf", "--homedir", str(home.path), "--kill", "gpg-agent"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home.path, ignore_errors=True)


if __name__ == "__main__":
    url, endpoint, bucket, data_dir, count = sys.argv[1:6]
    asyncio.run(main(url, endpoint, bucket, Path(data_dir), int(count)))
