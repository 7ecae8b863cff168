"""The server's access log names method, path and status, never a query string or header."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from litestar.types import Message, Receive, ReceiveMessage, Scope, Send

from portal.web.access_log import AccessLog
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal

SECRET = "SECRET-MARKER-b81e"


async def _teapot(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _scope(path: str, query: bytes) -> Scope:
    return {  # type: ignore[return-value]  # the keys an HTTP scope needs here
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"authorization", b"Bearer rto_" + SECRET.encode())],
        "client": ("192.0.2.7", 51234),
    }


async def _nothing() -> ReceiveMessage:  # pragma: no cover - the teapot reads no body
    return {"type": "http.disconnect"}


async def _ignore(message: Message) -> None:
    del message


async def test_a_request_is_logged_without_its_query_string_or_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.access"):
        await AccessLog(_teapot)(
            _scope("/api/v1/documents/d1/content", f"justification={SECRET}".encode()),
            _nothing,
            _ignore,
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "portal.access"]
    assert line.startswith("GET /api/v1/documents/d1/content 418 ")
    assert line.endswith(" ms 192.0.2.7")
    assert SECRET not in caplog.text
    assert "justification" not in caplog.text


async def test_a_newline_in_a_path_cannot_forge_a_second_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.access"):
        await AccessLog(_teapot)(_scope("/a\nGET /forged 200", b""), _nothing, _ignore)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "portal.access"]
    assert "\n" not in line
    assert line.startswith("GET /a\\x0aGET /forged 200 418 ")


@pytest.fixture(scope="module")
def talkative(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"accesslog_{int(time.time() * 1000) % 10**9}")
    with live_portal(
        database_url=url, minio=minio_endpoint, environ={"PORTAL_LOG_LEVEL": "info"}
    ) as portal:
        yield portal


def test_portal_serve_logs_requests_but_never_their_query_strings(talkative: LivePortal) -> None:
    path = "/api/v1/documents/00000000-0000-0000-0000-000000000000/content"
    response = httpx.get(
        talkative.base_url + path,
        params={"purpose": "screening", "justification": SECRET},
        headers=talkative.auth("alice"),
        timeout=30,
    )
    assert response.status_code == 404
    unrouted = httpx.get(f"{talkative.base_url}/nowhere?q={SECRET}", timeout=30)
    assert unrouted.status_code in {401, 404}
    log = talkative.data_dir / "server.log"

    def logged() -> str:
        return log.read_text(errors="replace")

    deadline = time.monotonic() + 10
    while "/nowhere" not in logged() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = logged()
    assert f"GET {path} 404 " in text
    assert "/nowhere" in text
    assert SECRET not in text
    assert "justification" not in text
    assert "purpose=" not in text
