"""The ``portal`` command, run as a person would: the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from tests.servers import free_port, wait_until

PORTAL = str(Path(sys.executable).parent / "portal")

COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "migrate"],
    ["db", "check"],
    ["demo"],
    ["partij"],
    ["partij", "add"],
    ["user"],
    ["user", "add"],
    ["token"],
    ["token", "create"],
]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short and outside pytest's tmp tree: the GnuPG home inside must stay under 80 chars.
    path = Path(f"/tmp/portal-cli-{os.getpid()}-{free_port()}")
    yield path
    subprocess.run(
        ["gpgconf", "--homedir", str(path / "gnupg"), "--kill", "gpg-agent"],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(path, ignore_errors=True)


def portal(
    data_dir: Path, *args: str, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    completed = subprocess.run(
        [PORTAL, *args],
        env={**environ, "PORTAL_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"portal {' '.join(args)} failed:\n{completed.stderr}")
    return completed


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "portal")
def test_every_command_has_help(data_dir: Path, command: list[str]) -> None:
    completed = portal(data_dir, *command, "--help")
    assert "Usage: portal" in completed.stdout
    assert not data_dir.exists(), "asking for help must not create a data directory"


def test_administration_from_the_command_line(data_dir: Path) -> None:
    partij_id = portal(data_dir, "partij", "add", "Veilig Thuis", "--kind", "veilig_thuis")
    UUID(partij_id.stdout.strip())
    user_id = portal(
        data_dir,
        "user",
        "add",
        "bob",
        "--partij",
        "Veilig Thuis",
        "--role",
        "deelnemer",
        "--vog",
        "--geheimhouding",
    )
    UUID(user_id.stdout.strip())
    token = portal(data_dir, "token", "create", "bob").stdout.strip()
    assert token.startswith("rto_")
    assert len(token) > 40
    assert (data_dir / "portal.sqlite3").stat().st_mode & 0o077 == 0, "database readable by others"
    database = (data_dir / "portal.sqlite3").read_bytes()
    assert token.encode() not in database


def test_an_unscreened_user_is_created_with_a_warning(data_dir: Path) -> None:
    portal(data_dir, "partij", "add", "Veilig Thuis", "--kind", "veilig_thuis")
    completed = portal(
        data_dir, "user", "add", "charlie", "--partij", "Veilig Thuis", "--role", "deelnemer"
    )
    assert "13.1" in completed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["partij", "add", "X", "--kind", "bakkerij"], "Invalid value for '--kind'"),
        (["user", "add", "bob", "--partij", "Nergens", "--role", "deelnemer"], "no partij named"),
        (["user", "add", "bob", "--partij", "X", "--role", "koning"], "Invalid value for '--role'"),
        (["token", "create", "nobody"], "no user named 'nobody'"),
    ],
)
def test_mistakes_get_a_clear_message_and_a_failing_exit(
    data_dir: Path, args: list[str], message: str
) -> None:
    completed = portal(data_dir, *args, check=False)
    assert completed.returncode != 0
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_duplicate_partij_is_refused(data_dir: Path) -> None:
    portal(data_dir, "partij", "add", "Veilig Thuis", "--kind", "veilig_thuis")
    completed = portal(
        data_dir, "partij", "add", "Veilig Thuis", "--kind", "veilig_thuis", check=False
    )
    assert completed.returncode == 1
    assert "exists already" in completed.stderr


def test_first_start_generates_a_private_master_key_and_warns(data_dir: Path) -> None:
    completed = portal(data_dir, "db", "migrate")
    key_file = data_dir / "master.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "GENERATED A NEW MASTER KEY" in completed.stderr
    again = portal(data_dir, "db", "migrate")
    assert "GENERATED" not in again.stderr


def test_demo_prints_a_login_per_role_and_can_run_again(data_dir: Path) -> None:
    first = portal(data_dir, "demo")
    assert "31 partijen and 7 users added" in first.stdout
    for username in ("alice", "bob", "carol", "dave", "erin", "frank", "grace"):
        assert username in first.stdout
    assert first.stdout.count("Authorization: Bearer rto_") == 7
    second = portal(data_dir, "demo")
    assert "0 partijen and 0 users added" in second.stdout


def test_db_check_passes_when_tables_and_migrations_agree(data_dir: Path) -> None:
    assert "agree" in portal(data_dir, "db", "check").stdout


def test_production_refuses_to_start_and_says_what_is_missing(data_dir: Path) -> None:
    completed = portal(data_dir, "serve", check=False, PORTAL_ENV="production")
    assert completed.returncode == 1
    for name in ("PORTAL_MASTER_KEY_FILE", "PORTAL_DATABASE_URL", "PORTAL_S3_ENDPOINT"):
        assert name in completed.stderr


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_brings_up_the_embedded_portal_ready(data_dir: Path) -> None:
    port = free_port()
    portal(data_dir, "demo")
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port)],
        env={**environ, "PORTAL_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return _get(f"{base}/health/live")[0] == 200
            except OSError:
                return False

        wait_until(answers, timeout=30, what="portal serve")
        status, body = _get(f"{base}/health/ready")
        assert status == 200, body
        assert body == {
            "ready": True,
            "checks": {"database": "ok", "object_store": "ok", "gpg": "ok"},
        }
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert "portal ready" in output
