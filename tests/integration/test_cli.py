"""The ``portal`` command, run as a person would: the installed console script."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pyotp
import pytest

from portal.services.demo import DEMO_TOTP_SECRET
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
    ["partij", "list"],
    ["partij", "set-key"],
    ["user"],
    ["user", "add"],
    ["user", "list"],
    ["user", "update"],
    ["user", "enrolment-link"],
    ["user", "totp-code"],
    ["token"],
    ["token", "create"],
    ["token", "list"],
    ["token", "revoke"],
    ["audit"],
    ["audit", "checkpoint"],
    ["audit", "export-checkpoint"],
    ["audit", "verify"],
    ["retention"],
    ["retention", "sweep"],
    ["retention", "calendar"],
    ["retention", "report"],
    ["figures"],
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
        (
            ["retention", "report", "00000000-0000-4000-8000-000000000000"],
            "no destruction report of case 00000000-0000-4000-8000-000000000000",
        ),
        (
            ["figures", "--from", "2027-05-01", "--until", "2027-04-01"],
            "the start of the period comes after its end",
        ),
    ],
)
def test_mistakes_get_a_clear_message_and_a_failing_exit(
    data_dir: Path, args: list[str], message: str
) -> None:
    completed = portal(data_dir, *args, check=False)
    assert completed.returncode != 0
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_figures_on_a_portal_that_destroyed_nothing_say_so(data_dir: Path) -> None:
    assert portal(data_dir, "figures").stdout == "no destroyed cases in the selection\n"
    assert json.loads(portal(data_dir, "figures", "--json").stdout) == {
        "min_cases": 5,
        "periods": [],
        "withheld": False,
    }


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
    assert "31 partijen and 12 users added" in first.stdout
    for username in ("alice", "bob", "carol", "dave", "erin", "frank", "grace"):
        assert username in first.stdout
    assert first.stdout.count("Authorization: Bearer rto_") == 12
    second = portal(data_dir, "demo")
    assert "0 partijen and 0 users added" in second.stdout


def test_demo_users_can_sign_in_to_the_pages_with_the_published_secret(data_dir: Path) -> None:
    shown = portal(data_dir, "demo")
    assert "password 'demo-wachtwoord'" in shown.stdout
    assert DEMO_TOTP_SECRET in shown.stdout
    code = portal(data_dir, "user", "totp-code", "alice").stdout.strip()
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)


def test_user_add_prints_a_one_time_enrolment_link_on_record(data_dir: Path) -> None:
    portal(data_dir, "demo")
    added = portal(
        data_dir,
        "user",
        "add",
        "nina",
        "--partij",
        "Gemeente Venlo",
        "--role",
        "partner",
        "--enrolment-link",
    )
    link = next(line.strip() for line in added.stdout.splitlines() if "/welkom?t=" in line)
    assert link.startswith("http://127.0.0.1:8000/welkom?t=")
    token = link.split("t=", 1)[1]
    database = sqlite3.connect(data_dir / "portal.sqlite3")
    stored = database.execute("SELECT token_hash FROM enrolment_link").fetchall()
    assert token not in str(stored)  # only its hash
    actions = [row[0] for row in database.execute("SELECT action FROM audit_event")]
    assert "auth:enrolment-link" in actions


def test_db_check_passes_when_tables_and_migrations_agree(data_dir: Path) -> None:
    assert "agree" in portal(data_dir, "db", "check").stdout


def test_production_refuses_to_start_and_says_what_is_missing(data_dir: Path) -> None:
    completed = portal(data_dir, "serve", check=False, PORTAL_ENV="production")
    assert completed.returncode == 1
    for name in ("PORTAL_MASTER_KEY_FILE", "PORTAL_DATABASE_URL", "PORTAL_S3_ENDPOINT"):
        assert name in completed.stderr


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    try:
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - a local URL
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a local URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_brings_up_the_embedded_portal_ready(data_dir: Path) -> None:
    port = free_port()
    portal(data_dir, "demo")
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    # The operator's health token from a file, as an orchestrator mounts a secret.
    token_file = data_dir / "health-token"
    token_file.write_text("operator-sees-details\n")
    server = subprocess.Popen(
        [PORTAL, "serve", "--port", str(port)],
        env={
            **environ,
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_HEALTH_TOKEN_FILE": str(token_file),
        },
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
        assert _get(f"{base}/health/ready") == (200, {"ready": True})
        status, body = _get(
            f"{base}/health/ready", {"Authorization": "Bearer operator-sees-details"}
        )
        assert status == 200, body
        assert body == {
            "ready": True,
            "checks": {"database": "ok", "object_store": "ok", "gpg": "ok"},
        }
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert "portal ready" in output


KEYS = Path(__file__).parent.parent / "keys"


def _authenticates(data_dir: Path, token: str, *, vog_max_age_days: int | None = None) -> str:
    """Whom the token authenticates now, read from the portal's database: a username, or
    "nobody"; with "unscreened" when the actor does not count as screened."""
    from portal.db.engine import bind_engine, close_engine, open_engine, sqlite_engine
    from portal.services.clock import system_clock
    from portal.services.users import authenticate

    async def check() -> str:
        engine = sqlite_engine(data_dir / "portal.sqlite3")
        bind_engine(engine)
        await open_engine(engine)
        try:
            actor = await authenticate(token, clock=system_clock, vog_max_age_days=vog_max_age_days)
        finally:
            await close_engine(engine)
        if actor is None:
            return "nobody"
        return actor.username + ("" if actor.screened else " unscreened")

    return asyncio.run(check())


def _audit_actions(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "portal.sqlite3") as database:
        return database.execute(
            "SELECT action, actor_username, reason FROM audit_event ORDER BY seq"
        ).fetchall()


def _bob(data_dir: Path) -> str:
    portal(data_dir, "partij", "add", "Veilig Thuis", "--kind", "veilig_thuis")
    portal(
        data_dir, "user", "add", "bob", "--partij", "Veilig Thuis", "--role", "deelnemer",
        "--vog-date", "2020-01-31", "--geheimhouding",
    )  # fmt: skip
    return portal(data_dir, "token", "create", "bob", "--label", "laptop").stdout.strip()


def test_partijen_and_users_are_listed_with_their_ids(data_dir: Path) -> None:
    _bob(data_dir)
    (partij,) = json.loads(portal(data_dir, "partij", "list", "--json").stdout)
    assert partij["name"] == "Veilig Thuis"
    UUID(partij["id"])
    assert partij["id"] in portal(data_dir, "partij", "list").stdout
    (bob,) = json.loads(portal(data_dir, "user", "list", "--json").stdout)
    assert bob["username"] == "bob"
    assert bob["partij"] == "Veilig Thuis"
    assert (bob["vog"], bob["active"], bob["screened"]) == ("2020-01-31", True, True)
    table = portal(data_dir, "user", "list").stdout.splitlines()
    assert table[0].split() == [
        "id", "username", "partij", "roles", "vog", "geheimhouding", "active", "screened"
    ]  # fmt: skip
    assert bob["id"] in table[1]
    bounded = portal(data_dir, "user", "list", "--json", PORTAL_VOG_MAX_AGE_DAYS="1095")
    assert json.loads(bounded.stdout)[0]["screened"] is False


def test_art13_3_a_vog_older_than_the_bound_is_no_screening(data_dir: Path) -> None:
    token = _bob(data_dir)
    assert _authenticates(data_dir, token) == "bob"
    assert _authenticates(data_dir, token, vog_max_age_days=1095) == "bob unscreened"
    portal(data_dir, "user", "update", "bob", "--vog-date", datetime.now(UTC).date().isoformat())
    assert _authenticates(data_dir, token, vog_max_age_days=1095) == "bob"


def test_a_deactivated_users_tokens_stop_at_once_and_the_change_is_on_record(
    data_dir: Path,
) -> None:
    token = _bob(data_dir)
    updated = portal(data_dir, "user", "update", "bob", "--deactivate")
    assert "deactivated" in updated.stdout
    assert _authenticates(data_dir, token) == "nobody"
    portal(data_dir, "user", "update", "bob", "--activate", "--role", "partner", "--no-vog")
    assert _authenticates(data_dir, token) == "bob unscreened"
    records = [r for r in _audit_actions(data_dir) if r[0] == "user:update"]
    assert [r[2].split(": ", 1)[1] for r in records] == [
        "deactivated",
        "VOG removed, roles partner, activated",
    ]
    assert all(r[1].startswith("operator:") for r in records)


def test_a_token_is_listed_by_id_and_revoked_at_once(data_dir: Path) -> None:
    token = _bob(data_dir)
    (listed,) = json.loads(portal(data_dir, "token", "list", "bob", "--json").stdout)
    assert (listed["user"], listed["label"], listed["revoked"]) == ("bob", "laptop", None)
    assert token not in portal(data_dir, "token", "list").stdout
    revoked = portal(data_dir, "token", "revoke", listed["id"])
    assert "revoked" in revoked.stdout
    assert _authenticates(data_dir, token) == "nobody"
    again = portal(data_dir, "token", "revoke", listed["id"], check=False)
    assert again.returncode == 1
    assert "no live API token" in again.stderr
    (record,) = [r for r in _audit_actions(data_dir) if r[0] == "token:revoke"]
    assert listed["id"] in record[2]


def test_a_partijs_key_must_be_able_to_encrypt(data_dir: Path) -> None:
    _bob(data_dir)
    refused = portal(
        data_dir, "partij", "set-key", "Veilig Thuis",
        "--key-file", str(KEYS / "sign-only.pub.asc"), check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "no usable encryption key" in refused.stderr
    accepted = portal(
        data_dir, "partij", "set-key", "Veilig Thuis",
        "--key-file", str(KEYS / "bob-encrypting.pub.asc"),
    )  # fmt: skip
    assert "registered" in accepted.stdout
    assert [r[0] for r in _audit_actions(data_dir)] == ["partij:register-key"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "update", "bob"], "nothing to change"),
        (["user", "update", "bob", "--vog-date", "2020-01-01", "--no-vog"], "not both"),
        (["user", "update", "bob", "--vog-date", "2999-01-01"], "in the future"),
        (["user", "update", "nobody", "--deactivate"], "no user named"),
        (["token", "revoke", "not-a-uuid"], "is not a valid UUID"),
    ],
)
def test_an_update_that_cannot_be_done_says_why(
    data_dir: Path, args: list[str], message: str
) -> None:
    _bob(data_dir)
    completed = portal(data_dir, *args, check=False)
    assert completed.returncode != 0
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
