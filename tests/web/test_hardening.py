"""Issue #12, tried as an attacker would: bad input is a 400 with a reason, never a 500.

The cast: Alice the procesregisseur, Erin the manager who reads the audit log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import get
from litestar.enums import ScopeType
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.testing import AsyncTestClient, create_test_client
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.adapters.health import Probe
from portal.app import Adapters, create_app, readiness_probes
from portal.db.tables import AuditEvent
from portal.domain.actions import Action
from portal.services.demo import load_demo
from portal.settings import load_settings
from portal.web.errors import internal_error_response
from tests.web.conftest import MovableClock
from tests.web.portal_client import AANMELDING_METADATA, PortalClient, pdf_bytes

BEYOND_64_BITS = "99999999999999999999999"


async def test_a_deeply_nested_json_body_is_a_bad_request(portal: PortalClient) -> None:
    answer = await portal.http.post(
        "/api/v1/cases",
        content=b"[" * 100_000,
        headers={**portal.auth("alice"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "the request body is nested too deeply"
    assert answer.json()["code"] == "validation-failed"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/audit", {"after": BEYOND_64_BITS}),
        ("/api/v1/audit", {"after": str(2**63)}),
        ("/api/v1/audit", {"after": "-1"}),
        ("/api/v1/audit", {"limit": BEYOND_64_BITS}),
        ("/api/v1/audit", {"limit": "0"}),
        ("/api/v1/audit", {"after": "abc"}),
        ("/api/v1/audit", {"case": "not-a-uuid"}),
        ("/api/v1/audit", {"since": "2026-13-45"}),
        ("/api/v1/audit/export", {"partij": "not-a-uuid"}),
        ("/api/v1/audit/subjects", {"case": "not-a-uuid"}),
        (
            "/api/v1/audit/disclosures/00000000-0000-0000-0000-000000000000",
            {"after": BEYOND_64_BITS},
        ),
    ],
)
async def test_an_out_of_range_or_malformed_query_is_a_bad_request(
    portal: PortalClient, path: str, params: dict[str, str]
) -> None:
    answer = await portal.http.get(path, params=params, headers=portal.auth("erin"))
    assert answer.status_code == 400, answer.text


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/audit", {"user": "erin\x00"}),
        ("/api/v1/audit", {"action": "case:create\x00"}),
        ("/api/v1/audit/subjects", {"data_subject_id": "a\x00b"}),
    ],
)
async def test_a_nul_character_in_a_query_is_a_bad_request(
    portal: PortalClient, path: str, params: dict[str, str]
) -> None:
    answer = await portal.http.get(path, params=params, headers=portal.auth("erin"))
    assert answer.status_code == 400, answer.text
    assert "NUL character" in answer.json()["detail"]
    assert answer.json()["code"] == "nul-character"


async def test_a_nul_character_in_a_json_body_or_upload_metadata_is_a_bad_request(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-2026-H002")
    body = await portal.http.post(
        f"/api/v1/cases/{case_id}/procesregisseurs",
        json={"user": "henk", "reason": "vervanging\x00"},
        headers=portal.auth("alice"),
    )
    assert body.status_code == 400, body.text
    assert "NUL character" in body.json()["detail"]
    assert body.json()["code"] == "nul-character"
    upload = await portal.upload(
        case_id, pdf_bytes(), metadata={**AANMELDING_METADATA, "description": "x\x00"}
    )
    assert upload.status_code == 400, upload.text
    assert "NUL character" in upload.json()["detail"]
    assert upload.json()["code"] == "nul-character"


def test_an_unexpected_error_shows_a_trace_id_and_never_its_own_text() -> None:
    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM case_keys")

    kept = Kept()
    logging.getLogger("portal.errors").addHandler(kept)
    with (
        create_test_client(
            [boom], exception_handlers={HTTP_500_INTERNAL_SERVER_ERROR: internal_error_response}
        ) as client,
    ):
        answer = client.get(
            "/boom",
            headers={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"},
        )
    logging.getLogger("portal.errors").removeHandler(kept)
    assert answer.status_code == 500
    assert "secret" not in answer.text
    assert answer.json()["trace_id"] == "a" * 32
    [record] = kept.records
    assert "a" * 32 in record.getMessage()
    assert record.exc_info


# --- refused tokens: recorded, counted, summarised, blocked --------------------------------

PROXY = "10.0.0.1"
MALLORY = "203.0.113.7"
ALICE_AT_HOME = "198.51.100.20"


class Peer:
    """The app as reached through a network: each request's ``X-Test-Peer`` header sets
    the address the connection comes from (the in-process client has none of its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            peer = dict(scope["headers"]).get(b"x-test-peer", b"192.0.2.1").decode()
            scope["client"] = (peer, 40000)
        await self.app(scope, receive, send)


@pytest.fixture
async def behind_proxy(data_dir: Path, clock: MovableClock) -> AsyncIterator[PortalClient]:
    """The portal behind a reverse proxy at 10.0.0.1, which it trusts."""
    settings = load_settings(
        {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_TRUSTED_PROXIES": f"{PROXY}/32"}
    )
    async with AsyncTestClient(app=Peer(create_app(settings, clock=clock)), timeout=60) as http:
        demo = await load_demo(clock=clock)
        yield PortalClient(
            http=http, tokens={login.username: login.token for login in demo.logins}, partij_ids={}
        )


def via_proxy(client_address: str) -> dict[str, str]:
    return {"X-Test-Peer": PROXY, "X-Forwarded-For": client_address}


async def _refusals_recorded(client_address: str) -> list[dict[str, Any]]:
    return list(
        await AuditEvent.select()
        .where(
            (AuditEvent.action == Action.AUTH_LOGIN_FAILED)
            & (AuditEvent.client_address == client_address)
        )
        .order_by(AuditEvent.seq)
    )


def _counted(record: dict[str, Any]) -> int:
    match = re.match(r"(\d+) more refused API tokens", record["reason"])
    return int(match.group(1)) if match else 1


async def test_100_bad_tokens_from_one_address_leave_a_handful_of_records_that_add_up(
    behind_proxy: PortalClient, clock: MovableClock
) -> None:
    portal = behind_proxy
    answers = [
        await portal.http.get(
            "/api/v1/me",
            headers={**via_proxy(MALLORY), "Authorization": f"Bearer guess-{n}"},
        )
        for n in range(100)
    ]
    assert [a.status_code for a in answers] == [401] * 20 + [429] * 80
    assert int(answers[-1].headers["Retry-After"]) == 300
    assert len(await _refusals_recorded(MALLORY)) == 5

    # Blocked means the token is not even looked up: Alice's own token is refused from there.
    blocked = await portal.http.get(
        "/api/v1/me", headers={**via_proxy(MALLORY), **portal.auth("alice")}
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too-many-requests"
    # Alice at home is another address: she gets in.
    served = await portal.http.get(
        "/api/v1/me", headers={**via_proxy(ALICE_AT_HOME), **portal.auth("alice")}
    )
    assert served.status_code == 200, served.text

    # The next refusal after the window writes the summary of the 96 only counted.
    clock.advance(seconds=61)
    later = await portal.http.get(
        "/api/v1/me", headers={**via_proxy(MALLORY), "Authorization": "Bearer guess-again"}
    )
    assert later.status_code == 429
    records = await _refusals_recorded(MALLORY)
    assert len(records) == 5 + 1 + 1
    assert sum(_counted(r) for r in records) == 100 + 1 + 1


async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(
    behind_proxy: PortalClient,
) -> None:
    portal = behind_proxy
    await portal.http.get(
        "/api/v1/me",
        headers={
            "X-Test-Peer": "192.0.2.99",
            "X-Forwarded-For": MALLORY,
            "Authorization": "Bearer x",
        },
    )
    assert await _refusals_recorded(MALLORY) == []
    assert len(await _refusals_recorded("192.0.2.99")) == 1


# --- /health/ready: cheap, and its details for the operator only ---------------------------

HEALTH_TOKEN = "operator-health-token-7f3a"


@pytest.fixture
async def probed(
    data_dir: Path, clock: MovableClock
) -> AsyncIterator[tuple[AsyncTestClient[Any], list[str]]]:
    """The portal with its real probes, each call of them noted by name."""
    calls: list[str] = []

    def counted(adapters: Adapters) -> dict[str, Probe]:
        def noting(name: str, probe: Probe) -> Probe:
            async def run() -> None:
                calls.append(name)
                await probe()

            return run

        return {name: noting(name, probe) for name, probe in readiness_probes(adapters).items()}

    settings = load_settings(
        {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_HEALTH_TOKEN": HEALTH_TOKEN}
    )
    async with AsyncTestClient(app=create_app(settings, clock=clock, probes=counted)) as http:
        yield http, calls


async def test_20_readiness_calls_in_a_row_run_gpg_at_most_once(
    probed: tuple[AsyncTestClient[Any], list[str]],
) -> None:
    http, calls = probed
    answers = [await http.get("/health/ready") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert calls.count("gpg") <= 1
    assert calls.count("database") <= 1


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {HEALTH_TOKEN}", f"Bearer {HEALTH_TOKEN}x"],
)
async def test_readiness_details_are_hidden_without_the_operator_token(
    probed: tuple[AsyncTestClient[Any], list[str]], authorization: str | None
) -> None:
    http, _ = probed
    headers = {"Authorization": authorization} if authorization else {}
    answer = await http.get("/health/ready", headers=headers)
    assert answer.json() == {"ready": True}


async def test_the_operator_token_shows_each_dependency(
    probed: tuple[AsyncTestClient[Any], list[str]],
) -> None:
    http, _ = probed
    answer = await http.get("/health/ready", headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
    assert answer.json() == {
        "ready": True,
        "checks": {"database": "ok", "object_store": "ok", "gpg": "ok"},
    }


# --- security headers on every answer ------------------------------------------------------

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def _security_headers(answer: httpx.Response) -> dict[str, str | None]:
    return {name: answer.headers.get(name) for name in SECURITY_HEADERS}


async def test_every_kind_of_answer_carries_the_security_headers(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-H001")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    answers = {
        "json": await portal.http.get("/api/v1/me", headers=portal.auth("alice")),
        "404": await portal.http.get("/api/v1/no-such-thing", headers=portal.auth("alice")),
        "401": await portal.http.get("/api/v1/me"),
        "400": await portal.http.get(
            "/api/v1/audit", params={"after": BEYOND_64_BITS}, headers=portal.auth("erin")
        ),
        "download": await portal.download(document["id"]),
        "health": await portal.http.get("/health/ready"),
        "schema": await portal.http.get("/schema/openapi.json"),
    }
    assert {kind: a.status_code for kind, a in answers.items()} == {
        "json": 200,
        "404": 404,
        "401": 401,
        "400": 400,
        "download": 200,
        "health": 200,
        "schema": 200,
    }
    for kind, answer in answers.items():
        assert _security_headers(answer) == SECURITY_HEADERS, kind
        assert "strict-transport-security" not in answer.headers, kind


async def test_the_schema_is_json_only_with_no_pages_that_load_scripts_from_a_cdn(
    portal: PortalClient,
) -> None:
    assert (await portal.http.get("/schema/openapi.json")).json()["info"]["title"] == "RTO portal"
    for page in ("/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        assert (await portal.http.get(page)).status_code == 404, page
    assert "<script" not in (await portal.http.get("/schema")).text


@pytest.mark.parametrize(
    ("headers", "hsts"),
    [
        pytest.param(
            {"X-Test-Peer": PROXY, "X-Forwarded-Proto": "https"}, True, id="TLS at a trusted proxy"
        ),
        pytest.param({"X-Test-Peer": PROXY}, False, id="plain HTTP through the proxy"),
        pytest.param(
            {"X-Test-Peer": "192.0.2.99", "X-Forwarded-Proto": "https"},
            False,
            id="an untrusted caller saying https",
        ),
    ],
)
async def test_hsts_only_when_the_request_came_over_tls(
    behind_proxy: PortalClient, headers: dict[str, str], hsts: bool
) -> None:
    answer = await behind_proxy.http.get("/health/live", headers=headers)
    assert ("strict-transport-security" in answer.headers) is hsts
    assert _security_headers(answer) == SECURITY_HEADERS
