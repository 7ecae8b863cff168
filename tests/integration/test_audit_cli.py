"""``portal audit`` as an operator runs it, and a checkpoint checked by ``gpg`` alone."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.db import audit_log as audit_log_db
from portal.db.engine import bind_engine, migrate, sqlite_engine
from portal.domain.actions import Action, Outcome
from portal.domain.audit import AuditEntry
from portal.domain.register import ProcessingActivity
from tests.servers import free_port

PORTAL = str(Path(sys.executable).parent / "portal")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(f"/tmp/portal-acli-{os.getpid()}-{free_port()}")
    yield path
    subprocess.run(
        ["gpgconf", "--homedir", str(path / "gnupg"), "--kill", "gpg-agent"],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(path, ignore_errors=True)


def portal(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    completed = subprocess.run(
        [PORTAL, *args],
        env={**environ, "PORTAL_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


def write_records(data_dir: Path, count: int) -> None:
    async def write() -> None:
        bind_engine(sqlite_engine(data_dir / "portal.sqlite3"))
        await migrate()
        now = datetime.now(UTC)
        for number in range(count):
            await audit_log_db.append_audit(
                AuditEntry(
                    started_at=now,
                    ended_at=now,
                    action=Action.AUTH_LOGIN_FAILED,
                    outcome=Outcome.DENY,
                    processing_activity=ProcessingActivity.ACCESS_MANAGEMENT,
                    reason=f"attempt {number}",
                    client_address="192.0.2.7",
                )
            )

    asyncio.run(write())


def gpg(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_exported_checkpoint_verifies_with_gpg_and_fails_after_one_byte_changes(
    data_dir: Path, tmp_path: Path
) -> None:
    portal(data_dir, "db", "migrate")
    write_records(data_dir, 4)
    signed = portal(data_dir, "audit", "checkpoint")
    assert "checkpoint 1 signed: record 4" in signed.stdout
    export = data_dir / "export"
    portal(data_dir, "audit", "export-checkpoint", "--dir", str(export))
    assert {p.name for p in export.iterdir()} == {"statement.txt", "statement.asc", "key.asc"}

    home = Path(f"/tmp/portal-gpgv-{free_port()}")
    home.mkdir(mode=0o700)
    try:
        assert gpg(home, "--import", str(export / "key.asc")).returncode == 0
        good = gpg(home, "--verify", str(export / "statement.asc"), str(export / "statement.txt"))
        assert good.returncode == 0, good.stderr
        assert "Good signature" in good.stderr

        statement = bytearray((export / "statement.txt").read_bytes())
        statement[statement.index(b"seq: 4") + 5] = ord("5")
        (export / "statement.txt").write_bytes(bytes(statement))
        bad = gpg(home, "--verify", str(export / "statement.asc"), str(export / "statement.txt"))
        assert bad.returncode != 0
        assert "BAD signature" in bad.stderr
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
        shutil.rmtree(home, ignore_errors=True)


def test_verify_exits_0_when_intact_and_1_naming_the_first_broken_record(data_dir: Path) -> None:
    portal(data_dir, "db", "migrate")
    write_records(data_dir, 5)
    portal(data_dir, "audit", "checkpoint")

    intact = portal(data_dir, "audit", "verify")
    assert "audit log intact: 5 records, 1 signed checkpoints" in intact.stdout

    with sqlite3.connect(data_dir / "portal.sqlite3") as connection:
        connection.execute("DROP TRIGGER audit_event_no_update")
        connection.execute("UPDATE audit_event SET client_address = '198.51.100.1' WHERE seq = 3")
    broken = portal(data_dir, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert "audit log BROKEN at record 3: changed" in broken.stderr
