"""Who may see what, through the API: people per case, phases, consent, afschaling and after.

The cast: Alice the procesregisseur who registers the cases, Henk a procesregisseur on no
case until assigned; Carol, casusregisseur at Gemeente Venlo, who reports the case (its
aanmelder); Grace, the FG of Gemeente Venlo; Bob, a deelnemer at a GGZ institution; Dave,
a police partner; Erin the manager; Frank the administratief medewerker.
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


async def move(portal: PortalClient, case_id: str, to: str, **extra: object) -> httpx.Response:
    return await portal.http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": to, "reason": "besloten in het overleg", **extra},
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


async def venlo_case(
    portal: PortalClient,
    reference: str,
    *,
    phase: str = "aanmelding",
    granted: tuple[str, ...] = (),
) -> tuple[str, str]:
    """A case Carol reports for Gemeente Venlo, with her document of its current phase."""
    case_id = await portal.create_case(
        reference, reported_by="Gemeente Venlo", aanmelder="carol", phase=phase, granted=granted
    )
    purposes = {"aanmelding": ["screening"], "triage": ["beeldvorming"], "rto": ["monitoring"]}
    uploaded = await portal.upload(
        case_id, pdf_bytes(), user="carol", metadata=meta(phase, purposes[phase])
    )
    assert uploaded.status_code == 201, uploaded.text
    return case_id, str(uploaded.json()["id"])


async def last_denial(portal: PortalClient) -> str:
    [row] = await portal.opened(
        await AuditEvent.select(AuditEvent.action, AuditEvent.reason)
        .where(AuditEvent.outcome == "deny")
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return f"{row['action']}: {row['reason']}"


async def test_one_case_from_aanmelding_to_twelve_months_after_afschaling(  # noqa: PLR0915 - one journey, told in order
    portal: PortalClient, clock: MovableClock
) -> None:
    clock.move_to(START)
    case_id, doc = await venlo_case(portal, "ZVH-2026-0042")

    # Aanmelding (art. 1.18, 9.2): the procesregisseur and the aanmelder, nobody else.
    for user in ("carol", "alice"):
        assert (await portal.download(doc, user=user, justification=None)).status_code == 200
    for user in ("bob", "dave", "henk", "grace", "erin", "frank"):
        assert (await portal.download(doc, user=user, justification=None)).status_code == 404, user
    early = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=portal.auth("alice")
    )
    assert early.status_code == 409  # refused until triage, with the reason
    assert "triage" in early.json()["detail"]
    assert early.json()["code"] == "before-triage"
    register = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("erin"))
    assert register.status_code == 200  # the manager sees the register entry
    listing = await portal.http.get(
        f"/api/v1/cases/{case_id}/documents", headers=portal.auth("erin")
    )
    assert listing.status_code == 404  # but not the documents

    # Triage: the participant joins; the document waits for its re-approval (art. 3.5b).
    clock.advance(days=7)
    assert (await move(portal, case_id, "triage")).status_code == 201
    await portal.grant(case_id, "bob")
    refused = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert refused.status_code == 403
    assert "approved" in refused.json()["detail"]
    assert refused.json()["code"] == "reapproval-required"
    assert (await approve(portal, doc, "triage")).status_code == 201
    ok = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert ok.status_code == 200

    # RTO.
    clock.advance(days=7)
    assert (await move(portal, case_id, "rto")).status_code == 201
    assert (await approve(portal, doc, "rto")).status_code == 201
    ok = await portal.download(doc, user="bob", purpose="monitoring", justification=None)
    assert ok.status_code == 200

    # Afschaling, decided today, with the hand-over to Carol as casusregisseur.
    clock.advance(days=30)
    afschaling = clock.now
    moved = await move(
        portal,
        case_id,
        "afschaling",
        decided_at=afschaling.isoformat(),
        handover={"casusregisseur": "carol", "documents": [doc]},
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["decided_at"] is not None
    clock.advance(days=1)
    # Bijlage 2: the hand-over needs the provider's approval for overdracht first.
    assert (
        await portal.download(doc, user="carol", purpose="overdracht", justification=None)
    ).status_code == 403
    assert (await approve(portal, doc, "afschaling")).status_code == 201
    assert (
        await portal.download(doc, user="carol", purpose="overdracht", justification=None)
    ).status_code == 200
    assert (
        await portal.download(doc, user="bob", purpose="overdracht", justification=None)
    ).status_code == 404
    for user in ("alice", "frank"):  # art. 11.2a
        assert (
            await portal.download(doc, user=user, purpose="overdracht", justification=None)
        ).status_code == 200, user
    assert (
        await portal.download(doc, user="erin", purpose="overdracht", justification=None)
    ).status_code == 404
    grants = await portal.http.get(f"/api/v1/cases/{case_id}/grants", headers=portal.auth("alice"))
    (grant,) = grants.json()
    assert grant["revoked_at"] is None  # ended by afschaling, not revoked
    assert grant["ended_by"] == "afschaling"
    assert grant["active"] is False

    # The hand-over window closes (14 days by default).
    clock.advance(days=15)
    assert (
        await portal.download(doc, user="carol", purpose="overdracht", justification=None)
    ).status_code in (403, 404)

    # Months 6-12: archived; only whom the manager admits (art. 11.2b).
    clock.move_to(add_months(afschaling, 6))
    assert (
        await portal.download(doc, user="alice", purpose="overdracht", justification=None)
    ).status_code == 404
    assert (
        await portal.download(doc, user="frank", purpose="overdracht", justification=None)
    ).status_code == 404
    until = add_months(afschaling, 11).isoformat()
    herself = await portal.http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "erin", "reason": "zelf inzien", "until": until},
        headers=portal.auth("erin"),
    )
    assert herself.status_code == 409  # the manager cannot admit themselves
    admitted = await portal.http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "bob", "reason": "inzageverzoek van betrokkene", "until": until},
        headers=portal.auth("erin"),
    )
    assert admitted.status_code == 201, admitted.text
    assert (
        await portal.download(doc, user="bob", purpose="overdracht", justification=None)
    ).status_code == 200
    listed = await portal.http.get(
        f"/api/v1/cases/{case_id}/archive-admissions", headers=portal.auth("erin")
    )
    assert [a["id"] for a in listed.json()] == [admitted.json()["id"]]
    revoked = await portal.http.post(
        f"/api/v1/archive-admissions/{admitted.json()['id']}/revoke",
        json={"reason": "inzage afgerond"},
        headers=portal.auth("erin"),
    )
    assert revoked.status_code == 200, revoked.text
    assert (
        await portal.download(doc, user="bob", purpose="overdracht", justification=None)
    ).status_code == 404
    by_alice = await portal.http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "dave", "reason": "graag inzien", "until": until},
        headers=portal.auth("alice"),
    )
    assert by_alice.status_code in (403, 404)  # only the manager admits

    # Twelve months: nobody (art. 11.2c).
    clock.move_to(add_months(afschaling, 12))
    for user in ("alice", "bob", "erin", "frank", "carol"):
        assert (
            await portal.download(doc, user=user, purpose="overdracht", justification=None)
        ).status_code == 404, user
    seen = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("erin"))
    assert seen.status_code == 404


async def test_withdrawn_consent_blocks_the_very_next_download(portal: PortalClient) -> None:
    case_id = await portal.create_case(
        "ZVH-2026-0043", reported_by="Gemeente Venlo", aanmelder="carol"
    )
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
    assert (await portal.download(doc, user="alice", justification=None)).status_code == 200
    withdrawn = await portal.http.post(
        f"/api/v1/consents/{consent_id}/withdraw",
        json={"reason": "ingetrokken"},
        headers=portal.auth("carol"),
    )
    assert withdrawn.status_code == 200
    blocked = await portal.download(doc, user="alice", justification=None)
    assert blocked.status_code == 403
    assert "consent" in blocked.json()["detail"]
    assert blocked.json()["code"] == "consent-withdrawn"
    other = await portal.http.post(
        f"/api/v1/consents/{consent_id}/withdraw", json={}, headers=portal.auth("bob")
    )
    assert other.status_code == 403  # only the partij that recorded it


async def test_a_withdrawn_partij_loses_access_at_once(portal: PortalClient) -> None:
    case_id, doc = await venlo_case(portal, "ZVH-2026-0044", phase="triage", granted=("bob",))
    ok = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert ok.status_code == 200
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
    blocked = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert blocked.status_code in (403, 404)
    assert "withdrawn" in await last_denial(portal)
    grants = await portal.http.get(f"/api/v1/cases/{case_id}/grants", headers=portal.auth("alice"))
    assert grants.json()[0]["revoked_at"] is not None  # art. 27.3: its grants end too


async def test_a_revoked_grant_ends_all_sight_of_the_case_at_once(portal: PortalClient) -> None:
    case_id, doc = await venlo_case(portal, "ZVH-2026-0045", phase="triage")
    grant_id = await portal.grant(case_id, "bob")
    ok = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert ok.status_code == 200
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
    assert revoked.json()["ended_by"] == "revoked"
    gone = await portal.download(doc, user="bob", purpose="beeldvorming", justification=None)
    assert gone.status_code == 404
    assert "revoked" in await last_denial(portal)
    later = await portal.upload(
        case_id, pdf_bytes(b"na intrekking"), user="carol", metadata=meta("triage", ["routering"])
    )
    assert later.status_code == 201, later.text
    for path in (
        f"/api/v1/cases/{case_id}/documents",
        f"/api/v1/documents/{later.json()['id']}",
        f"/api/v1/cases/{case_id}/grants",
    ):
        assert (await portal.http.get(path, headers=portal.auth("bob"))).status_code == 404, path


async def test_a_phase_change_without_reapproval_blocks_the_very_next_download(
    portal: PortalClient,
) -> None:
    case_id, doc = await venlo_case(portal, "ZVH-2026-0046")
    assert (await portal.download(doc, user="alice", justification=None)).status_code == 200
    assert (await move(portal, case_id, "triage")).status_code == 201
    blocked = await portal.download(doc, user="alice", purpose="beeldvorming", justification=None)
    assert blocked.status_code == 403
    assert "3.5b" in blocked.json()["detail"]
    assert blocked.json()["code"] == "reapproval-required"
    stale = await portal.download(doc, user="alice", purpose="screening", justification=None)
    assert stale.status_code == 403  # a purpose of the phase that ended


async def test_a_police_document_without_justification_asks_for_one(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0047")  # Dave reports for the police
    doc = (await portal.upload(case_id, pdf_bytes(), user="dave")).json()["id"]
    refused = await portal.download(doc, user="alice", justification=None)
    assert refused.status_code == 403
    assert "justification" in refused.json()["detail"]
    assert refused.json()["code"] == "justification-required"
    assert "art. 8" in refused.json()["detail"]
    allowed = await portal.download(
        doc, user="alice", justification="nodig voor het plan van aanpak"
    )
    assert allowed.status_code == 200
    [row] = await portal.opened(
        await AuditEvent.select().where(AuditEvent.action == "document:download").first()
    )
    assert row["justification"] == "nodig voor het plan van aanpak"


async def test_a_document_of_another_case_is_answered_as_not_found(portal: PortalClient) -> None:
    mine, _ = await venlo_case(portal, "ZVH-2026-0048", phase="triage", granted=("bob",))
    other, doc = await venlo_case(portal, "ZVH-2026-0049")
    assert mine != other
    for path in (f"/api/v1/documents/{doc}", f"/api/v1/documents/{doc}/content?purpose=screening"):
        assert (await portal.http.get(path, headers=portal.auth("bob"))).status_code == 404


async def test_phases_move_forward_one_step_by_the_procesregisseur_only(
    portal: PortalClient, clock: MovableClock
) -> None:
    case_id = await portal.create_case("ZVH-2026-0050")
    skipped = await move(portal, case_id, "rto")
    assert skipped.status_code == 400
    assert "one phase at a time" in skipped.json()["detail"]
    assert skipped.json()["code"] == "phase-order"
    by_dave = await portal.http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": "triage", "reason": "x"},
        headers=portal.auth("dave"),
    )
    assert by_dave.status_code == 403
    by_henk = await portal.http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": "triage", "reason": "overgenomen"},
        headers=portal.auth("henk"),
    )
    assert by_henk.status_code == 404  # a procesregisseur, but not of this case: not his to see
    for to in ("triage", "rto"):
        assert (await move(portal, case_id, to)).status_code == 201
    undated = await move(portal, case_id, "afschaling")
    assert undated.status_code == 400  # the afschaling decision carries its date
    future = await move(portal, case_id, "afschaling", decided_at="2099-01-01T00:00:00Z")
    assert future.status_code == 400
    decided = clock.now.isoformat()
    assert (await move(portal, case_id, "afschaling", decided_at=decided)).status_code == 201
    case = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("alice"))
    assert case.json()["decided_at"] is not None
    assert (await move(portal, case_id, "afschaling", decided_at=decided)).status_code == 409
    upload = await portal.upload(
        case_id, pdf_bytes(), user="alice", metadata=meta("afschaling", ["overdracht"])
    )
    assert upload.status_code == 409


async def test_a_case_is_closed_before_an_rto_and_follows_the_timeline(
    portal: PortalClient, clock: MovableClock
) -> None:
    case_id, doc = await venlo_case(portal, "ZVH-2026-0055")
    closed = await portal.http.post(
        f"/api/v1/cases/{case_id}/close",
        json={
            "reason": "niet_toegelaten",
            "explanation": "voldoet niet aan de criteria",
            "decided_at": clock.now.isoformat(),
        },
        headers=portal.auth("alice"),
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_reason"] == "niet_toegelaten"
    # The aanmelder's part ends with the decision; as uploader she keeps the metadata only.
    refused = await portal.download(doc, user="carol", justification=None)
    assert refused.status_code == 403
    assert (await portal.download(doc, user="alice", justification=None)).status_code == 200
    assert (await move(portal, case_id, "triage")).status_code == 409
    clock.move_to(add_months(clock.now, 12))
    assert (await portal.download(doc, user="alice", justification=None)).status_code == 404


async def test_a_colleague_takes_over_by_being_assigned(portal: PortalClient) -> None:
    case_id, doc = await venlo_case(portal, "ZVH-2026-0056")
    assert (await portal.download(doc, user="henk", justification=None)).status_code == 404
    entry = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("henk"))
    assert entry.status_code == 200  # the register entry, to know whom to ask
    no_reason = await portal.http.post(
        f"/api/v1/cases/{case_id}/procesregisseurs",
        json={"user": "henk", "reason": ""},
        headers=portal.auth("alice"),
    )
    assert no_reason.status_code == 400
    assigned = await portal.http.post(
        f"/api/v1/cases/{case_id}/procesregisseurs",
        json={"user": "henk", "reason": "vervanging tijdens verlof"},
        headers=portal.auth("alice"),
    )
    assert assigned.status_code == 201, assigned.text
    assert len(assigned.json()["procesregisseurs"]) == 2
    assert (await portal.download(doc, user="henk", justification=None)).status_code == 200
    [row] = await portal.opened(
        await AuditEvent.select().where(AuditEvent.action == "case:assign").first()
    )
    assert "verlof" in row["reason"]


async def test_grants_refuse_fgs_and_a_second_open_grant(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0051", phase="triage")
    fg = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "grace"}, headers=portal.auth("alice")
    )
    assert fg.status_code == 400  # art. 24.4: the FG supervises, it does not take part
    first = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=portal.auth("alice")
    )
    assert first.status_code == 201
    again = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=portal.auth("alice")
    )
    assert again.status_code == 409
    nobody = await portal.http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "nobody"}, headers=portal.auth("alice")
    )
    assert nobody.status_code == 400


async def test_further_use_is_requested_and_decided_on_record(portal: PortalClient) -> None:
    _, doc = await venlo_case(portal, "ZVH-2026-0052", phase="triage", granted=("bob",))
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
    case_id = await portal.create_case("ZVH-2026-0053")  # Dave reports for the police
    doc = (await portal.upload(case_id, pdf_bytes(), user="dave")).json()["id"]
    await move(portal, case_id, "triage")
    await portal.grant(case_id, "bob")
    approved = await approve(portal, doc, "triage", user="dave")
    assert approved.status_code == 201
    overview = await portal.http.get(
        f"/api/v1/cases/{case_id}/access", headers=portal.auth("alice")
    )
    assert overview.status_code == 200, overview.text
    lines = {line["username"]: line for line in overview.json()}
    assert lines["bob"]["can_download"] is True
    assert lines["bob"]["part"] == "grant"
    assert lines["bob"]["needs_justification"] is True  # a police document (art. 8)
    assert lines["bob"]["loses_access_at_afschaling"] is True
    assert lines["alice"]["loses_access_at_afschaling"] is False
    assert lines["grace"]["can_download"] is False
    assert lines["grace"]["reason"]
    assert lines["jan"]["can_download"] is False  # the uploader's colleague (art. 9.6)
    by_bob = await portal.http.get(f"/api/v1/cases/{case_id}/access", headers=portal.auth("bob"))
    assert by_bob.status_code in (403, 404)
