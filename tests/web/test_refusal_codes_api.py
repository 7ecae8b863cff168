"""Every error answer carries a stable ``code`` next to its ``detail``: the framework's own
refusals, the services' and the rules', and the OpenAPI document lists the codes.

The cast: Alice the procesregisseur, Bob a GGZ deelnemer, Dave a police partner, Erin the
manager.
"""

from __future__ import annotations

import pytest

from portal.domain.refusal_codes import RefusalCode
from tests.web.portal_client import PortalClient, multipart_body

UNKNOWN_CASE = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", 404, "not-found"),
        ("DELETE", "/api/v1/cases", 405, "method-not-allowed"),
        ("GET", "/api/v1/audit?after=first", 400, "validation-failed"),
        ("GET", f"/api/v1/cases/{UNKNOWN_CASE}", 404, "not-found"),
    ],
)
async def test_the_frameworks_refusals_carry_the_code_of_their_status(
    portal: PortalClient, method: str, path: str, status: int, code: str
) -> None:
    answer = await portal.http.request(method, path, headers=portal.auth("erin"))
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["status_code"], body["code"]) == (status, code)
    assert body["detail"]


async def test_a_validation_error_still_names_the_field_it_refused(portal: PortalClient) -> None:
    answer = await portal.http.get(
        "/api/v1/audit", params={"after": "first"}, headers=portal.auth("erin")
    )
    assert answer.json()["code"] == "validation-failed"
    assert [field["key"] for field in answer.json()["extra"]] == ["after"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer rto_not-a-token"}],
    ids=["no-token", "unknown-token"],
)
async def test_no_valid_token_is_not_authenticated(
    portal: PortalClient, headers: dict[str, str]
) -> None:
    answer = await portal.http.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "not-authenticated"


async def test_a_case_without_a_part_in_it_is_not_found_not_why_art_9_6(
    portal: PortalClient,
) -> None:
    """The code of a refusal of sight must not tell that the case exists."""
    case_id = await portal.create_case("ZVH-CODE-1")
    hidden = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("bob"))
    absent = await portal.http.get(f"/api/v1/cases/{UNKNOWN_CASE}", headers=portal.auth("bob"))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["code"] == absent.json()["code"] == "not-found"


async def test_a_rule_refusal_carries_the_code_of_its_rule(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-CODE-2", phase="triage", granted=("bob",))
    grants = await portal.http.get(f"/api/v1/cases/{case_id}/grants", headers=portal.auth("alice"))
    grant_id = grants.json()[0]["id"]
    revoke = f"/api/v1/grants/{grant_id}/revoke"
    by_bob = await portal.http.post(revoke, json={"reason": "klaar"}, headers=portal.auth("bob"))
    assert (by_bob.status_code, by_bob.json()["code"]) == (403, "role-not-allowed")
    first = await portal.http.post(revoke, json={"reason": "klaar"}, headers=portal.auth("alice"))
    assert first.status_code == 200, first.text
    again = await portal.http.post(revoke, json={"reason": "klaar"}, headers=portal.auth("alice"))
    assert (again.status_code, again.json()["code"]) == (409, "grant-ended")
    assert again.json()["detail"] == "the grant has ended already"


async def test_a_service_refusal_names_its_own_code(portal: PortalClient) -> None:
    await portal.create_case("ZVH-CODE-3")
    twice = await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": "ZVH-CODE-3",
            "reported_by": portal.partij_ids["Politie Eenheid Limburg"],
            "aanmelder": "dave",
        },
        headers=portal.auth("alice"),
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "already-exists")
    nobody = await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": "ZVH-CODE-4",
            "reported_by": portal.partij_ids["Politie Eenheid Limburg"],
            "aanmelder": "nobody",
        },
        headers=portal.auth("alice"),
    )
    assert (nobody.status_code, nobody.json()["code"]) == (400, "unknown-user")


async def test_a_malformed_upload_says_so(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-CODE-5")
    body, content_type = multipart_body({"phase": "aanmelding"}, "a.pdf", b"%PDF-", None)
    answer = await portal.http.post(
        f"/api/v1/cases/{case_id}/documents",
        content=body,
        headers={**portal.auth("dave"), "Content-Type": content_type.split(";")[0]},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "malformed-upload"


async def test_an_export_refusal_is_json_with_its_code(portal: PortalClient) -> None:
    """The export route serves CSV or JSON lines; its refusals are JSON all the same."""
    refused = await portal.http.get("/api/v1/audit/export", headers=portal.auth("bob"))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json()["code"] == "role-not-allowed"


async def test_the_openapi_document_lists_every_code_on_the_error_answers(
    portal: PortalClient,
) -> None:
    schema = (await portal.http.get("/schema/openapi.json")).json()
    schemas = schema["components"]["schemas"]
    assert schemas["RefusalCode"]["enum"] == [str(code) for code in RefusalCode]
    assert schemas["PortalError"]["properties"]["code"] == {
        "$ref": "#/components/schemas/RefusalCode"
    }
    for path, item in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
            assert {"400", "500"} <= set(errors), (method, path)
            for response in errors.values():
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/PortalError"
                }, (method, path)
