"""Servers a fault test may stop, kill and start again, private to that test's module.

The session servers (``tests.servers.fixtures_*``) are shared by every test: stopping one
would fail tests that have nothing to do with the fault. These run on their own ports and
data directories, and come back on the same port with the same data, as a restarted
production server would: the portal under test must find them again by itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import free_port, wait_until
from tests.servers.logs import server_logs
from tests.servers.postgres import PostgresServer, postgres_server
from tests.servers.s3 import (
    ACCESS_KEY,
    SECRET_KEY,
    S3Endpoint,
    ServerFailedToStart,
    minio_binary,
    minio_version,
)

START_TIMEOUT = 60.0


@dataclass
class StoppableMinio:
    """One MinIO process at a time on a fixed port and data directory."""

    workdir: Path
    port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> S3Endpoint:
        return S3Endpoint(
            endpoint=f"127.0.0.1:{self.port}",
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            server="MinIO",
            version=minio_version(minio_binary()),
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        env = {
            **os.environ,
            "MINIO_ROOT_USER": ACCESS_KEY,
            "MINIO_ROOT_PASSWORD": SECRET_KEY,
            "MINIO_UPDATE": "off",
            "MINIO_BROWSER": "off",
        }
        argv = [
            str(minio_binary()), "server", "--quiet",
            "--address", f"127.0.0.1:{self.port}",
            "--console-address", f"127.0.0.1:{self.console_port}",
            str(self.workdir / "data"),
        ]  # fmt: skip
        with (self.workdir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                argv, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        health = f"http://127.0.0.1:{self.port}/minio/health/cluster"
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                raise ServerFailedToStart(f"MinIO exited with status {process.returncode}")
            return _http_ok(health)

        wait_until(up, timeout=START_TIMEOUT, what="stoppable MinIO")

    def multipart_uploads(self) -> list[str]:
        """Incomplete multipart uploads, as MinIO keeps them on disk. Its listing API finds
        them only by their exact object name, which a test does not know."""
        root = self.workdir / "data" / ".minio.sys" / "multipart"
        return sorted(str(upload.relative_to(root)) for upload in root.glob("*/*"))

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug: no chance to finish what is in flight."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


def _http_ok(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- a fixed http://127.0.0.1 URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def stoppable_minio(workdir: Path) -> Iterator[StoppableMinio]:
    minio = StoppableMinio(workdir=workdir)
    minio.start()
    try:
        yield minio
    finally:
        if minio.process is not None and minio.process.poll() is None:
            minio.process.terminate()
            try:
                minio.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                minio.kill()
        server_logs.keep("minio", workdir / "server.log")


@dataclass
class StoppablePostgres:
    """A private cluster that ``stop`` takes down at once (``pg_ctl -m immediate``: every
    backend dies without finishing its transaction, as in a crash) and ``start`` brings
    back on the same port after crash recovery."""

    server: PostgresServer
    data_dir: Path
    options: str

    def _pg_ctl(self, *args: str) -> None:
        argv = [str(self.server.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, capture_output=True, check=True, timeout=90)

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "stop")

    def stop_cleanly(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl("-l", str(self.data_dir.parent / "server.log"), "-o", self.options,
                     "-w", "-t", "60", "start")  # fmt: skip

    def running(self) -> bool:
        try:
            self.server.psql("postgres", "SELECT 1")
        except RuntimeError:
            return False
        return True


@contextmanager
def stoppable_postgres() -> Iterator[StoppablePostgres]:
    with postgres_server() as server:
        data_dir = Path(server.psql("postgres", "SHOW data_directory"))
        sockets = server.psql("postgres", "SHOW unix_socket_directories")
        # The session cluster's port and socket, but synchronous commits: with them off, a
        # crash loses the last commits the portal was told were durable (a document row,
        # its audit record), which no production setting does. fsync stays off: the
        # machine does not crash, only the server, and the OS keeps what it was handed.
        options = (
            f"-h 127.0.0.1 -p {server.port} -k {sockets} -c fsync=off -c synchronous_commit=on "
            "-c max_connections=200"
        )
        cluster = StoppablePostgres(server=server, data_dir=data_dir, options=options)
        cluster.stop_cleanly()
        cluster.start()
        try:
            yield cluster
        finally:
            # postgres_server stops it again with pg_ctl, which needs it running.
            if not cluster.running():
                cluster.start()
