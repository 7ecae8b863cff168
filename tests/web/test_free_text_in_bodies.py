"""Free text never travels in a URL: a justification and a revocation's reason go in a body.

The cast: Alice the procesregisseur; Dave, a partner at the police, who provides; Bob, a
deelnemer at a GGZ institution.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from portal.db.tables import AuditEvent
from tests.web.portal_client import JUSTIFICATION, PortalClient, pdf_bytes

SECRET = "SECRET-MARKER-7f3a niet in een URL"


async def _document(portal: PortalClient, reference: str) -> tuple[str, bytes]:
    case_id = await portal.create_case(reference)
    content = pdf_bytes(b"verslag " * 500)
    uploaded = await portal.upload(case_id, content)
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"]), content


async def test_art_8_a_justification_posted_as_json_streams_the_document(
    portal: PortalClient,
) -> None:
    doc, content = await _document(portal, "ZVH-FT-1")
    response = await portal.http.post(
        f"/api/v1/documents/{doc}/content",
        json={"purpose": "screening", "justification": JUSTIFICATION, "delivery": "plain"},
        headers=portal.auth("alice"),
    )
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["content-length"] == str(len(content))
    assert response.headers["x-content-sha256"] == hashlib.sha256(content).hexdigest()
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    [permit] = await portal.opened(
        await AuditEvent.select().where(AuditEvent.action == "document:download").first()
    )
    assert permit["justification"] == JUSTIFICATION


async def test_art_8_a_justification_posted_from_an_html_form_streams_the_document(
    portal: PortalClient,
) -> None:
    doc, content = await _document(portal, "ZVH-FT-2")
    response = await portal.http.post(
        f"/api/v1/documents/{doc}/content",
        data={"purpose": "screening", "justification": JUSTIFICATION, "delivery": "plain"},
        headers=portal.auth("alice"),
    )
    assert response.status_code == 200, response.text
    assert response.content == content


async def test_a_police_document_posted_with_an_empty_form_justification_asks_for_one(
    portal: PortalClient,
) -> None:
    doc, _ = await _document(portal, "ZVH-FT-3")
    response = await portal.http.post(
        f"/api/v1/documents/{doc}/content",
        data={"purpose": "screening", "justification": "  "},
        headers=portal.auth("alice"),
    )
    assert response.status_code == 403
    assert "art. 8" in response.json()["detail"]


async def _case_of(portal: PortalClient, doc: str) -> str:
    response = await portal.http.get(f"/api/v1/documents/{doc}", headers=portal.auth("alice"))
    return str(response.json()["case_id"])


async def test_art_8_a_justification_in_the_query_string_is_refused_and_recorded_without_it(
    portal: PortalClient,
) -> None:
    doc, _ = await _document(portal, "ZVH-FT-4")
    response = await portal.http.get(
        f"/api/v1/documents/{doc}/content",
        params={"purpose": "screening", "justification": SECRET},
        headers=portal.auth("alice"),
    )
    assert response.status_code == 400
    assert "POST" in response.json()["detail"]
    assert "body" in response.json()["detail"]
    [denial] = await portal.opened(
        await AuditEvent.select()
        .where(AuditEvent.action == "document:download:denied")
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert denial["reason"] == "justification sent in the URL"
    assert denial["document_id"] is not None
    every_record = json.dumps(await AuditEvent.select(), default=str)
    assert "SECRET-MARKER" not in every_record
    assert await AuditEvent.count().where(AuditEvent.action == "document:download") == 0


async def test_a_get_without_a_justification_still_downloads(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-FT-5", reported_by="Gemeente Venlo", aanmelder="carol")
    content = pdf_bytes(b"zorgverslag")
    doc = (await portal.upload(case_id, content, user="carol")).json()["id"]
    response = await portal.download(doc, user="alice", justification=None)
    assert response.status_code == 200
    assert response.content == content


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"purpose=screening", "text/plain", "application/json"),
        (b"", None, "application/json"),
        (b"{not json", "application/json", "not valid"),
        (b'{"justification": "x"}', "application/json", "purpose"),
        (b'{"purpose": "screening", "delivery": "fax"}', "application/json", "delivery"),
        (b'{"purpose": "screening", "extra": 1}', "application/json", "extra"),
        (b"purpose=screening&purpose=x", "application/x-www-form-urlencoded", "at most once"),
        (b"justification=x", "application/x-www-form-urlencoded", "purpose"),
        (b"purpose=screening&delivery=fax", "application/x-www-form-urlencoded", "delivery"),
        (b"purpose=%ff", "application/x-www-form-urlencoded", "UTF-8"),
    ],
)
async def test_a_download_body_that_is_not_json_or_a_form_is_refused(
    portal: PortalClient, body: bytes, content_type: str | None, says: str
) -> None:
    doc, _ = await _document(portal, f"ZVH-FT-6-{hashlib.sha256(body).hexdigest()[:8]}")
    headers = portal.auth("alice") | ({"Content-Type": content_type} if content_type else {})
    response = await portal.http.post(
        f"/api/v1/documents/{doc}/content", content=body, headers=headers
    )
    assert response.status_code == 400, response.text
    assert says in response.json()["detail"]


async def test_revoking_takes_its_reason_in_the_body(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-FT-7", phase="triage")
    grant_id = await portal.grant(case_id, "bob")
    in_url = await portal.http.delete(
        f"/api/v1/grants/{grant_id}", params={"reason": SECRET}, headers=portal.auth("alice")
    )
    assert in_url.status_code == 405
    revoked = await portal.http.post(
        f"/api/v1/grants/{grant_id}/revoke",
        json={"reason": "rol beëindigd"},
        headers=portal.auth("alice"),
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["id"] == grant_id
    assert revoked.json()["revoked_at"] is not None
    shown = await portal.http.get(f"/api/v1/grants/{grant_id}", headers=portal.auth("alice"))
    assert shown.json() == revoked.json()
    [row] = await portal.opened(
        await AuditEvent.select().where(AuditEvent.action == "grant:revoke").first()
    )
    assert "rol beëindigd" in row["reason"]
    missing = await portal.http.post(
        f"/api/v1/grants/{grant_id}/revoke", json={}, headers=portal.auth("alice")
    )
    assert missing.status_code == 400
