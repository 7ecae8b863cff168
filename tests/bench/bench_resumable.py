"""A resumable (tus) upload against the direct multipart upload, side by side.

Run from the repository root::

    uv run python -m tests.bench.bench_resumable            # 256 MiB
    uv run python -m tests.bench.bench_resumable --mib 64

It starts a throwaway PostgreSQL, MinIO and ``portal serve`` (the test suite's launchers),
all on 127.0.0.1, and sends the same incompressible, PDF-headed file as Dave three ways:
the direct multipart upload, tus in one PATCH (tus-js-client's default), and tus in
32 MiB PATCHes. Each is run twice and the better run kept (the machine is shared). A tus
upload's time runs from its creation until its document exists (finalisation included).
This is a script, not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from tusclient.client import TusClient

from portal.services.demo import POLITIE
from tests.servers.postgres import postgres_server
from tests.servers.s3 import minio_server
from tests.web.live import LivePortal, live_portal
from tests.web.portal_client import AANMELDING_METADATA, PDF_HEAD, multipart_stream

MIB = 1024 * 1024
TIMEOUT = httpx.Timeout(600)


def _file(path: Path, size: int) -> str:
    block = random.Random(7).randbytes(8 * MIB)  # noqa: S311 - benchmark data
    digest = hashlib.sha256()
    with path.open("wb") as out:
        written = 0
        head = PDF_HEAD
        while written < size:
            chunk = (head + block)[: size - written]
            head = b""
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return digest.hexdigest()


def _case(portal: LivePortal, client: httpx.Client) -> str:
    partij = client.get("/api/v1/partijen", headers=portal.auth("alice")).json()
    reported_by = next(p["id"] for p in partij if p["name"] == POLITIE)
    response = client.post(
        "/api/v1/cases",
        json={
            "reference": f"BENCH-{time.time_ns()}",
            "reported_by": reported_by,
            "aanmelder": "dave",
        },
        headers=portal.auth("alice"),
    )
    response.raise_for_status()
    return str(response.json()["id"])


def _direct(portal: LivePortal, client: httpx.Client, case_id: str, path: Path) -> str:
    def chunks() -> Iterator[bytes]:
        with path.open("rb") as source:
            while chunk := source.read(MIB):
                yield chunk

    body, content_type = multipart_stream(
        AANMELDING_METADATA, "bench.pdf", chunks(), "application/pdf"
    )
    response = client.post(
        f"/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**portal.auth("dave"), "Content-Type": content_type},
    )
    response.raise_for_status()
    return str(response.json()["sha256"])


def _tus(portal: LivePortal, client: httpx.Client, case_id: str, path: Path, chunk: int) -> str:
    tus = TusClient(f"{portal.base_url}/api/v1/uploads", headers=portal.auth("dave"))
    uploader = tus.uploader(
        str(path),
        chunk_size=chunk,
        metadata={
            "case_id": case_id,
            "filename": "bench.pdf",
            "filetype": "application/pdf",
            "metadata": json.dumps(AANMELDING_METADATA),
        },
    )
    uploader.upload()
    status = client.get(str(uploader.url), headers=portal.auth("dave")).json()
    while status["status"] in {"pending", "finalising"}:
        time.sleep(0.2)
        status = client.get(str(uploader.url), headers=portal.auth("dave")).json()
    document = client.get(f"/api/v1/documents/{status['document_id']}", headers=portal.auth("dave"))
    document.raise_for_status()
    return str(document.json()["sha256"])


def _best(run: Callable[[], str], expected: str) -> float:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        digest = run()
        times.append(time.perf_counter() - started)
        if digest != expected:
            raise SystemExit("the stored document's SHA-256 differs from the file's")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    size = parser.parse_args().mib * MIB
    with tempfile.TemporaryDirectory(prefix="bench-tus-") as scratch:
        path = Path(scratch) / "bench.pdf"
        expected = _file(path, size)
        (Path(scratch) / "minio").mkdir()
        with (
            postgres_server() as postgres,
            minio_server(Path(scratch) / "minio") as minio,
            live_portal(
                database_url=postgres.create_database("bench_tus"),
                minio=minio,
                environ={"PORTAL_MAX_UPLOAD_BYTES": str(size + MIB), "PORTAL_LOG_LEVEL": "warning"},
            ) as portal,
            httpx.Client(base_url=portal.base_url, timeout=TIMEOUT) as client,
        ):
            case_id = _case(portal, client)
            runs = {
                "direct multipart upload": lambda: _direct(portal, client, case_id, path),
                "tus, one PATCH": lambda: _tus(portal, client, case_id, path, size),
                "tus, 32 MiB PATCHes": lambda: _tus(portal, client, case_id, path, 32 * MIB),
            }
            print(f"{size // MIB} MiB, best of 2, {os.cpu_count()} cores")
            baseline = None
            for name, run in runs.items():
                seconds = _best(run, expected)
                baseline = baseline or seconds
                print(
                    f"  {name:<26} {seconds:6.2f} s  {size / seconds / 1e6:7.1f} MB/s"
                    f"  {seconds - baseline:+6.2f} s"
                )


if __name__ == "__main__":
    main()
