"""Legal holds and the calendar through the API in process, with the portal's clock moved
through the year (embedded default): what a held case looks like past +12 months."""

from __future__ import annotations

from typing import Any

from portal.domain.retention import add_months
from tests.web.conftest import MovableClock
from tests.web.portal_client import PortalClient

REASON = {"reason": "inzageverzoek van betrokkene loopt nog"}


async def _calendar(portal: PortalClient, user: str, **params: str) -> list[dict[str, Any]]:
    response = await portal.http.get("/api/v1/retention", params=params, headers=portal.auth(user))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


async def test_art11_2b_a_held_case_past_12_months_stays_archived_for_the_manager(
    portal: PortalClient, clock: MovableClock
) -> None:
    case_id = await portal.create_case("HOLD-1", phase="rto")
    decided = clock.now
    await portal.move(case_id, "afschaling", decided_at=decided.isoformat())
    held = await portal.http.post(
        f"/api/v1/cases/{case_id}/legal-hold", json=REASON, headers=portal.auth("erin")
    )
    assert held.status_code == 201, held.text

    clock.move_to(add_months(decided, 12))

    seen = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("erin"))
    assert seen.status_code == 200, seen.text
    assert seen.json()["held"] is True
    [entry] = await _calendar(portal, "erin")
    assert (entry["case_id"], entry["regime"], entry["held"]) == (case_id, "archived", True)
    assert entry["next_event"] == "destroy"
    assert [e["case_id"] for e in await _calendar(portal, "alice")] == [case_id]
    assert await _calendar(portal, "bob") == []
    assert await _calendar(portal, "grace") == [], "the FG supervises through the audit log"

    lifted = await portal.http.post(
        f"/api/v1/cases/{case_id}/legal-hold/lift", json=REASON, headers=portal.auth("erin")
    )
    assert lifted.status_code == 200, lifted.text
    # Lifted past +12 months: destroyed by the timeline at once, gone from every view.
    assert await _calendar(portal, "erin") == []
    gone = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("erin"))
    assert gone.status_code == 404


async def test_a_reason_is_required_and_an_unheld_case_is_not_lifted(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("HOLD-2")

    blank = await portal.http.post(
        f"/api/v1/cases/{case_id}/legal-hold", json={"reason": " "}, headers=portal.auth("erin")
    )
    unheld = await portal.http.post(
        f"/api/v1/cases/{case_id}/legal-hold/lift", json=REASON, headers=portal.auth("erin")
    )

    assert blank.status_code == 400, blank.text
    assert unheld.status_code == 409, unheld.text


async def test_the_openapi_document_describes_the_retention_routes(portal: PortalClient) -> None:
    paths = (await portal.http.get("/schema/openapi.json")).json()["paths"]
    for path, method in [
        ("/api/v1/cases/{case_id}/legal-hold", "post"),
        ("/api/v1/cases/{case_id}/legal-hold/lift", "post"),
        ("/api/v1/cases/{case_id}/destroy", "post"),
        ("/api/v1/retention", "get"),
        ("/api/v1/documents/{document_id}/remove", "post"),
    ]:
        assert paths[path][method]["summary"], f"{method.upper()} {path} has no summary"
    until = paths["/api/v1/retention"]["get"]["parameters"]
    assert {p["name"] for p in until} == {"until"}
