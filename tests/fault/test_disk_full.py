"""The embedded default's object directory full: a 507, and nothing half-stored.

The directory is a 2 MiB tmpfs (the tests run as root in CI; elsewhere the test is
skipped with the reason). The SQLite file lives outside it, so only the store is full.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.db import partijen as partijen_db
from portal.db.tables import AuditEvent, Document
from portal.services.clock import system_clock
from portal.services.demo import load_demo
from portal.settings import load_settings
from tests.fault.state import report
from tests.fault.transfers import MIB, pdf
from tests.servers import free_port
from tests.web.portal_client import PortalClient


@pytest.fixture
async def full_disk_portal() -> AsyncIterator[tuple[PortalClient, Path]]:
    data_dir = Path(f"/tmp/portal-full-{os.getpid()}-{free_port()}")
    objects = data_dir / "objects"
    objects.mkdir(parents=True, mode=0o700)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(objects)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        app = create_app(load_settings({"PORTAL_DATA_DIR": str(data_dir)}))
        async with AsyncTestClient(app=app, timeout=60) as http:
            demo = await load_demo(clock=system_clock)
            partijen = {p.name: str(p.id) for p in await partijen_db.all_partijen()}
            yield (
                PortalClient(
                    http=http,
                    tokens={login.username: login.token for login in demo.logins},
                    partij_ids=partijen,
                ),
                objects,
            )
    finally:
        subprocess.run(["umount", str(objects)], capture_output=True, check=False)
        subprocess.run(
            ["gpgconf", "--homedir", str(data_dir / "gnupg"), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


async def test_a_full_object_directory_refuses_the_upload_and_keeps_nothing(
    full_disk_portal: tuple[PortalClient, Path],
) -> None:
    portal, objects = full_disk_portal
    case_id = await portal.create_case("VOL-1")
    response = await portal.upload(case_id, pdf(3 * MIB, seed=41), file_name="te-groot.pdf")
    left = sorted(str(path.relative_to(objects)) for path in objects.rglob("*") if path.is_file())
    rows = await Document.count().where(Document.casus == case_id)
    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action).where(AuditEvent.case_id == case_id)
    ]
    report(
        "embedded store's disk full",
        f"{response.status_code} {response.json()['detail']!r}; files left {left}, "
        f"rows {rows}, records {actions}",
    )
    assert response.status_code == 507, response.text
    assert (left, rows) == ([], 0)
    assert "document:upload:failed" in actions
    # The failed upload's space is free again: a document that fits is stored.
    small = await portal.upload(case_id, pdf(MIB // 2, seed=42), file_name="past.pdf")
    assert small.status_code == 201, small.text
