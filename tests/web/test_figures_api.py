"""The figures kept of destroyed cases (art. 11.3) and their signed destruction reports,
through the API in process (embedded default, real gpg).

The cast: Alice the procesregisseur, who destroys her decided cases early; Erin the
manager; Henk another procesregisseur; Bob a GGZ deelnemer and Lisa the ZVH's FG, who
read neither.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from portal.db.tables import AuditEvent
from tests.web.conftest import MovableClock
from tests.web.portal_client import PortalClient, pdf_bytes

REASON = {"reason": "niet langer nodig na overdracht aan de casusregisseur"}


async def _destroyed_early(portal: PortalClient, clock: MovableClock, reference: str) -> str:
    """Reported and provided by Dave (police), downloaded once by Alice, Bob (GGZ) granted,
    afgeschaald, then destroyed early by Alice."""
    case_id = await portal.create_case(reference)
    uploaded = await portal.upload(case_id, pdf_bytes(b"verslag"))
    assert uploaded.status_code == 201, uploaded.text
    downloaded = await portal.download(str(uploaded.json()["id"]))
    assert downloaded.status_code == 200, downloaded.text
    await portal.move(case_id, "triage")
    await portal.grant(case_id, "bob")
    await portal.move(case_id, "rto")
    await portal.move(case_id, "afschaling", decided_at=clock.now.isoformat())
    destroyed = await portal.http.post(
        f"/api/v1/cases/{case_id}/destroy", json=REASON, headers=portal.auth("alice")
    )
    assert destroyed.status_code == 200, destroyed.text
    assert destroyed.json()["report_sha256"]
    return case_id


async def _denials(action: str) -> list[dict[str, Any]]:
    return list(await AuditEvent.select().where(AuditEvent.action == action))


async def test_art11_3_the_manager_reads_the_figures_of_early_destroyed_cases(
    portal: PortalClient, clock: MovableClock
) -> None:
    case_ids = [await _destroyed_early(portal, clock, f"ZVH-FIG-{n}") for n in range(5)]

    response = await portal.http.get("/api/v1/figures", headers=portal.auth("erin"))

    assert response.status_code == 200, response.text
    body = response.json()
    [period] = body["periods"]
    assert period["first_month"] == period["last_month"] == f"{clock.now:%Y-%m}"
    assert period["cases"] == 5
    assert period["rules"] == {"early": 5}
    assert period["outcomes"] == {"afgeschaald": 5}
    assert (period["documents"], period["downloads"], period["grants"]) == (5, 5, 5)
    assert period["partij_kinds"] == {"politie": 5, "ggz": 5}
    assert set(period["days_per_phase"]) == {"aanmelding", "triage", "rto", "afschaling"}
    assert body["withheld"] is False
    for case_id in case_ids:
        assert case_id not in response.text
    assert "ZVH-FIG" not in response.text


async def test_a_single_destroyed_case_is_withheld_from_the_figures(
    portal: PortalClient, clock: MovableClock
) -> None:
    await _destroyed_early(portal, clock, "ZVH-FIG-ALONE")

    response = await portal.http.get("/api/v1/figures", headers=portal.auth("erin"))

    assert response.status_code == 200, response.text
    assert response.json() == {"periods": [], "withheld": True, "min_cases": 5}


@pytest.mark.parametrize("user", ["alice", "bob", "lisa"])
async def test_art11_3_anyone_but_the_manager_is_refused_the_figures_on_record(
    portal: PortalClient, user: str
) -> None:
    response = await portal.http.get("/api/v1/figures", headers=portal.auth(user))

    assert response.status_code == 403, response.text
    assert response.json()["code"] == "role-not-allowed"
    [denied] = await _denials("figures:read:denied")
    assert denied["actor_username"] == user


async def test_art9_4_the_destruction_report_is_served_signed_to_manager_and_procesregisseurs(
    portal: PortalClient, clock: MovableClock
) -> None:
    case_id = await _destroyed_early(portal, clock, "ZVH-RAPPORT-7f3a")
    path = f"/api/v1/cases/{case_id}/destruction-report"

    by_manager = await portal.http.get(path, headers=portal.auth("erin"))
    by_other = await portal.http.get(path, headers=portal.auth("henk"))
    refused = await portal.http.get(path, headers=portal.auth("bob"))
    unknown = await portal.http.get(
        "/api/v1/cases/00000000-0000-4000-8000-000000000000/destruction-report",
        headers=portal.auth("erin"),
    )

    assert by_manager.status_code == 200, by_manager.text
    assert by_manager.headers["content-type"].startswith("text/plain")
    text = by_manager.text
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
    assert f"case: {case_id}" in text
    assert "rule: early" in text
    assert "ZVH-RAPPORT-7f3a" not in text
    assert REASON["reason"] not in text, "the procesregisseur's reason may name the person"
    assert by_other.status_code == 200, by_other.text
    assert by_other.text == text
    [done] = await AuditEvent.select(AuditEvent.reason).where(
        (AuditEvent.action == "case:destroy") & (AuditEvent.case_id == case_id)
    )
    digest = by_manager.headers["repr-digest"].removeprefix("sha-256=:").removesuffix(":")
    sha256 = base64.b64decode(digest).hex()
    assert sha256 == hashlib.sha256(by_manager.content).hexdigest()
    assert f"sha256 {sha256}" in done["reason"]
    assert refused.status_code == 403, refused.text
    [denied] = await _denials("case:destruction-report:denied")
    assert (denied["actor_username"], denied["case_id"]) == ("bob", case_id)
    assert unknown.status_code == 404, unknown.text


async def test_the_openapi_document_describes_the_figures_routes(portal: PortalClient) -> None:
    paths = (await portal.http.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/v1/figures", "/api/v1/cases/{case_id}/destruction-report"):
        assert paths[path]["get"]["summary"], path
