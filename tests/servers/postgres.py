"""A throwaway PostgreSQL cluster from Debian's packages, for the integration tests.

``initdb`` refuses to run as root, so as root the cluster is created and run as the
``postgres`` system user (which Debian's package creates). The cluster listens on
127.0.0.1 and a free port, keeps its socket in its own directory, and trades durability
for speed (fsync off): it is deleted when the tests end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, wait_until
from tests.servers.logs import server_logs

SUPERUSER = "portal"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries were found on this machine."""


@dataclass(frozen=True, kw_only=True)
class PostgresServer:
    host: str
    port: int
    bin_dir: Path
    version: str

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        """Run ``sql`` with psql as the cluster's superuser; return its output."""
        completed = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"psql failed: {completed.stderr.strip()}")
        return completed.stdout.strip()

    def create_database(self, name: str) -> str:
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)


def find_bin_dir() -> Path:
    """The newest PostgreSQL server's bin directory (Debian keeps them per version)."""
    override = os.environ.get("PORTAL_TEST_PG_BIN")
    candidates = [Path(override)] if override else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresMissing(
        "PostgreSQL server binaries not found (apt-get install postgresql, "
        "or set PORTAL_TEST_PG_BIN)"
    )


def _as_cluster_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    version = subprocess.run(
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    # Not under pytest's tmp dir: that is private to root and the cluster runs as postgres.
    workdir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    workdir.chmod(0o755)
    data_dir = workdir / "data"
    log_file = workdir / "server.log"
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres", group="postgres")
    port = free_port()
    process_started = False
    try:
        subprocess.run(
            _as_cluster_owner(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data_dir),
                    "-U",
                    SUPERUSER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ]
            ),
            capture_output=True,
            check=True,
        )
        options = (
            f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_cluster_owner(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            capture_output=True,
            check=True,
        )
        process_started = True
        server = PostgresServer(host="127.0.0.1", port=port, bin_dir=bin_dir, version=version)
        wait_until(lambda: _answers(server), timeout=30, what=f"PostgreSQL on 127.0.0.1:{port}")
        yield server
    except subprocess.CalledProcessError as exc:
        log_tail = log_file.read_text()[-2000:] if log_file.exists() else ""
        raise RuntimeError(f"starting PostgreSQL failed: {exc.stderr!r}\n{log_tail}") from exc
    finally:
        if process_started:
            subprocess.run(
                _as_cluster_owner(
                    [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        # The scan for leaked justifications reads it after the session (tests/servers/logs.py).
        server_logs.keep("postgres", log_file)
        shutil.rmtree(workdir, ignore_errors=True)


def _answers(server: PostgresServer) -> bool:
    try:
        server.psql("postgres", "SELECT 1")
    except RuntimeError:
        return False
    return True
