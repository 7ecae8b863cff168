"""The portal app in process (embedded default) with the demo cast, for API tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.db import partijen as partijen_db
from portal.services.clock import system_clock
from portal.services.demo import load_demo
from portal.settings import load_settings
from tests.servers import free_port
from tests.web.portal_client import PortalClient


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short and outside pytest's tmp tree: the GnuPG home inside must stay under 80 chars.
    path = Path(f"/tmp/portal-web-{os.getpid()}-{free_port()}")
    yield path
    subprocess.run(
        ["gpgconf", "--homedir", str(path / "gnupg"), "--kill", "gpg-agent"],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def upload_limit() -> int:
    return 4 * 1024 * 1024


class MovableClock:
    """The portal's clock in tests: it stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def move_to(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(system_clock().replace(microsecond=0))


@pytest.fixture
async def portal(
    data_dir: Path, upload_limit: int, clock: MovableClock
) -> AsyncIterator[PortalClient]:
    """Alice the procesregisseur, Bob a deelnemer (GGZ), Dave a police partner, and the rest."""
    settings = load_settings(
        {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_MAX_UPLOAD_BYTES": str(upload_limit)}
    )
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app=app, timeout=60) as http:
        demo = await load_demo(clock=clock)
        partijen = {p.name: str(p.id) for p in await partijen_db.all_partijen()}
        yield PortalClient(
            http=http,
            tokens={login.username: login.token for login in demo.logins},
            partij_ids=partijen,
            data_dir=data_dir,
        )
