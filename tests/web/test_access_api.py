"""Who may see what, through the API: phases, grants, consent, afschaling and after.

The cast: Alice the procesregisseur; Carol, casusregisseur at Gemeente Venlo, which
reports the case; Bob, a deelnemer at a GGZ institution; Dave, a police partner; Erin the
manager; Frank the administratief medewerker; Grace, an FG.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from portal.db.tables import AuditEvent
from portal.domain.retention import add_months
from tests.web.conftest import MovableClock
from tests.web.portal_client import AANMELDING_METADATA, PortalClient, pdf_bytes

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def meta(phase: str, purposes: list[str], **extra: object) -> dict[str, object]:
    return {**AANMELDING_METADATA, "phase": phase, "purposes": purposes, **extra}


async def move(portal: PortalClient, case_id: str, to: str) -> httpx.Response:
    return await portal.http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": to, "reason": "besloten in het overleg"},
        headers=portal.auth("alice"),
    )


async def approve(
    portal: PortalClient, document_id: str, phase: str, user: str = "carol"
) -> httpx.Response:
    return await portal.http.post(
        f"/api/v1/documents/{document_id}/approvals",
        json={"phase": phase},
        headers=portal.auth(user),
    )


async def last_denial() -> str:
    row = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.reason)
        .where(AuditEvent.outcome == "deny")
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert row is not None
    return f"{row['action']}: {row['reason']}"


async def test_one_case_from_aanmelding_to_twelve_months_after_afschaling(
    portal: PortalClient, clock: MovableClock
) -> None:
    clock.move_to(START)
    case_id = await portal.create_case("ZVH-2026-0042", granted=("bob",))
    uploaded = await portal.upload(
        case_id, pdf_bytes(b"aanmelding"), user="carol", metadata=meta("aanmelding", ["screening"])
    )
    assert uploaded.status_code == 201, uploaded.text
    doc = uploaded.json()["id"]

    # Aanmelding: the granted participant, the reporter and the procesregisseur read it.
    for user in ("bob", "carol", "alice"):
        assert (await portal.download(doc, user=user)).status_code == 200, user
    assert (await portal.download(doc, user="dave")).status_code == 404  # no part in the case
    assert (
        await portal.download(doc, user="erin")
    ).status_code == 403  # the manager oversees, not reads

    # Triage: the document waits for its provider's re-approval (art. 3.5b).
    clock.advance(days=7)
    assert (await move(portal, case_id, "triage")).status_code == 201
    refused = await portal.download(doc, user="bob", purpose="beeldvorming")
    assert refused.status_code == 403
    assert "approved" in refused.json()["detail"]
    assert (await approve(portal, doc, "triage")).status_code == 201
    assert (await portal.download(doc, user="bob", purpose="beeldvorming")).status_code == 200

    # RTO.
    clock.advance(days=7)
    assert (await move(portal, case_id, "rto")).status_code == 201
    assert (await approve(portal, doc, "rto")).status_code == 201
    assert (await portal.download(doc, user="bob", purpose="monitoring")).status_code == 200

    # Afschaling: every participant's access ends at once (art. 11.2).
    clock.advance(days=30)
    afschaling = clock.now
    assert (await move(portal, case_id, "afschaling")).status_code == 201
    assert (await approve(portal, doc, "afschaling")).status_code == 201  # for the overdracht
    clock.advance(days=1)
    assert (await portal.download(doc, user="bob", purpose="overdracht")).status_code == 404
    assert (await portal.download(doc, user="carol", purpose="overdracht")).status_code == 404
    for user in ("alice", "frank"):  # art. 11.2a
        assert (await portal.download(doc, user=user, purpose="overdracht")).status_code == 200, (
            user
        )
    assert (await portal.download(doc, user="erin", purpose="overdracht")).status_code == 403
    grants = await portal.http.get(f"/api/v1/cases/{case_id}/grants", headers=portal.auth("alice"))
    assert [g["revoked_at"] for g in grants.json()] == [None]  # ended by afschaling, not revoked

    # Months 6-12: archived; only whom the manager admits (art. 11.2b).
    clock.move_to(add_months(afschaling, 6))
    assert (await portal.download(doc, user="alice", purpose="overdracht")).status_code == 404
    assert (await portal.download(doc, user="frank", purpose="overdracht")).status_code == 404
    admitted = await portal.http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "bob", "reason": "inzageverzoek van betrokkene"},
        headers=portal.auth("erin"),
    )
    assert admitted.status_code == 204, admitted.text
    assert (await portal.download(doc, user="bob", purpose="overdracht")).status_code == 200
    refused_admission = await portal.http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "dave", "reason": "x"},
        headers=portal.auth("alice"),
    )
    assert refused_admission.status_code == 404  # alice no longer sees the archived case

    # Twelve months: nobody (art. 11.2c).
    clock.move_to(add_months(afschaling, 12))
    for user in ("alice", "bob", "erin", "frank", "carol"):
        assert (await portal.download(doc, user=user, purpose="overdracht")).status_code == 404, (
            user
        )
    seen = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("erin"))
    assert seen.status_code == 404


async def test_withdrawn_consent_blocks_the_very_next_download(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0043", granted=("bob",))
    consent = await portal.http.post(
        "/api/v1/consents",
        json={
            "subject_pseudonym": "betrokkene-7",
            "scope": "delen van het verslag met het ZVH",
            "obtained_by": "Carol, casusregisseur",
            "obtained_at": "2026-01-01T10:00:00Z",
        },
        headers=portal.auth("carol"),
    )
    assert consent.status_code == 201, consent.text
    consent_id = consent.json()["id"]
    doc = (
        await portal.upload(
            case_id,
            pdf_bytes(),
            user="carol",
            metadata=meta(
                "aanmelding", ["screening"], legal_basis="toestemming", consent_id=consent_id
            ),
        )
    ).json()["id"]
    assert (await portal.download(doc, user="bob")).status_code == 200
    withdrawn = await portal.http.post(
        f"/api/v1/consents/{consent_id}/withdraw",
        json={"reason": "ingetrokken"},
        headers=portal.auth("carol"),
    )
    assert withdrawn.status_code == 200
    blocked = await portal.download(doc, user="bob")
    assert blocked.status_code == 403
    assert "consent" in blocked.json()["detail"]
    other = await portal.http.post(
        f"/api/v1/consents/{consent_id}/withdraw", json={}, headers=portal.auth("bob")
    )
    assert other.status_code == 403  # only the partij that recorded it


async def test_a_withdrawn_partij_loses_access_at_once(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0044", granted=("bob",))
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    assert (await portal.download(doc, user="bob")).status_code == 200
    ggz = portal.partij_ids["Vincent van Gogh voor geestelijke gezondheid"]
    refused = await portal.http.post(
        f"/api/v1/partijen/{ggz}/withdraw", headers=portal.auth("alice")
    )
    assert refused.status_code == 403
    withdrawn = await portal.http.post(
        f"/api/v1/partijen/{ggz}/withdraw", headers=portal.auth("erin")
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    blocked = await portal.download(doc, user="bob")
    assert blocked.status_code in (403, 404)
    assert "withdrawn" in await last_denial()
    grants = await portal.http.get(f"/api/v1/cases/{case_id}/grants", headers=portal.auth("alice"))
    assert grants.json()[0]["revoked_at"] is not None  # art. 27.3: its grants end too


async def test_a_revoked_grant_blocks_the_very_next_download(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0045", granted=())
    grant_id = await portal.grant(case_id, "bob")
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    assert (await portal.download(doc, user="bob")).status_code == 200
    no_reason = await portal.http.post(
        f"/api/v1/grants/{grant_id}/revoke", json={"reason": " "}, headers=portal.auth("alice")
    )
    assert no_reason.status_code == 400
    revoked = await portal.http.post(
        f"/api/v1/grants/{grant_id}/revoke",
        json={"reason": "rol in de casus beëindigd"},
        headers=portal.auth("alice"),
    )
    assert revoked.status_code == 200, revoked.text
    assert (await portal.download(doc, user="bob")).status_code == 404
    assert "revoked" in await last_denial()


async def test_a_phase_change_without_reapproval_blocks_the_very_next_download(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-2026-0046", granted=("bob",))
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    assert (await portal.download(doc, user="bob")).status_code == 200
    assert (await move(portal, case_id, "triage")).status_code == 201
    blocked = await portal.download(doc, user="bob", purpose="beeldvorming")
    assert blocked.status_code == 403
    assert "3.5b" in blocked.json()["detail"]
    stale = await portal.download(doc, user="bob", purpose="screening")
    assert stale.status_code == 403  # a purpose of the phase that ended


async def test_a_police_document_without_justification_asks_for_one(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0047", granted=("dave", "bob"))
    doc = (await portal.upload(case_id, pdf_bytes(), user="dave")).json()["id"]
    refused = await portal.download(doc, user="bob", justification=None)
    assert refused.status_code == 403
    assert "justification" in refused.json()["detail"]
    assert "art. 8" in refused.json()["detail"]
    allowed = await portal.download(doc, user="bob", justification="nodig voor het plan van aanpak")
    assert allowed.status_code == 200
    row = await AuditEvent.select().where(AuditEvent.action == "document:download").first()
    assert row is not None
    assert row["justification"] == "nodig voor het plan van aanpak"


async def test_a_document_of_another_case_is_answered_as_not_found(portal: PortalClient) -> None:
    mine = await portal.create_case("ZVH-2026-0048", granted=("bob",))
    other = await portal.create_case("ZVH-2026-0049", granted=())
    doc = (await portal.upload(other, pdf_bytes(), user="carol")).json()["id"]
    assert mine != other
    for path in (f"/api/v1/documents/{doc}", f"/api/v1/documents/{doc}/content?purpose=screening"):
        assert (await portal.http.get(path, headers=portal.auth("bob"))).status_code == 404


async def test_phases_move_forward_one_step_by_the_procesregisseur_only(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-2026-0050")
    skipped = await move(portal, case_id, "rto")
    assert skipped.status_code == 403
    assert "one phase at a time" in skipped.json()["detail"]
    by_bob = await portal.http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": "triage", "reason": "x"},
        headers=portal.auth("dave"),
    )
    assert by_bob.status_code == 403
    for to in ("triage", "rto", "afschaling"):
        assert (await move(portal, case_id, to)).status_code == 201
    case = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("alice"))
    assert case.json()["afschaling_at"] is not None
    assert (await move(portal, case_id, "afschaling")).status_code == 403
    upload = await portal.upload(
        case_id, pdf_bytes(), user="alice", metadata=meta("afschaling", ["overdracht"])
    )
    assert upload.status_code == 403


async def test_grants_refuse_unscreened_users_and_fgs(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0051", granted=())
    fg = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "grace"}, headers=portal.auth("alice")
    )
    assert fg.status_code == 403
    twice = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=portal.auth("alice")
    )
    assert twice.status_code == 201
    again = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=portal.auth("alice")
    )
    assert again.status_code == 403
    nobody = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "nobody"}, headers=portal.auth("alice")
    )
    assert nobody.status_code == 404


async def test_further_use_is_requested_and_decided_on_record(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0052", granted=("bob",))
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    asked = await portal.http.post(
        f"/api/v1/documents/{doc}/further-use-requests",
        json={"description": "voor de eigen behandelplanning"},
        headers=portal.auth("bob"),
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    by_bob = await portal.http.post(
        f"/api/v1/further-use-requests/{request_id}/decision",
        json={"approve": True},
        headers=portal.auth("bob"),
    )
    assert by_bob.status_code == 403
    decided = await portal.http.post(
        f"/api/v1/further-use-requests/{request_id}/decision",
        json={"approve": False, "reason": "niet verenigbaar met het doel"},
        headers=portal.auth("carol"),
    )
    assert decided.status_code == 204
    twice = await portal.http.post(
        f"/api/v1/further-use-requests/{request_id}/decision",
        json={"approve": True},
        headers=portal.auth("carol"),
    )
    assert twice.status_code == 409
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert {"further-use:request", "further-use:decide", "further-use:decide:denied"} <= set(
        actions
    )


async def test_explain_access_gives_the_download_decision_per_user(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0053", granted=("bob", "dave"))
    await portal.upload(case_id, pdf_bytes(), user="dave")
    overview = await portal.http.get(
        f"/api/v1/cases/{case_id}/access", headers=portal.auth("alice")
    )
    assert overview.status_code == 200, overview.text
    lines = {line["username"]: line for line in overview.json()}
    assert lines["bob"]["can_download"] is True
    assert lines["bob"]["needs_justification"] is True  # a police document (art. 8)
    assert lines["bob"]["loses_access_at_afschaling"] is True
    assert lines["alice"]["loses_access_at_afschaling"] is False
    assert lines["grace"]["can_download"] is False
    assert lines["grace"]["reason"]
    by_bob = await portal.http.get(f"/api/v1/cases/{case_id}/access", headers=portal.auth("bob"))
    assert by_bob.status_code == 403
