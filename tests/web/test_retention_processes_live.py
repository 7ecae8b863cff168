"""Destruction seen from two app processes, and the sweep the servers run on their own
(issue #10, points 1 and 2): PostgreSQL, a versioned MinIO bucket, two ``portal serve``.

Done when: after destruction through one process, the other can no longer decrypt the
case: it refuses the download (every decryption starts from the key row), and its GnuPG
home forgets its cached copy of the key, so even gpg itself, handed the right secret,
opens nothing there. And a due case is destroyed with nobody running the command.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from crypto import CaseKeys, GnuPGHome, MasterKey
from tests.servers import wait_until
from tests.servers.logs import secret
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, another_process, live_portal
from tests.web.live_api import AANMELDING_UPLOAD, LiveApi, audit_records
from tests.web.portal_client import PDF_HEAD

SWEEP_SECONDS = "2"
"""Both servers sweep this often here (hourly by default)."""


@pytest.fixture(scope="module")
def portal_a(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"procs_{int(time.time() * 1000) % 10**9}")
    schedule = {
        "PORTAL_RETENTION_SWEEP_SECONDS": SWEEP_SECONDS,
        "PORTAL_KEY_CACHE_SWEEP_SECONDS": "1",
    }
    with live_portal(database_url=url, minio=minio_endpoint, environ=schedule) as portal:
        portal.minio.set_bucket_versioning(
            bucket_name=portal.bucket, config=VersioningConfig(status=ENABLED)
        )
        yield portal


@pytest.fixture(scope="module")
def portal_b(portal_a: LivePortal) -> Iterator[LivePortal]:
    with another_process(portal_a) as portal:
        yield portal


@pytest.fixture(scope="module")
def api_a(portal_a: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=portal_a.base_url, timeout=120) as http:
        yield LiveApi(live=portal_a, http=http)


@pytest.fixture(scope="module")
def api_b(portal_b: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=portal_b.base_url, timeout=120) as http:
        yield LiveApi(live=portal_b, http=http)


def _ciphertext(live: LivePortal, key: str) -> bytes:
    response = live.minio.get_object(bucket_name=live.bucket, object_name=key)
    try:
        return bytes(response.read())
    finally:
        response.close()
        response.release_conn()


def _cached_case_keys(live: LivePortal) -> dict[str, str]:
    """Fingerprint → case id of the case keys the process's GnuPG home holds now."""
    return CaseKeys(GnuPGHome(live.data_dir / "gnupg")).cached_case_keys()


def _gpg_decrypts_in_home_of(live: LivePortal, case_id: str, ciphertext: bytes) -> bytes | None:
    """gpg itself in the process's GnuPG home, given the case's right secret: what an
    attacker with that disk and the master key gets. None if gpg refuses."""
    secret_for_case = MasterKey.load(Path(live.environ["PORTAL_MASTER_KEY_FILE"])).secret_for_case
    decrypted = subprocess.run(
        [
            "gpg",
            "--homedir",
            str(live.data_dir / "gnupg"),
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--decrypt",
        ],
        input=secret_for_case(case_id).encode() + b"\n" + ciphertext,
        capture_output=True,
        check=False,
    )
    return decrypted.stdout if decrypted.returncode == 0 else None


def _decided_case_downloaded_through(api_a: LiveApi, api_b: LiveApi) -> tuple[str, str, str]:
    """Carol's aanmelding, read by Alice through B, then decided: (case, document, key)."""
    case_id = str(api_a.register_case(reported_by="Gemeente Venlo", aanmelder="carol")["id"])
    document_id = api_a.uploaded(
        case_id, user="carol", metadata=AANMELDING_UPLOAD, file_name="aanmelding.pdf"
    )
    read = api_b.download(document_id, user="alice", purpose="screening")
    assert read.status_code == 200, read.text
    assert read.content.startswith(PDF_HEAD)
    api_a.move_through(case_id, "triage", "rto")
    moved = api_a.move(case_id, "afschaling", decided_at=datetime.now(UTC))
    assert moved.status_code in {200, 201}, moved.text
    return case_id, document_id, f"cases/{case_id}/{document_id}.pgp"


def test_art11_2c_after_destruction_through_one_process_the_other_cannot_decrypt(
    api_a: LiveApi, api_b: LiveApi
) -> None:
    case_id, document_id, key = _decided_case_downloaded_through(api_a, api_b)
    copy = _ciphertext(api_a.live, key)
    fingerprint = api_a.psql("SELECT fingerprint FROM case_key WHERE casus = :'id';\n", id=case_id)
    # The checks below mean something: B caches the key, and with it the copy opens.
    assert _cached_case_keys(api_b.live).get(fingerprint) == case_id
    opened = _gpg_decrypts_in_home_of(api_b.live, case_id, copy)
    assert opened is not None
    assert opened.startswith(PDF_HEAD)

    destroyed = api_a.http.post(
        f"/api/v1/cases/{case_id}/destroy",
        json={"reason": secret("vroeg")},
        headers=api_a.auth("alice"),
    )
    assert destroyed.status_code == 200, destroyed.text
    assert destroyed.json()["key_destroyed"] is True
    assert fingerprint not in _cached_case_keys(api_a.live)

    refused = api_b.download(document_id, user="alice", purpose="screening")
    assert refused.status_code in {403, 404, 409, 410}, refused.text
    assert PDF_HEAD not in refused.content
    # B's next key-cache sweep (every second here, every minute by default) forgets it.
    wait_until(
        lambda: fingerprint not in _cached_case_keys(api_b.live),
        timeout=30,
        what="B to forget the destroyed case's key",
    )
    assert _gpg_decrypts_in_home_of(api_b.live, case_id, copy) is None
    assert "forgot the cached key of destroyed case " + case_id in (
        api_b.live.server_log.read_text(errors="replace")
    )


def test_art11_2c_a_due_case_is_destroyed_by_the_servers_own_sweep_once(
    api_a: LiveApi, api_b: LiveApi
) -> None:
    case_id, _, key = _decided_case_downloaded_through(api_a, api_b)
    # No clock setting exists: the decision is moved 13 months back, as if taken then.
    api_a.psql(
        "UPDATE casus SET decided_at = decided_at - interval '13 months', "
        "phase_changed_at = phase_changed_at - interval '13 months' WHERE id = :'id';\n",
        id=case_id,
    )

    def destroyed() -> bool:
        found = api_a.psql(
            "SELECT count(*) FROM audit_event WHERE case_id = :'id' AND action = 'case:destroy';\n",
            id=case_id,
        )
        return found == "1"

    wait_until(destroyed, timeout=60, what="a scheduled sweep to destroy the due case")
    time.sleep(2 * float(SWEEP_SECONDS))  # both processes sweep again meanwhile

    records = asyncio.run(audit_records(api_a.live, action="case:destroy", case_id=case_id))
    assert [record["actor_username"] for record in records] == ["operator:scheduled-sweep"]
    assert (
        list(
            api_a.live.minio.list_objects(
                bucket_name=api_a.live.bucket, prefix=key, include_version=True
            )
        )
        == []
    )
    for table in ("case_key", "document"):
        counted = api_a.psql(
            f"SELECT count(*) FROM {table} WHERE casus = :'id';\n",  # noqa: S608 - our own names
            id=case_id,
        )
        assert counted == "0", table
    logs = "".join(live.server_log.read_text(errors="replace") for live in (api_a.live, api_b.live))
    assert f"destroyed 1 case(s) ({case_id})" in logs
    verified = api_a.live.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
