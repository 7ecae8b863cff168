"""A real ``portal serve`` process on PostgreSQL and MinIO, for the tests that need one."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from minio import Minio

from portal.db.engine import bind_engine, close_engine, open_engine, postgres_engine
from tests.servers import free_port, wait_until
from tests.servers.logs import PORTAL_LOG, server_logs
from tests.servers.s3 import S3Endpoint

PORTAL = str(Path(sys.executable).parent / "portal")


@dataclass(frozen=True, kw_only=True)
class ServedPortal:
    """A ``portal serve`` process with the demo data loaded: its URL and its logins."""

    base_url: str
    pid: int
    tokens: dict[str, str]
    data_dir: Path
    environ: dict[str, str]
    """The server's environment: what a ``portal`` admin command needs to act on it."""

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``portal ARGS`` against this server's database, as its operator would."""
        return subprocess.run(
            [PORTAL, *args], env=self.environ, capture_output=True, text=True, check=False
        )

    @property
    def server_log(self) -> Path:
        return self.data_dir / "server.log"


@dataclass(frozen=True, kw_only=True)
class LivePortal(ServedPortal):
    """A served portal on PostgreSQL and MinIO."""

    database_url: str
    bucket: str
    minio: Minio

    def object_keys(self, prefix: str = "") -> list[str]:
        return [
            str(item.object_name)
            for item in self.minio.list_objects(
                bucket_name=self.bucket, prefix=prefix, recursive=True
            )
        ]

    @asynccontextmanager
    async def database(self) -> AsyncIterator[None]:
        """Bind this test process's tables to the server's database, to inspect rows."""
        engine = postgres_engine(self.database_url)
        bind_engine(engine)
        await open_engine(engine)
        try:
            yield
        finally:
            await close_engine(engine)


def _tokens(demo_output: str) -> dict[str, str]:
    pairs = re.findall(r"^  (\w+)\s.*\n\s+Authorization: Bearer (\S+)$", demo_output, re.M)
    return dict(pairs)


@contextmanager
def live_portal(
    *, database_url: str, minio: S3Endpoint, environ: dict[str, str] | None = None
) -> Iterator[LivePortal]:
    """A served portal; ``environ`` adds or overrides its ``PORTAL_*`` settings."""
    data_dir = Path(f"/tmp/portal-live-{os.getpid()}-{free_port()}")
    bucket = f"live-{uuid.uuid4().hex[:12]}"
    settings = dict(environ or {})
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environ.update(
        {
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_S3_ENDPOINT": minio.endpoint,
            "PORTAL_S3_ACCESS_KEY": minio.access_key,
            "PORTAL_S3_SECRET_KEY": minio.secret_key,
            "PORTAL_S3_BUCKET": bucket,
            "PORTAL_S3_SECURE": "false",
            # info, so the access log is on: the log scan must see every URL (issue #9).
            "PORTAL_LOG_LEVEL": "info",
            # The tests drive the sweep themselves (``portal retention sweep --now``); one
            # the server ran on its own would race them. A test that wants it sets it.
            "PORTAL_RETENTION_SWEEP_SECONDS": "off",
        }
    )
    environ.update(settings)
    demo = subprocess.run(
        [PORTAL, "demo"], env=environ, capture_output=True, text=True, check=True, timeout=120
    )
    log_path = data_dir / "server.log"
    try:
        with served(environ, log_path, what="portal serve on PostgreSQL and MinIO") as (
            base_url,
            pid,
        ):
            yield LivePortal(
                base_url=base_url,
                pid=pid,
                tokens=_tokens(demo.stdout),
                database_url=database_url,
                bucket=bucket,
                minio=Minio(
                    endpoint=minio.endpoint,
                    access_key=minio.access_key,
                    secret_key=minio.secret_key,
                    secure=False,
                ),
                data_dir=data_dir,
                environ=environ,
            )
    finally:
        server_logs.keep(PORTAL_LOG, log_path)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def embedded_portal(data_dir: Path) -> Iterator[ServedPortal]:
    """A served portal in its embedded default: SQLite and a directory of objects."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environ.update({"PORTAL_DATA_DIR": str(data_dir), "PORTAL_LOG_LEVEL": "info"})
    demo = subprocess.run(
        [PORTAL, "demo"], env=environ, capture_output=True, text=True, check=True, timeout=120
    )
    log_path = data_dir / "server.log"
    try:
        with served(environ, log_path, what="portal serve, embedded") as (base_url, pid):
            yield ServedPortal(
                base_url=base_url,
                pid=pid,
                tokens=_tokens(demo.stdout),
                data_dir=data_dir,
                environ=environ,
            )
    finally:
        server_logs.keep(PORTAL_LOG, log_path)


@contextmanager
def served(environ: dict[str, str], log_path: Path, *, what: str) -> Iterator[tuple[str, int]]:
    """``portal serve`` with ``environ`` on a free port, until ready: its URL and pid.

    Stopped as an operator would (SIGINT, then a kill if it hangs), and the gpg-agent of
    its GnuPG home with it.
    """
    port = free_port()
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [PORTAL, "serve", "--port", str(port)], env=environ, stdout=log, stderr=log
        )
    base_url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{base_url}/health/ready", timeout=2) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except OSError:
            return False

    try:
        wait_until(ready, timeout=60, what=what)
        yield base_url, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
            server.kill()
        home = Path(environ["PORTAL_DATA_DIR"]) / "gnupg"
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )


@contextmanager
def another_process(
    live: LivePortal, environ: dict[str, str] | None = None, *, own_data_dir: bool = True
) -> Iterator[LivePortal]:
    """A second ``portal serve`` beside ``live``: the same database, bucket and master key.

    As on a second machine it has a data directory of its own, and so its own GnuPG home
    (key cache); with ``own_data_dir=False`` it shares ``live``'s, as two processes on
    one machine do. ``environ`` adds or overrides settings.
    """
    data_dir = Path(f"/tmp/portal-live-{os.getpid()}-{free_port()}") if own_data_dir else None
    settings = {**live.environ, **(environ or {})}
    if data_dir is not None:
        data_dir.mkdir(mode=0o700)
        settings["PORTAL_DATA_DIR"] = str(data_dir)
        settings["PORTAL_MASTER_KEY_FILE"] = str(live.data_dir / "master.key")
    # Its own server.log where it has its own directory (``server_log`` names it).
    log_path = data_dir / "server.log" if data_dir else live.data_dir / f"another-{free_port()}.log"
    try:
        with served(settings, log_path, what="a second portal serve") as (base_url, pid):
            yield replace(
                live, base_url=base_url, pid=pid, data_dir=data_dir or live.data_dir,
                environ=settings,
            )  # fmt: skip
    finally:
        server_logs.keep(PORTAL_LOG, log_path)
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} missing for {pid}")


def reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")
