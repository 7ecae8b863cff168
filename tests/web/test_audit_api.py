"""The audit log through the API: who reads it, what a read leaves, what exports look like.

The cast: Alice the procesregisseur, Dave a police partner who reports the case and
provides, Bob a GGZ deelnemer with nothing granted, Erin the manager, Lisa the ZVH's FG,
Ida the police's FG and Grace the FG of Gemeente Venlo.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from portal.db import audit_log as audit_log_db
from portal.db.tables import AuditEvent
from portal.domain.actions import Action
from portal.domain.audit import AuditEntry
from portal.domain.register import REGISTER
from portal.domain.retention import add_months
from portal.web.dutch import AUDIT_COLUMNS
from tests.web.conftest import MovableClock
from tests.web.portal_client import AANMELDING_METADATA, JUSTIFICATION, PortalClient, pdf_bytes

# Covered by tests against a real server, where a client can really go away mid-stream.
COVERED_BY_LIVE_TESTS = {
    Action.DOCUMENT_UPLOAD_FAILED: "tests/web/test_live_portal.py broken-off upload",
    Action.DOCUMENT_DOWNLOAD_FAILED: "tests/web/test_live_portal.py tampered ciphertext",
    Action.USER_UPDATE: "tests/integration/test_cli.py portal user update",
    Action.TOKEN_REVOKE: "tests/integration/test_cli.py portal token revoke",
    Action.PARTIJ_REGISTER_KEY: "tests/integration/test_cli.py portal partij set-key",
    Action.CASE_DESTROY: "tests/web/test_retention_live.py portal retention sweep",
    # Resumable uploads, each asserted on record in tests/web/test_resumable_uploads_api.py:
    Action.UPLOAD_CREATE: "test_resumable_uploads_api.py admission on record",
    Action.UPLOAD_ACCESS_DENIED: "test_resumable_uploads_api.py another user gets 404",
    Action.UPLOAD_TERMINATE: "test_resumable_uploads_api.py termination",
    Action.UPLOAD_EXPIRE: "test_resumable_uploads_api.py expiry",
    # Legal holds and early destruction, against PostgreSQL and versioned MinIO:
    Action.CASE_HOLD: "tests/web/test_legal_hold_live.py the held case survives",
    Action.CASE_HOLD_DENIED: "tests/web/test_legal_hold_live.py refused holds",
    Action.CASE_RELEASE_HOLD: "tests/web/test_legal_hold_live.py the lift",
    Action.CASE_RELEASE_HOLD_DENIED: "tests/integration/test_legal_holds.py refused lift",
    Action.CASE_DESTROY_EARLY: "tests/web/test_legal_hold_live.py early destruction",
    Action.CASE_DESTROY_EARLY_DENIED: "tests/web/test_legal_hold_live.py refused while held",
    Action.DOCUMENT_REMOVE: "tests/web/test_legal_hold_live.py a provider removes",
    Action.DOCUMENT_REMOVE_DENIED: "tests/web/test_legal_hold_live.py refused removal",
    # The web pages' sign-in, each asserted on record in tests/web/test_sign_in_pages.py:
    Action.AUTH_SIGNIN: "test_sign_in_pages.py each step gets a new session id",
    Action.AUTH_SIGNIN_FAILED: "test_sign_in_pages.py wrong password and unknown name",
    Action.AUTH_LOCK: "test_sign_in_pages.py five failures lock the account",
    Action.AUTH_SIGNOUT: "test_sign_in_pages.py sign-out deletes the session",
    Action.AUTH_TOTP_ENROL: "test_sign_in_pages.py enrolment with a link",
    Action.AUTH_PASSWORD_SET: "test_sign_in_pages.py enrolment with a link",
    Action.AUTH_ENROLMENT_LINK: "test_sign_in_pages.py enrolment with a link",
    Action.AUTH_RECOVERY_CODE: "test_sign_in_pages.py a recovery code signs in once",
    Action.AUTH_CSRF_DENIED: "test_sign_in_pages.py a POST without the CSRF token",
}


async def _records(**where: str) -> list[dict[str, Any]]:
    query = AuditEvent.select().order_by(AuditEvent.seq)
    for name, value in where.items():
        query = query.where(AuditEvent._meta.get_column_by_name(name) == value)
    return list(await query)


async def _document(portal: PortalClient, reference: str) -> tuple[str, str]:
    case_id = await portal.create_case(reference)
    uploaded = await portal.upload(case_id, pdf_bytes(b"verslag " * 100))
    assert uploaded.status_code == 201, uploaded.text
    return case_id, str(uploaded.json()["id"])


async def test_every_user_reads_the_register_of_processing_activities(
    portal: PortalClient,
) -> None:
    response = await portal.http.get("/api/v1/register", headers=portal.auth("bob"))
    assert response.status_code == 200
    entries = response.json()
    assert {entry["id"] for entry in entries} == {str(key) for key in REGISTER}
    for entry in entries:  # art. 24.3 a-h
        for field in (
            "controller",
            "purposes",
            "data_categories",
            "subject_categories",
            "recipients",
            "third_country_transfers",
            "retention",
            "security_measures",
        ):
            assert entry[field], (entry["id"], field)


async def test_every_record_refers_to_a_register_entry(portal: PortalClient) -> None:
    await _document(portal, "ZVH-A-1")
    records = await _records()
    assert records
    assert {r["processing_activity"] for r in records} <= {str(key) for key in REGISTER}


@pytest.mark.parametrize("user", ["alice", "bob", "dave", "frank"])
async def test_only_the_manager_and_the_fg_read_the_log_art_24_4(
    portal: PortalClient, user: str
) -> None:
    response = await portal.http.get("/api/v1/audit", headers=portal.auth(user))
    assert response.status_code == 403
    denied = await _records(action="audit:read:denied")
    assert [r["actor_username"] for r in denied] == [user]
    exported = await portal.http.get("/api/v1/audit/export", headers=portal.auth(user))
    assert exported.status_code == 403
    assert await _records(action="audit:export:denied")


@pytest.mark.parametrize("user", ["erin", "lisa", "ida", "grace"])
async def test_a_read_of_the_log_is_itself_on_record_before_the_answer(
    portal: PortalClient, user: str
) -> None:
    case_id, _ = await _document(portal, f"ZVH-R-{user}")
    response = await portal.http.get(
        "/api/v1/audit", params={"case": case_id}, headers=portal.auth(user)
    )
    assert response.status_code == 200, response.text
    actions = [r["action"] for r in response.json()["records"]]
    # Art. 24.4: the manager and the ZVH's FG read every record; the police's FG those in
    # which the police acts or provides (the upload by Dave, not Alice's registration).
    expected = {"ida": ["document:upload"], "grace": []}.get(
        user, ["case:create", "document:upload"]
    )
    assert actions == expected
    reads = await _records(action="audit:read")
    assert [r["actor_username"] for r in reads] == [user]
    assert case_id in reads[0]["reason"]


async def test_pages_follow_on_from_each_other(portal: PortalClient) -> None:
    for number in range(3):
        await _document(portal, f"ZVH-P-{number}")
    seen: list[int] = []
    after = 0
    while True:
        response = await portal.http.get(
            "/api/v1/audit",
            params={"action": "document:upload", "after": after, "limit": 2},
            headers=portal.auth("erin"),
        )
        page = response.json()
        seen += [r["seq"] for r in page["records"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert len(seen) == 3
    assert seen == sorted(seen)


async def test_exports_as_csv_and_as_logboek_dataverwerkingen_json_lines(
    portal: PortalClient,
) -> None:
    case_id, document_id = await _document(portal, "ZVH-E-1")
    downloaded = await portal.download(document_id)
    assert downloaded.status_code == 200

    as_csv = await portal.http.get(
        "/api/v1/audit/export",
        params={"format": "csv", "case": case_id},
        headers=portal.auth("lisa"),
    )
    assert as_csv.status_code == 200
    text = as_csv.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r["Handeling"] for r in rows][:3] == [
        "case:create",
        "document:upload",
        "document:download",
    ]
    assert rows[2]["Doel"] == "screening"

    as_jsonl = await portal.http.get(
        "/api/v1/audit/export",
        params={"format": "jsonl", "case": case_id},
        headers=portal.auth("ida"),  # the police's FG: its partij provided the document
    )
    spans = [json.loads(line) for line in as_jsonl.text.splitlines()]
    download = next(s for s in spans if s["name"] == "document:download")
    assert set(download) >= {
        "trace_id",
        "span_id",
        "name",
        "status_code",
        "start_time",
        "end_time",
        "attributes",
    }
    assert download["status_code"] == "OK"
    assert download["attributes"]["dpl.core.processing_activity_id"] == "zvh-documentuitwisseling"
    assert len(download["attributes"]["dpl.core.data_subject_id"]) == 64
    assert case_id not in download["attributes"]["dpl.core.data_subject_id"]
    exports = await _records(action="audit:export")
    assert len(exports) == 2
    assert "csv" in exports[0]["reason"]


async def test_issue_10_3_a_justification_is_sealed_in_its_row_and_shown_opened_to_readers(
    portal: PortalClient,
) -> None:
    case_id, document_id = await _document(portal, "ZVH-S-1")
    assert (await portal.download(document_id)).status_code == 200

    [row] = await _records(action="document:download")
    for name in ("reason", "justification", "data_subject_ref"):
        assert str(row[name]).startswith(f"sealed:v1:{case_id}:"), name
    assert JUSTIFICATION not in json.dumps(row, default=str)

    searched = await portal.http.get(
        "/api/v1/audit",
        params={"case": case_id, "action": "document:download"},
        headers=portal.auth("erin"),
    )
    [record] = searched.json()["records"]
    assert record["justification"] == JUSTIFICATION
    assert record["hash"] == row["hash"], "the chain hashes the stored, sealed form"
    as_csv = await portal.http.get(
        "/api/v1/audit/export",
        params={"format": "csv", "case": case_id, "action": "document:download"},
        headers=portal.auth("erin"),
    )
    text = as_csv.content.decode("utf-8-sig")
    [line] = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert line[AUDIT_COLUMNS["justification"]] == JUSTIFICATION
    overview = await portal.http.get(
        "/api/v1/audit/subjects",
        params={"data_subject_id": record["data_subject_ref"]},
        headers=portal.auth("erin"),
    )
    assert overview.json()["recipients"] == [
        portal.partij_ids["Zorg- en Veiligheidshuis Noord-Limburg"]
    ]


async def test_a_providing_partij_gets_the_disclosure_record_of_its_documents_art_8(
    portal: PortalClient,
) -> None:
    _, document_id = await _document(portal, "ZVH-D-1")
    assert (await portal.download(document_id, purpose="screening")).status_code == 200
    assert (await portal.download(document_id, user="bob")).status_code == 404
    police = portal.partij_ids["Politie Eenheid Limburg"]

    response = await portal.http.get(
        f"/api/v1/audit/disclosures/{police}", headers=portal.auth("erin")
    )

    assert response.status_code == 200
    disclosures = response.json()["records"]
    assert [d["action"] for d in disclosures] == ["document:download", "document:download:complete"]
    permit = disclosures[0]
    assert permit["actor_username"] == "alice"
    assert permit["actor_partij_id"] == portal.partij_ids["Zorg- en Veiligheidshuis Noord-Limburg"]
    assert (permit["purpose"], permit["legal_basis"]) == ("screening", "avg_6_1_e")
    assert permit["provider_partij_id"] == police


async def test_the_overview_for_an_inzage_request_art_18_1(portal: PortalClient) -> None:
    case_id, document_id = await _document(portal, "ZVH-I-1")
    assert (await portal.download(document_id)).status_code == 200

    response = await portal.http.get(
        "/api/v1/audit/subjects", params={"case": case_id}, headers=portal.auth("erin")
    )

    assert response.status_code == 200, response.text
    overview = response.json()
    assert overview["purposes"] == ["screening"]
    assert overview["data_categories"] == ["gezondheid", "personalia"]
    assert overview["sources"] == [portal.partij_ids["Politie Eenheid Limburg"]]
    assert overview["recipients"] == [portal.partij_ids["Zorg- en Veiligheidshuis Noord-Limburg"]]
    assert "zvh-documentuitwisseling" in overview["processing_activities"]
    by_pseudonym = await portal.http.get(
        "/api/v1/audit/subjects",
        params={"data_subject_id": overview["data_subject_id"]},
        headers=portal.auth("lisa"),
    )
    assert by_pseudonym.json()["sources"] == overview["sources"]


async def test_a_refused_token_is_on_record_with_the_address_but_never_the_token(
    portal: PortalClient,
) -> None:
    token = "rto_not-a-real-token-4f1d9c"
    response = await portal.http.get(
        "/api/v1/cases", headers={"Authorization": f"Bearer {token}", "User-Agent": "curl/8"}
    )
    assert response.status_code == 401
    failed = await _records(action="auth:login:failed")
    assert len(failed) == 1
    assert failed[0]["client_address"]
    assert failed[0]["user_agent"] == "curl/8"
    assert failed[0]["processing_activity"] == "zvh-toegangsbeheer"
    assert all(token not in str(value) for value in failed[0].values())


async def test_a_successful_authentication_is_not_logged_per_request(portal: PortalClient) -> None:
    before = len(await _records())
    assert (await portal.http.get("/api/v1/cases", headers=portal.auth("alice"))).status_code == 200
    assert len(await _records()) == before


async def test_a_download_whose_audit_record_fails_sends_not_one_byte(
    portal: PortalClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, document_id = await _document(portal, "ZVH-F-1")
    append = audit_log_db.append_audit

    async def failing_for_downloads(entry: AuditEntry) -> int:
        if entry.action is Action.DOCUMENT_DOWNLOAD:
            raise ConnectionError("the database went away")
        return await append(entry)

    monkeypatch.setattr(audit_log_db, "append_audit", failing_for_downloads)

    response = await portal.download(document_id)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert b"verslag" not in response.content
    assert "audit log" in response.json()["detail"]
    actions = {r["action"] for r in await _records(document_id=document_id)}
    assert "document:download:complete" not in actions


async def test_every_action_of_the_portal_appears_in_the_log(
    portal: PortalClient, clock: MovableClock
) -> None:
    """Issue 5, done when: each action is recorded by the code path that performs it."""
    case_id, document_id = await _document(portal, "ZVH-C-1")
    await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": "ZVH-C-2",
            "reported_by": portal.partij_ids["Gemeente Venlo"],
            "aanmelder": "carol",
        },
        headers=portal.auth("dave"),
    )
    await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("bob"))
    await portal.http.get(f"/api/v1/documents/{document_id}", headers=portal.auth("bob"))
    wrong_phase = {**AANMELDING_METADATA, "phase": "triage", "purposes": ["beeldvorming"]}
    await portal.upload(case_id, pdf_bytes(), metadata=wrong_phase)
    await portal.download(document_id)
    await portal.download(document_id, purpose="monitoring")
    await portal.http.get("/api/v1/cases", headers={"Authorization": "Bearer rto_wrong"})
    for user in ("erin", "bob"):
        await portal.http.get("/api/v1/audit", headers=portal.auth(user))
        await portal.http.get("/api/v1/audit/export", headers=portal.auth(user))
    # Figures and destruction reports: only refusals are on record (nothing personal).
    await portal.http.get("/api/v1/figures", headers=portal.auth("bob"))
    await portal.http.get(f"/api/v1/cases/{case_id}/destruction-report", headers=portal.auth("bob"))
    await http_key_actions(portal)
    await _access_actions(portal, clock)

    recorded = {r["action"] for r in await _records()}

    missing = set(Action) - recorded - set(COVERED_BY_LIVE_TESTS)
    assert not missing, f"actions never recorded: {sorted(missing)}"


async def http_key_actions(portal: PortalClient) -> None:
    """Registering one's own OpenPGP key, refused and accepted."""
    keys = Path(__file__).parent.parent / "keys"
    for name in ("sign-only.pub.asc", "bob-encrypting.pub.asc"):
        await portal.http.put(
            "/api/v1/me/openpgp-key",
            json={"public_key": (keys / name).read_text()},
            headers=portal.auth("bob"),
        )


