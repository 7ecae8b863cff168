"""One portal as deployed (``portal serve`` on PostgreSQL and MinIO) whose servers the
fault tests stop, kill and start again.

The stack is private to ``tests/fault``: its PostgreSQL cluster and MinIO are not the
session's, so a fault here never reaches another test. It is built once for the
directory (each server start costs seconds), and every test hands it back whole: the
``stack`` fixture starts whatever the test left stopped and waits until the portal is
ready again, restarting the portal itself only if the test killed it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunReport
from tests.servers import required_services, wait_until
from tests.servers.postgres import PostgresMissing
from tests.servers.s3 import ServerSoftwareMissing, minio_binary
from tests.servers.stoppable import (
    StoppableMinio,
    StoppablePostgres,
    stoppable_minio,
    stoppable_postgres,
)
from tests.web.live import PORTAL, LivePortal, live_portal
from tests.web.live_api import LiveApi


@dataclass
class Stack:
    postgres: StoppablePostgres
    minio: StoppableMinio
    live: LivePortal
    http: httpx.Client
    restarted: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def api(self) -> LiveApi:
        return LiveApi(live=self.live, http=self.http)

    def ready(self) -> bool:
        try:
            url = f"{self.live.base_url}/health/ready"
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except OSError:
            return False

    def portal_alive(self) -> bool:
        try:
            os.kill(self.live.pid, 0)
        except ProcessLookupError:
            return False
        # A killed child of live_portal stays a zombie until reaped; it serves nothing.
        return "zombie" not in Path(f"/proc/{self.live.pid}/status").read_text()

    def kill_portal(self) -> None:
        os.kill(self.live.pid, signal.SIGKILL)
        wait_until(lambda: not self.portal_alive(), timeout=10, what="the portal to die")

    def restart_portal(self) -> None:
        """``portal serve`` again on the same port, data directory and servers."""
        port = self.live.base_url.rsplit(":", 1)[1]
        with self.live.server_log.open("ab") as log:
            server = subprocess.Popen(
                [PORTAL, "serve", "--port", port], env=self.live.environ, stdout=log, stderr=log
            )
        self.restarted.append(server)
        self.live = replace(self.live, pid=server.pid)
        wait_until(self.ready, timeout=60, what="the restarted portal")

    def restore(self) -> None:
        """Every server back up, the portal serving: what each test leaves behind."""
        if not self.postgres.running():
            self.postgres.start()
        self.minio.start()
        if not self.portal_alive():
            self.restart_portal()
        # The readiness answer is cached for 5 s: a probe from during the fault may linger.
        wait_until(self.ready, timeout=30, what="the portal to be ready again")


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory, run_report: RunReport) -> Iterator[Stack]:
    try:
        minio_binary()
        with (
            stoppable_postgres() as postgres,
            stoppable_minio(tmp_path_factory.mktemp("minio")) as minio,
        ):
            url = postgres.server.create_database("fault")
            with (
                live_portal(database_url=url, minio=minio.endpoint) as live,
                httpx.Client(base_url=live.base_url, timeout=120) as http,
            ):
                run_report.service(
                    "fault stack", f"private {postgres.server.version}, MinIO on {minio.port}"
                )
                stack = Stack(postgres=postgres, minio=minio, live=live, http=http)
                try:
                    yield stack
                finally:
                    for server in stack.restarted:
                        server.send_signal(signal.SIGINT)
                        try:
                            server.wait(timeout=30)
                        except subprocess.TimeoutExpired:
                            server.kill()
    except (ServerSoftwareMissing, PostgresMissing) as exc:
        if required_services() & {"minio", "postgres"}:
            pytest.fail(f"the fault tests need PostgreSQL and MinIO: {exc}")
        pytest.skip(f"the fault tests need PostgreSQL and MinIO: {exc}")


@pytest.fixture
def stack(fault_stack: Stack) -> Iterator[Stack]:
    fault_stack.restore()
    yield fault_stack
    fault_stack.restore()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest, fault_stack: Stack) -> Iterator[None]:
    """The portal's log lines written during a failed test, for the reader of the report."""
    log = fault_stack.live.server_log
    start = log.stat().st_size if log.exists() else 0
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and log.exists():
        with log.open("rb") as lines:
            lines.seek(start)
            tail = lines.read().decode(errors="replace").splitlines()[-60:]
        print("\n--- portal log during the test ---\n" + "\n".join(tail))
