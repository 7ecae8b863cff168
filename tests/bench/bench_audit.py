"""Benchmark of the audit log on PostgreSQL (a script; pytest does not collect it).

    uv run python -m tests.bench.bench_audit [--records 1000000] [--seconds 10]

Starts its own throwaway PostgreSQL (as the tests do) and measures against issue 5's
targets:

1. appending with 8 concurrent writers, sustained: at least 1,000 records/s, and the
   chain intact afterwards; once straight into the chain, once through the services'
   ``AuditLog``, which seals each record's personal fields under its case's audit key
   (``portal.services.audit_sealing``) first, as every download's record is;
2. ``portal audit verify`` (the real command, in its own process) over 1,000,000
   records: under 60 s. The records are a valid chain computed here and loaded with COPY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from crypto import GnuPGHome, MasterKey, SigningKeys
from portal.db import audit_log as audit_log_db
from portal.db.engine import bind_engine, close_engine, migrate, open_engine, postgres_engine
from portal.domain.actions import Action, Outcome
from portal.domain.audit import FIELD_NAMES, AuditEntry
from portal.domain.audit_chain import GENESIS_HASH, entry_fields, record_hash
from portal.domain.register import ProcessingActivity
from portal.services.audit import AuditLog
from portal.services.audit_chain import AuditSigner, verify_log
from tests.servers.postgres import postgres_server

WRITERS = 8
APPEND_TARGET = 1000.0
VERIFY_TARGET = 60.0
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def sample(number: int) -> AuditEntry:
    at = T0 + timedelta(milliseconds=number)
    return AuditEntry(
        started_at=at,
        ended_at=at,
        action=Action.DOCUMENT_DOWNLOAD,
        outcome=Outcome.PERMIT,
        processing_activity=ProcessingActivity.DOCUMENT_EXCHANGE,
        reason="procesregisseur of the case",
        actor_user_id="9a3c1f6e-0000-4000-8000-000000000001",
        actor_username="alice",
        actor_partij_id="9a3c1f6e-0000-4000-8000-000000000002",
        actor_role="procesregisseur",
        case_id="5b0e2d4c-0000-4000-8000-000000000003",
        phase="aanmelding",
        document_id="5b0e2d4c-0000-4000-8000-000000000004",
        document_sha256="ab" * 32,
        provider_partij_id="9a3c1f6e-0000-4000-8000-000000000005",
        data_categories="gezondheid,personalia",
        purpose="screening",
        legal_basis="avg_6_1_e",
        client_address="192.0.2.10",
        user_agent="bench/1",
        trace_id="0af7651916cd43dd8448eb211c80319c",
        span_id="b7ad6b7169203331",
        data_subject_ref="cd" * 32,
    )


async def bench_append(seconds: float, *, audit: AuditLog | None = None) -> tuple[float, int]:
    stop = time.monotonic() + seconds
    counts = [0] * WRITERS

    async def writer(index: int) -> None:
        while time.monotonic() < stop:
            if audit is None:
                await audit_log_db.append_audit(sample(counts[index]))
            else:
                await audit.append(sample(counts[index]))
            counts[index] += 1

    started = time.monotonic()
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(counts)


async def load_chain(url: str, records: int) -> float:
    """Compute a valid chain of ``records`` records and COPY it in; seconds taken."""
    started = time.monotonic()
    columns = ["seq", *FIELD_NAMES, "prev_hash", "hash"]
    connection = await asyncpg.connect(url)
    try:
        prev_hash = GENESIS_HASH
        batch: list[tuple[object, ...]] = []
        for seq in range(1, records + 1):
            entry = sample(seq)
            digest = record_hash(seq, entry_fields(entry), prev_hash)
            values = [getattr(entry, name) for name in FIELD_NAMES]
            batch.append(
                (seq, *[str(v) if isinstance(v, str) else v for v in values], prev_hash, digest)
            )
            prev_hash = digest
            if len(batch) == 50_000:
                await connection.copy_records_to_table(
                    "audit_event", records=batch, columns=columns
                )
                batch = []
        if batch:
            await connection.copy_records_to_table("audit_event", records=batch, columns=columns)
    finally:
        await connection.close()
    return time.monotonic() - started


def verify_with_cli(url: str) -> tuple[float, str]:
    data_dir = Path(tempfile.mkdtemp(prefix="pb", dir="/tmp"))
    try:
        MasterKey.generate().write(data_dir / "master.key")
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        environ |= {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_DATABASE_URL": url}
        portal = str(Path(sys.executable).parent / "portal")
        started = time.monotonic()
        completed = subprocess.run(
            [portal, "audit", "verify"], env=environ, capture_output=True, text=True, check=False
        )
        elapsed = time.monotonic() - started
        if completed.returncode != 0:
            raise SystemExit(f"portal audit verify failed: {completed.stderr}")
        return elapsed, completed.stdout.strip()
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(data_dir / "gnupg"), "--kill", "gpg-agent"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


async def main(records: int, seconds: float) -> int:
    lines = []
    with postgres_server() as server:
        ok = True
        for label, audit in (
            ("append", None),
            ("append sealed", AuditLog(pseudonym_key=bytes(32), sealing_key=b"s" * 32)),
        ):
            append_url = server.create_database(f"bench_{label.replace(' ', '_')}")
            engine = postgres_engine(append_url)
            bind_engine(engine)
            await open_engine(engine)
            try:
                await migrate()
                rate, appended = await bench_append(seconds, audit=audit)
                home = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
                signer = AuditSigner(
                    keys=SigningKeys(GnuPGHome(home)), master_key=MasterKey.generate()
                )
                verdict = await verify_log(signer)
                shutil.rmtree(home, ignore_errors=True)
            finally:
                await close_engine(engine)
            met = rate >= APPEND_TARGET and verdict.intact
            ok = ok and met
            lines.append(
                f"{label}, {WRITERS} concurrent writers, {seconds:.0f} s: {rate:,.0f} records/s "
                f"({appended:,} records), chain {'intact' if verdict.intact else 'BROKEN'}; "
                f"target >= {APPEND_TARGET:,.0f}/s: {'met' if met else 'MISSED'}"
            )

        verify_url = server.create_database("bench_verify")
        engine = postgres_engine(verify_url)
        bind_engine(engine)
        await open_engine(engine)
        try:
            await migrate()
        finally:
            await close_engine(engine)
        loaded = await load_chain(verify_url, records)
        elapsed, output = verify_with_cli(verify_url)
        verified = elapsed < VERIFY_TARGET
        lines.append(
            f"portal audit verify over {records:,} records: {elapsed:.1f} s "
            f"({records / elapsed:,.0f} records/s; loading took {loaded:.0f} s); "
            f"target < {VERIFY_TARGET:.0f} s: {'met' if verified else 'MISSED'} -- {output}"
        )
        ok = ok and verified
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.records, arguments.seconds)))
