"""The portal as deployed: a real server process on PostgreSQL and MinIO, with real gpg.

Alice is the procesregisseur; Dave, a partner at the police, provides the documents.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portal.db.partijen import set_user_public_key, user_by_username
from portal.db.tables import AuditEvent, Document
from tests.conftest import RunReport
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal, reset_peak_rss, rss_bytes
from tests.web.portal_client import (
    AANMELDING_METADATA,
    JUSTIFICATION,
    PDF_HEAD,
    multipart_body,
    multipart_stream,
)

MIB = 1024 * 1024
GIB = 1024 * MIB
MARKER = b"marker-live-4471-geheim"


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"live_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        yield portal


@pytest.fixture(scope="module")
def case_id(live: LivePortal) -> str:
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        partijen = client.get("/api/v1/cases", headers=live.auth("alice"))
        assert partijen.status_code == 200
        politie = _partij_id(live, "Politie Eenheid Limburg")
        response = client.post(
            "/api/v1/cases",
            json={
                "reference": f"LIVE-{time.time_ns()}",
                "reported_by": politie,
                "aanmelder": "dave",  # Dave reports the case, so he provides in aanmelding
            },
            headers=live.auth("alice"),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def _partij_id(live: LivePortal, name: str) -> str:
    # psql interpolates :'name' only in what it reads, not in a -c command: use stdin.
    completed = subprocess.run(
        ["psql", live.database_url, "-X", "-A", "-t", "-v", f"name={name}"],
        input="SELECT id FROM partij WHERE name = :'name';\n",
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return completed.stdout.strip()


def _pdf_chunks(total: int, seed: int) -> tuple[Iterator[bytes], hashlib._Hash]:
    """A PDF-headed, incompressible body of ``total`` bytes, produced lazily."""
    digest = hashlib.sha256()
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    block = rng.randbytes(4 * MIB)

    def chunks() -> Iterator[bytes]:
        sent = 0
        first = PDF_HEAD
        while sent < total:
            size = min(len(block), total - sent)
            chunk = (first + block)[:size] if first else block[:size]
            first = b""
            digest.update(chunk)
            sent += size
            yield chunk

    return chunks(), digest


def _upload_stream(
    live: LivePortal, case_id: str, total: int, *, seed: int
) -> tuple[dict[str, object], str]:
    chunks, digest = _pdf_chunks(total, seed)
    body, header = multipart_stream(AANMELDING_METADATA, "groot.pdf", chunks, "application/pdf")
    with httpx.Client(base_url=live.base_url, timeout=600) as client:
        response = client.post(
            f"/api/v1/cases/{case_id}/documents",
            content=body,
            headers={**live.auth("dave"), "Content-Type": header},
        )
    assert response.status_code == 201, response.text
    return response.json(), digest.hexdigest()


def _download_digest(live: LivePortal, document_id: str, **params: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with (
        httpx.Client(base_url=live.base_url, timeout=600) as client,
        client.stream(
            "POST",
            f"/api/v1/documents/{document_id}/content",
            json={"purpose": "screening", "justification": JUSTIFICATION, **params},
            headers=live.auth("alice"),
        ) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_raw():
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@pytest.mark.slow
def test_a_1_gib_round_trip_keeps_the_server_memory_flat(
    live: LivePortal, case_id: str, run_report: RunReport
) -> None:
    baseline = rss_bytes(live.pid)
    reset_peak_rss(live.pid)
    started = time.monotonic()
    document, sent_digest = _upload_stream(live, case_id, GIB, seed=1)
    upload_seconds = time.monotonic() - started
    upload_peak = rss_bytes(live.pid, "VmHWM") - baseline

    reset_peak_rss(live.pid)
    started = time.monotonic()
    received_digest, size = _download_digest(live, str(document["id"]))
    download_seconds = time.monotonic() - started
    download_peak = rss_bytes(live.pid, "VmHWM") - baseline

    assert document["sha256"] == sent_digest
    assert (received_digest, size) == (sent_digest, GIB)
    run_report.figure(
        f"portal on PostgreSQL+MinIO, 1 GiB: upload {GIB / MIB / upload_seconds:.0f} MiB/s, "
        f"server peak +{upload_peak / MIB:.0f} MiB; download {GIB / MIB / download_seconds:.0f} "
        f"MiB/s, server peak +{download_peak / MIB:.0f} MiB"
    )
    assert upload_peak < 150 * MIB
    assert download_peak < 150 * MIB


def test_no_plaintext_reaches_the_object_store(live: LivePortal, case_id: str) -> None:
    body, header = multipart_body(
        AANMELDING_METADATA, "geheim.pdf", PDF_HEAD + MARKER * 10_000, "application/pdf"
    )
    response = httpx.post(
        f"{live.base_url}/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**live.auth("dave"), "Content-Type": header},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    keys = live.object_keys()
    assert keys
    for key in keys:
        stored = live.minio.get_object(bucket_name=live.bucket, object_name=key)
        try:
            data = stored.read()
        finally:
            stored.close()
            stored.release_conn()
        assert MARKER not in data, f"plaintext marker found in {key}"
        assert b"geheim.pdf" not in data


async def test_a_client_that_disconnects_mid_upload_leaves_nothing(
    live: LivePortal, case_id: str
) -> None:
    body, header = multipart_body(
        AANMELDING_METADATA, "afgebroken.pdf", PDF_HEAD + b"a" * (40 * MIB), "application/pdf"
    )
    host, port = live.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(
            (
                f"POST /api/v1/cases/{case_id}/documents HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {live.tokens['dave']}\r\nContent-Type: {header}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
        )
        connection.sendall(body[: 8 * MIB])  # then the client goes away
    async with live.database():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            failed = await AuditEvent.select().where(
                (AuditEvent.action == "document:upload:failed") & (AuditEvent.case_id == case_id)
            )
            if failed:
                break
            time.sleep(0.2)
        assert failed, "the broken-off upload was not recorded"
        names = {row["file_name"] for row in await Document.select(Document.file_name)}
        assert "afgebroken.pdf" not in names
    assert len(live.object_keys(f"cases/{case_id}/")) == await _documents_in(live, case_id)
    uploads = live.minio._list_multipart_uploads(
        bucket_name=live.bucket, prefix=f"cases/{case_id}/"
    )  # minio 7.2 has no public call
    assert not list(uploads.uploads)


async def _documents_in(live: LivePortal, case_id: str) -> int:
    async with live.database():
        return int(await Document.count().where(Document.casus == case_id))


async def test_a_flipped_byte_in_the_stored_object_cuts_the_download(
    live: LivePortal, case_id: str
) -> None:
    content = PDF_HEAD + random.Random(7).randbytes(3 * MIB)  # noqa: S311 - test data
    body, header = multipart_body(AANMELDING_METADATA, "gewijzigd.pdf", content, "application/pdf")
    document = httpx.post(
        f"{live.base_url}/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**live.auth("dave"), "Content-Type": header},
        timeout=60,
    ).json()
    key = f"cases/{case_id}/{document['id']}.pgp"
    stored = live.minio.get_object(bucket_name=live.bucket, object_name=key)
    try:
        ciphertext = bytearray(stored.read())
    finally:
        stored.close()
        stored.release_conn()
    ciphertext[len(ciphertext) // 2] ^= 0x40
    live.minio.put_object(
        bucket_name=live.bucket,
        object_name=key,
        data=io.BytesIO(bytes(ciphertext)),
        length=len(ciphertext),
    )

    received = 0
    with (  # noqa: PT012 - the error comes while reading the body
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream(
            "POST",
            f"{live.base_url}/api/v1/documents/{document['id']}/content",
            json={"purpose": "screening", "justification": JUSTIFICATION},
            headers=live.auth("alice"),
            timeout=60,
        ) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_raw():
            received += len(chunk)
    assert received < len(content)
    async with live.database():
        rows = await AuditEvent.select(AuditEvent.action, AuditEvent.reason).where(
            AuditEvent.document_id == document["id"]
        )
    actions = [row["action"] for row in rows]
    assert "document:download" in actions
    assert "document:download:failed" in actions
    assert "document:download:complete" not in actions


@pytest.fixture
def participant_key() -> Iterator[tuple[Path, str]]:
    """Dave's own OpenPGP key pair, made with the gpg command line as he would."""
    home = Path(tempfile.mkdtemp(prefix="gu", dir="/tmp"))
    subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--passphrase", "", "--quick-gen-key",
         "dave <dave@politie.invalid>", "ed25519", "sign", "never"],
        capture_output=True, check=True,
    )  # fmt: skip
    fingerprint = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--with-colons", "--list-keys"],
        capture_output=True, text=True, check=True,
    ).stdout.split("fpr:::::::::")[1].split(":")[0]  # fmt: skip
    subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--passphrase", "", "--quick-add-key",
         fingerprint, "cv25519", "encr", "never"],
        capture_output=True, check=True,
    )  # fmt: skip
    public = subprocess.run(
        ["gpg", "--homedir", str(home), "--armor", "--export", fingerprint],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    yield home, public
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    shutil.rmtree(home, ignore_errors=True)


async def test_delivery_pgp_decrypts_with_the_participants_own_key(
    live: LivePortal, case_id: str, participant_key: tuple[Path, str]
) -> None:
    home, public = participant_key
    async with live.database():
        dave = await user_by_username("dave")
        assert dave is not None
        await set_user_public_key(user_id=dave.id, armored=public)
    content = PDF_HEAD + MARKER * 1000
    body, header = multipart_body(AANMELDING_METADATA, "voor-dave.pdf", content, "application/pdf")
    document = httpx.post(
        f"{live.base_url}/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**live.auth("dave"), "Content-Type": header},
        timeout=60,
    ).json()
    response = httpx.post(
        f"{live.base_url}/api/v1/documents/{document['id']}/content",
        json={"purpose": "screening", "delivery": "pgp", "justification": JUSTIFICATION},
        headers=live.auth("dave"),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert MARKER not in response.content
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="voor-dave.pdf.pgp"'
    )
    decrypted = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--decrypt"],
        input=response.content, capture_output=True, check=True,
    )  # fmt: skip
    assert decrypted.stdout == content


