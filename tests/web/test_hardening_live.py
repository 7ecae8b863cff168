"""Issue #12 against a real ``portal serve`` (uvicorn with httptools, PostgreSQL, MinIO):
what only a real server shows, such as how it treats an oversized header."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from portal.db.tables import AuditEvent, LoginFailureWindow
from portal.domain.actions import Action
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal

MALLORY = {"X-Forwarded-For": "203.0.113.7"}


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"harden_{int(time.time() * 1000) % 10**9}")
    # The test client stands in for a reverse proxy on loopback, so each test can come from
    # its own client address and a blocked one does not block the others.
    with live_portal(
        database_url=url, minio=minio_endpoint, environ={"PORTAL_TRUSTED_PROXIES": "127.0.0.1"}
    ) as portal:
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


async def test_refused_tokens_on_postgresql_are_counted_once_each_even_when_concurrent(
    live: LivePortal,
) -> None:
    """25 bad tokens at once from one address: 5 records, the rest counted exactly once
    (the window row is locked), and the address is blocked."""
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.get("/api/v1/me", headers={**MALLORY, "Authorization": f"Bearer guess-{n}"})
                for n in range(25)
            )
        )
        after = await client.get("/api/v1/me", headers={**MALLORY, **live.auth("alice")})
    codes = [a.status_code for a in answers]
    # Those that passed the block check before the 20th refusal was counted are still 401s.
    assert set(codes) <= {401, 429}
    assert codes.count(401) >= 20
    assert after.status_code == 429
    assert int(after.headers["Retry-After"]) > 0
    async with live.database():
        window = (
            await LoginFailureWindow.select()
            .where(LoginFailureWindow.client_address == "203.0.113.7")
            .first()
        )
        records = await AuditEvent.count().where(
            (AuditEvent.action == Action.AUTH_LOGIN_FAILED)
            & (AuditEvent.client_address == "203.0.113.7")
        )
    assert window is not None
    assert (window["failures"], window["unrecorded"]) == (26, 21)
    assert records == 5


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/audit", {"user": "a\x00b"}),
        ("/api/v1/audit/subjects", {"data_subject_id": "a\x00"}),
    ],
)
def test_a_nul_character_never_reaches_postgresql(
    live: LivePortal, path: str, params: dict[str, str]
) -> None:
    """PostgreSQL text holds no NUL: it used to fail the query (500) or the audit record
    of the request (503)."""
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        answer = client.get(path, params=params, headers=live.auth("erin"))
    assert answer.status_code == 400, answer.text