async def _access_actions(portal: PortalClient, clock: MovableClock) -> None:
    """Issue 4's and 9's actions, each permitted and refused once, through the API."""
    http, auth = portal.http, portal.auth
    case_id = await portal.create_case("ZVH-C-3", reported_by="Gemeente Venlo", aanmelder="carol")
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    await http.post(f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=auth("alice"))
    await http.post(
        f"/api/v1/cases/{case_id}/close",
        json={"reason": "elders_belegd", "explanation": "x", "decided_at": clock.now.isoformat()},
        headers=auth("carol"),
    )
    await http.post(
        f"/api/v1/cases/{case_id}/phase", json={"to": "rto", "reason": "x"}, headers=auth("alice")
    )
    await http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": "triage", "reason": "besluit"},
        headers=auth("alice"),
    )
    await portal.grant(case_id, "bob")
    await http.post(
        f"/api/v1/cases/{case_id}/grants", json={"user": "grace"}, headers=auth("alice")
    )
    for reason in ("", "vervanging tijdens verlof"):
        await http.post(
            f"/api/v1/cases/{case_id}/procesregisseurs",
            json={"user": "henk", "reason": reason},
            headers=auth("alice"),
        )
    grants = (await http.get(f"/api/v1/cases/{case_id}/grants", headers=auth("alice"))).json()
    bob_grant = grants[0]["id"]
    await http.post(f"/api/v1/grants/{bob_grant}/revoke", json={"reason": "x"}, headers=auth("bob"))
    await http.get(f"/api/v1/cases/{case_id}/access", headers=auth("alice"))
    await http.get(f"/api/v1/cases/{case_id}/access", headers=auth("carol"))
    consent = {
        "subject_pseudonym": "b-1",
        "scope": "delen",
        "obtained_by": "carol",
        "obtained_at": "2026-01-01T00:00:00Z",
    }
    await http.post("/api/v1/consents", json=consent, headers=auth("erin"))
    consent_id = (await http.post("/api/v1/consents", json=consent, headers=auth("carol"))).json()[
        "id"
    ]
    await http.post(f"/api/v1/consents/{consent_id}/withdraw", json={}, headers=auth("bob"))
    await http.post(f"/api/v1/consents/{consent_id}/withdraw", json={}, headers=auth("carol"))
    asked = await http.post(
        f"/api/v1/documents/{doc}/further-use-requests",
        json={"description": "eigen taak"},
        headers=auth("bob"),
    )
    await http.post(
        f"/api/v1/documents/{doc}/further-use-requests",
        json={"description": "x"},
        headers=auth("carol"),
    )
    request_id = asked.json()["id"]
    for user in ("bob", "carol"):
        await http.post(
            f"/api/v1/further-use-requests/{request_id}/decision",
            json={"approve": True},
            headers=auth(user),
        )
    for user in ("alice", "carol"):
        await http.post(
            f"/api/v1/documents/{doc}/approvals", json={"phase": "triage"}, headers=auth(user)
        )
    await http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={"user": "bob", "reason": "x", "until": "2099-01-01T00:00:00Z"},
        headers=auth("alice"),
    )
    await http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={"to": "rto", "reason": "besluit"},
        headers=auth("alice"),
    )
    await http.post(
        f"/api/v1/cases/{case_id}/phase",
        json={
            "to": "afschaling",
            "reason": "klaar",
            "decided_at": clock.now.isoformat(),
            "handover": {"casusregisseur": "carol", "documents": [doc]},
        },
        headers=auth("alice"),
    )
    decided = clock.now
    clock.move_to(add_months(decided, 7))
    admission = await http.post(
        f"/api/v1/cases/{case_id}/archive-admissions",
        json={
            "user": "bob",
            "reason": "inzage door betrokkene",
            "until": add_months(decided, 11).isoformat(),
        },
        headers=auth("erin"),
    )
    admission_id = admission.json()["id"]
    for user in ("henk", "erin"):
        await http.post(
            f"/api/v1/archive-admissions/{admission_id}/revoke",
            json={"reason": "afgerond"},
            headers=auth(user),
        )
    clock.move_to(decided)
    closed = await portal.create_case("ZVH-C-5", reported_by="Gemeente Venlo", aanmelder="carol")
    await http.post(
        f"/api/v1/cases/{closed}/close",
        json={
            "reason": "niet_toegelaten",
            "explanation": "valt buiten de criteria",
            "decided_at": clock.now.isoformat(),
        },
        headers=auth("alice"),
    )
    other = await portal.create_case("ZVH-C-4", phase="triage", granted=("bob",))
    other_grant = (await http.get(f"/api/v1/cases/{other}/grants", headers=auth("alice"))).json()[
        0
    ]["id"]
    await http.post(
        f"/api/v1/grants/{other_grant}/revoke", json={"reason": "klaar"}, headers=auth("alice")
    )
    partij = portal.partij_ids["Woonwenz"]
    await http.post(f"/api/v1/partijen/{partij}/withdraw", headers=auth("alice"))
    await http.post(f"/api/v1/partijen/{partij}/withdraw", headers=auth("erin"))
