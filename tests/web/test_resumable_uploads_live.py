"""Resumable uploads on the portal as deployed: PostgreSQL, MinIO, gpg, two app processes.

The cast: Alice the procesregisseur registers the case; Dave, a police partner, reports
it and uploads. Every upload goes to two ``portal serve`` processes on one database and
one bucket, so nothing may depend on which process took which request.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError

from portal.services.demo import POLITIE
from tests.servers.logs import SECRET_MARKER, secret
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, another_process, live_portal
from tests.web.live_api import AANMELDING_UPLOAD, LiveApi
from tests.web.portal_client import PDF_HEAD
from tests.web.tus_client import creation_headers, patch_headers, upload_metadata

MIB = 1024 * 1024
MARKER = f"{SECRET_MARKER}tus-bsn-123456782-".encode()
CONTROL = f"{SECRET_MARKER}tus-control-".encode()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"tus_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        yield portal


@pytest.fixture(scope="module")
def second(live: LivePortal) -> Iterator[str]:
    """Another ``portal serve`` process on the same database and bucket: its base URL."""
    with another_process(live, own_data_dir=False) as other:
        yield other.base_url


@pytest.fixture(scope="module")
def api(live: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=live.base_url, timeout=120) as http:
        yield LiveApi(live=live, http=http)


def _case(api: LiveApi) -> str:
    return str(api.register_case(reported_by=POLITIE, aanmelder="dave")["id"])


def _document(size: int, seed: int) -> bytes:
    """A PDF of ``size`` bytes with the marker in every MiB."""
    rng = random.Random(seed)  # noqa: S311 - test data
    body = bytearray(PDF_HEAD)
    while len(body) < size:
        body += MARKER + rng.randbytes(MIB - len(MARKER))
    return bytes(body[:size])


def _files_holding(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def _plaintext_at_rest(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory, needle: bytes = MARKER
) -> list[Path]:
    """Files of MinIO's and PostgreSQL's data directories that hold the marker."""
    postgres.psql("postgres", "CHECKPOINT")
    data_dir = Path(postgres.psql("postgres", "SHOW data_directory").strip())
    minio_dirs = list(tmp_path_factory.getbasetemp().glob("minio*"))
    assert minio_dirs, "MinIO's data directory is not where the fixture puts it"
    return [
        *_files_holding(data_dir, needle),
        *(path for directory in minio_dirs for path in _files_holding(directory, needle)),
    ]


def _tuspy(*args: str) -> str:
    """tuspy in a process of its own; returns the upload URL it prints."""
    completed = subprocess.run(
        [sys.executable, "-m", "tests.web.tuspy_upload", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout.strip().splitlines()[-1]


def _head_offset(base_url: str, url: str, token: str) -> int:
    response = httpx.head(
        f"{base_url}{urlsplit(url).path}",
        headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"},
    )
    assert response.status_code == 200, response.text
    return int(response.headers["upload-offset"])


def _drop_mid_patch(
    base_url: str, path: str, token: str, *, offset: int, body: bytes, total: int
) -> None:
    """A PATCH announcing ``total`` bytes that sends ``body`` and vanishes (a crashed client)."""
    address = urlsplit(base_url)
    headers = {
        **patch_headers(offset),
        "Authorization": f"Bearer {token}",
        "Content-Length": str(total),
    }
    head = f"PATCH {path} HTTP/1.1\r\nHost: {address.netloc}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    with socket.create_connection((address.hostname or "127.0.0.1", address.port or 80)) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        time.sleep(1)


def _settled_offset(base_url: str, url: str, token: str) -> int:
    """HEAD's offset once the server has committed what the dropped request brought."""
    last = -1
    for _ in range(50):
        offset = _head_offset(base_url, url, token)
        if offset == last:
            return offset
        last = offset
        time.sleep(0.5)
    return last


