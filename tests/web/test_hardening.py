"""Issue #12, tried as an attacker would: bad input is a 400 with a reason, never a 500.

The cast: Alice the procesregisseur, Erin the manager who reads the audit log.
"""

from __future__ import annotations

import logging

import pytest
from litestar import get
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.testing import create_test_client

from portal.web.errors import internal_error_response
from tests.web.portal_client import PortalClient

BEYOND_64_BITS = "99999999999999999999999"


async def test_a_deeply_nested_json_body_is_a_bad_request(portal: PortalClient) -> None:
    answer = await portal.http.post(
        "/api/v1/cases",
        content=b"[" * 100_000,
        headers={**portal.auth("alice"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "the request body is nested too deeply"


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