def test_delivery_pgp_without_a_registered_key_is_refused(live: LivePortal, case_id: str) -> None:
    body, header = multipart_body(
        AANMELDING_METADATA, "x.pdf", PDF_HEAD + b"x" * 100, "application/pdf"
    )
    document = httpx.post(
        f"{live.base_url}/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**live.auth("alice"), "Content-Type": header},
        timeout=60,
    ).json()
    response = httpx.post(
        f"{live.base_url}/api/v1/documents/{document['id']}/content",
        json={"purpose": "screening", "delivery": "pgp", "justification": JUSTIFICATION},
        headers=live.auth("alice"),
        timeout=60,
    )
    assert response.status_code == 409
    assert "OpenPGP public key" in response.json()["detail"]


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(
    live: LivePortal, case_id: str
) -> None:
    host, port = live.base_url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            (
                f"POST /api/v1/cases/{case_id}/documents HTTP/1.1\r\nHost: {host}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {200 * MIB}\r\n\r\n"
            ).encode()
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]
    assert time.monotonic() - started < 5


async def test_concurrent_downloads_all_complete(live: LivePortal, case_id: str) -> None:
    """More downloads at once than worker threads by default: none may wait for ever."""
    content = PDF_HEAD + random.Random(3).randbytes(2 * MIB)  # noqa: S311 - test data
    body, header = multipart_body(AANMELDING_METADATA, "gedeeld.pdf", content, "application/pdf")
    document = httpx.post(
        f"{live.base_url}/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**live.auth("dave"), "Content-Type": header},
        timeout=60,
    ).json()
    expected = hashlib.sha256(content).hexdigest()
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30, limits=limits) as client:

        async def one() -> str:
            response = await client.post(
                f"/api/v1/documents/{document['id']}/content",
                json={"purpose": "screening", "justification": JUSTIFICATION},
                headers=live.auth("alice"),
            )
            assert response.status_code == 200
            return hashlib.sha256(response.content).hexdigest()

        digests = await asyncio.gather(*(one() for _ in range(24)))
    assert digests == [expected] * 24
