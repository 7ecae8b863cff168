"""Issue #12 against a real ``portal serve`` (uvicorn with httptools, PostgreSQL, MinIO):
what only a real server shows, such as how it treats an oversized header."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"harden_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        yield portal


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Authorization": "Bearer " + "x" * 1024 * 1024}, id="1 MB token"),
        pytest.param({"Authorization": "Bearer " + "x" * 9000}, id="just over 8 KiB"),
        pytest.param({f"X-Pad-{n}": "p" * 8000 for n in range(5)}, id="many large headers"),
    ],
)
def test_an_oversized_header_is_refused_before_any_processing(
    live: LivePortal, headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 431, answer.text
    assert "larger than 8192 bytes" in answer.json()["detail"]
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_a_header_within_the_limit_is_served(live: LivePortal) -> None:
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        answer = client.get("/api/v1/me", headers={**live.auth("alice"), "X-Pad": "p" * 7000})
    assert answer.status_code == 200, answer.text