def _status(api: LiveApi, url: str, *, within: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + within
    while True:
        response = api.http.get(urlsplit(url).path, headers=api.auth("dave"))
        assert response.status_code == 200, response.text
        status: dict[str, object] = response.json()
        if status["status"] not in {"pending", "finalising"} or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def test_an_upload_broken_off_is_resumed_by_another_os_process_on_another_server(
    api: LiveApi,
    live: LivePortal,
    second: str,
    postgres: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    case_id = _case(api)
    content = _document(24 * MIB, seed=1)
    file = tmp_path / "dossier.pdf"
    file.write_bytes(content)
    token = live.tokens["dave"]
    metadata = json.dumps(AANMELDING_UPLOAD)
    # The control: the scan does find the marker where it is stored as it is.
    control = CONTROL * 64
    live.minio.put_object(
        bucket_name=live.bucket,
        object_name="control",
        data=io.BytesIO(control),
        length=len(control),
    )
    assert _plaintext_at_rest(postgres, tmp_path_factory, CONTROL) != []
    live.minio.remove_object(bucket_name=live.bucket, object_name="control")

    # One process begins the upload and sends a third of it to the first server...
    url = _tuspy(
        live.base_url,
        token,
        str(file),
        "--case",
        case_id,
        "--metadata",
        metadata,
        "--stop-at",
        str(8 * MIB),
    )
    assert _head_offset(live.base_url, url, token) == 8 * MIB
    # ...a client crashes halfway through the next PATCH to the second: what came is kept.
    _drop_mid_patch(
        second,
        urlsplit(url).path,
        token,
        offset=8 * MIB,
        body=content[8 * MIB : 14 * MIB],
        total=16 * MIB,
    )
    kept = _settled_offset(live.base_url, url, token)
    assert 8 * MIB < kept <= 14 * MIB
    assert _plaintext_at_rest(postgres, tmp_path_factory) == []

    # Another OS process, knowing only the URL, resumes at HEAD's offset on the second server.
    resumed = _tuspy(second, token, str(file), "--url", f"{second}{urlsplit(url).path}")
    assert urlsplit(resumed).path == urlsplit(url).path
    status = _status(api, url)
    assert status["status"] == "done", status
    downloaded = api.download(
        str(status["document_id"]),
        user="alice",
        purpose="screening",
        justification=secret("screening van de aanmelding"),
    )
    assert downloaded.status_code == 200, downloaded.text
    assert hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(content).hexdigest()
    assert downloaded.headers["x-content-sha256"] == hashlib.sha256(content).hexdigest()
    assert live.object_keys("uploads/") == []
    assert _plaintext_at_rest(postgres, tmp_path_factory) == []


def test_two_writers_on_one_upload_one_is_refused_and_the_document_is_intact(
    api: LiveApi, live: LivePortal, second: str
) -> None:
    case_id = _case(api)
    content = _document(12 * MIB, seed=2)
    token = live.tokens["dave"]
    created = httpx.post(
        f"{live.base_url}/api/v1/uploads",
        headers={
            "Authorization": f"Bearer {token}",
            **creation_headers(len(content), upload_metadata(case_id, metadata=AANMELDING_UPLOAD)),
        },
    )
    assert created.status_code == 201, created.text
    path = created.headers["location"]
    auth = {"Authorization": f"Bearer {token}"}
    started = threading.Event()

    def slowly() -> Iterator[bytes]:
        for at in range(0, len(content), MIB):
            yield content[at : at + MIB]
            started.set()
            time.sleep(0.2)

    answers: dict[str, int] = {}

    def first_writer() -> None:
        response = httpx.patch(
            f"{live.base_url}{path}",
            content=slowly(),
            headers={**auth, **patch_headers(0)},
            timeout=120,
        )
        answers["first"] = response.status_code

    writer = threading.Thread(target=first_writer)
    writer.start()
    assert started.wait(30)
    # The same bytes from another client, through the other app process, while the first writes.
    rival = httpx.patch(
        f"{second}{path}", content=content, headers={**auth, **patch_headers(0)}, timeout=120
    )
    writer.join(timeout=120)
    assert rival.status_code in {409, 423}, rival.text
    assert answers["first"] == 204
    status = _status(api, path)
    assert status["status"] == "done", status
    downloaded = api.download(
        str(status["document_id"]),
        user="alice",
        purpose="screening",
        justification=secret("screening van de aanmelding"),
    )
    assert hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(content).hexdigest()
    assert live.object_keys("uploads/") == []


def test_a_renamed_executable_is_refused_at_finalisation_and_nothing_stays_staged(
    api: LiveApi, live: LivePortal
) -> None:
    case_id = _case(api)
    noise = random.Random(3).randbytes(6 * MIB)  # noqa: S311 - test data
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + noise
    file_stream = io.BytesIO(elf)
    client = TusClient(f"{live.base_url}/api/v1/uploads", headers=api.auth("dave"))
    uploader = client.uploader(
        file_stream=file_stream,
        chunk_size=4 * MIB,
        metadata={
            "case_id": case_id,
            "filename": "rapport.pdf",
            "filetype": "application/pdf",
            "metadata": json.dumps(AANMELDING_UPLOAD),
        },
    )
    with pytest.raises(TusCommunicationError) as refused:
        uploader.upload()
    assert refused.value.status_code == 415
    assert uploader.url is not None
    status = _status(api, uploader.url)
    assert status["status"] == "refused"
    assert status["document_id"] is None
    assert live.object_keys("uploads/") == []
    assert live.object_keys(f"cases/{case_id}/") == []
    documents = api.case_documents(case_id, user="alice")
    assert documents.status_code == 200
    assert documents.json() == []
