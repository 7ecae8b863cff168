"""Documents through the API, in process on the embedded default (SQLite, local store).

The cast: Alice the procesregisseur; Dave, a partner at the police, who provides; Bob, a
deelnemer at a GGZ institution, with nothing granted yet.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from portal.db.tables import AuditEvent, Document
from tests.web.portal_client import (
    AANMELDING_METADATA,
    JUSTIFICATION,
    PortalClient,
    multipart_body,
    pdf_bytes,
)

MARKER = b"marker-9d41c0-bsn-123456782"


async def _documents_in_store(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "objects").rglob("*") if p.is_file()]


async def _actions() -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq)
    return [row["action"] for row in rows]


async def test_a_document_goes_in_and_comes_out_identical(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0001")
    content = pdf_bytes(b"verslag huisbezoek " * 2000)

    uploaded = await portal.upload(case_id, content)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content)
    assert document["media_type"] == "application/pdf"

    downloaded = await portal.download(document["id"])
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == content
    assert downloaded.headers["content-length"] == str(len(content))
    assert downloaded.headers["x-content-sha256"] == document["sha256"]
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert downloaded.headers["content-type"].startswith("application/pdf")


async def test_the_store_holds_no_plaintext(portal: PortalClient, data_dir: Path) -> None:
    case_id = await portal.create_case("ZVH-2026-0002")
    uploaded = await portal.upload(case_id, pdf_bytes(MARKER * 500))
    assert uploaded.status_code == 201
    stored = await _documents_in_store(data_dir)
    assert len(stored) == 1
    assert MARKER not in stored[0].read_bytes()
    assert b"verslag.pdf" not in stored[0].read_bytes()
    assert stored[0].name == f"{uploaded.json()['id']}.pgp"


async def test_unauthenticated_calls_get_401(portal: PortalClient) -> None:
    response = await portal.http.get("/api/v1/cases")
    assert response.status_code == 401
    bad = await portal.http.get("/api/v1/cases", headers={"Authorization": "Bearer rto_nope"})
    assert bad.status_code == 401


async def test_only_a_procesregisseur_registers_cases(portal: PortalClient) -> None:
    response = await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": "ZVH-X",
            "reported_by": portal.partij_ids["Gemeente Venlo"],
            "aanmelder": "carol",
        },
        headers=portal.auth("dave"),
    )
    assert response.status_code == 403
    assert "procesregisseur" in response.json()["detail"]
    assert "case:create:denied" in await _actions()


async def test_a_case_reference_is_unique(portal: PortalClient) -> None:
    await portal.create_case("ZVH-2026-0003")
    again = await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": "ZVH-2026-0003",
            "reported_by": portal.partij_ids["Gemeente Venlo"],
            "aanmelder": "carol",
        },
        headers=portal.auth("alice"),
    )
    assert again.status_code == 409


async def test_cases_are_listed_only_to_those_with_a_part_in_them(portal: PortalClient) -> None:
    case_id = await portal.create_case(
        "ZVH-2026-0004", reported_by="Gemeente Venlo", aanmelder="carol"
    )
    alice = (await portal.http.get("/api/v1/cases", headers=portal.auth("alice"))).json()
    carol = (await portal.http.get("/api/v1/cases", headers=portal.auth("carol"))).json()
    bob = (await portal.http.get("/api/v1/cases", headers=portal.auth("bob"))).json()
    grace = (await portal.http.get("/api/v1/cases", headers=portal.auth("grace"))).json()
    assert [c["id"] for c in alice] == [case_id]
    assert [c["id"] for c in carol] == [case_id]  # carol reported it for her partij
    assert bob == []
    assert grace == []  # the FG of carol's partij has no part in the case (art. 9.6, 24.4)
    hidden = await portal.http.get(f"/api/v1/cases/{case_id}", headers=portal.auth("bob"))
    assert hidden.status_code == 404


async def test_metadata_of_a_document_and_of_a_case(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0005")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    one = await portal.http.get(f"/api/v1/documents/{document['id']}", headers=portal.auth("dave"))
    assert one.status_code == 200
    assert one.json() == document
    listed = await portal.http.get(
        f"/api/v1/cases/{case_id}/documents", headers=portal.auth("alice")
    )
    assert [d["id"] for d in listed.json()] == [document["id"]]


async def test_another_partijs_document_is_answered_as_not_found(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0006")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    for path in (
        f"/api/v1/documents/{document['id']}",
        f"/api/v1/documents/{document['id']}/content?purpose=screening",
    ):
        response = await portal.http.get(path, headers=portal.auth("bob"))
        assert response.status_code == 404
    assert (await _actions()).count("document:read:denied") == 1
    assert "document:download:denied" in await _actions()


async def test_a_download_names_an_allowed_purpose(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0007")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    wrong = await portal.download(document["id"], purpose="monitoring")
    assert wrong.status_code == 403
    assert "monitoring" in wrong.json()["detail"]
    unknown = await portal.download(document["id"], purpose="nieuwsgierigheid")
    assert unknown.status_code == 400


async def test_every_download_attempt_is_on_record_with_purpose(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0008")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    await portal.download(document["id"])
    await portal.download(document["id"], purpose="monitoring")
    rows = (
        await AuditEvent.select()
        .where(AuditEvent.document_id == document["id"])
        .order_by(AuditEvent.seq)
    )
    actions = [(row["action"], row["outcome"], row["purpose"]) for row in rows]
    assert actions == [
        ("document:upload", "success", None),
        ("document:download", "permit", "screening"),
        ("document:download:complete", "success", "screening"),
        ("document:download:denied", "deny", "monitoring"),
    ]
    permit = rows[1]
    assert permit["actor_username"] == "alice"
    assert permit["case_id"] == case_id
    assert permit["document_sha256"] == document["sha256"]
    assert permit["trace_id"]
    assert permit["started_at"]


async def test_a_traceparent_header_is_carried_into_the_record(portal: PortalClient) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = await portal.http.get(
        "/api/v1/cases",
        headers={**portal.auth("alice"), "traceparent": f"00-{trace}-00f067aa0ba902b7-01"},
    )
    assert response.status_code == 200
    case_id = await portal.create_case("ZVH-2026-0009")
    document = (await portal.upload(case_id, pdf_bytes())).json()
    await portal.http.post(
        f"/api/v1/documents/{document['id']}/content",
        json={"purpose": "screening", "justification": JUSTIFICATION},
        headers={**portal.auth("alice"), "traceparent": f"00-{trace}-00f067aa0ba902b7-01"},
    )
    row = await AuditEvent.select().where(AuditEvent.action == "document:download").first()
    assert row is not None
    assert row["trace_id"] == trace


# --- what is refused at upload ------------------------------------------------------------

ELF = Path("/bin/ls").read_bytes()[:16384]


@pytest.mark.parametrize(
    ("file_name", "content", "content_type", "status", "message"),
    [
        pytest.param(
            "tool.pdf", ELF, "application/pdf", 415, "application/x-sharedlib", id="executable"
        ),
        pytest.param(
            "page.html",
            b"<!DOCTYPE html><html><body><script>x()</script></body></html>\n" * 20,
            "text/html",
            415,
            "text/html",
            id="html",
        ),
        pytest.param(
            "logo.svg",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>\n',
            "image/svg+xml",
            415,
            "image/svg+xml",
            id="svg",
        ),
        pytest.param(
            "stukken.zip",
            b"PK\x05\x06" + b"\x00" * 18,
            "application/zip",
            415,
            "application/zip",
            id="archive",
        ),
        pytest.param(
            "brief.pdf",
            b"gewone tekst en geen pdf\n" * 10,
            "application/pdf",
            415,
            "text/plain",
            id="declared-pdf-is-text",
        ),
        pytest.param(
            "brief.docx", pdf_bytes(), "application/pdf", 415, ".docx", id="extension-disagrees"
        ),
        pytest.param(
            "brief.pdf",
            pdf_bytes(),
            "application/octet-stream",
            415,
            "Content-Type",
            id="type-not-declared",
        ),
        pytest.param("leeg.pdf", b"", "application/pdf", 415, "empty", id="empty-file"),
    ],
)
async def test_refused_types_get_415_and_nothing_is_stored(
    portal: PortalClient,
    data_dir: Path,
    file_name: str,
    content: bytes,
    content_type: str,
    status: int,
    message: str,
) -> None:
    case_id = await portal.create_case("ZVH-2026-0100")
    response = await portal.upload(case_id, content, file_name=file_name, content_type=content_type)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert response.json()["code"] == "file-type-not-allowed"
    assert await Document.count() == 0
    assert await _documents_in_store(data_dir) == []
    assert (await _actions())[-1] == "document:upload:denied"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        pytest.param("../../etc/verslag.pdf", "verslag.pdf", id="path-traversal"),
        pytest.param("C:\\Users\\wijkteam\\verslag.pdf", "verslag.pdf", id="windows-path"),
        pytest.param("rapport\u202efdp.pdf", "rapportfdp.pdf", id="bidi-override"),
        pytest.param("  .verborgen.pdf", "verborgen.pdf", id="hidden-file"),
    ],
)
async def test_file_names_are_kept_only_as_clean_metadata(
    portal: PortalClient, raw: str, kept: str
) -> None:
    case_id = await portal.create_case("ZVH-2026-0101")
    response = await portal.upload(case_id, pdf_bytes(), file_name=raw)
    assert response.status_code == 201, response.text
    assert response.json()["file_name"] == kept
    download = await portal.download(response.json()["id"])
    assert "/" not in download.headers["content-disposition"].split("filename*=")[0]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        pytest.param(
            {**AANMELDING_METADATA, "phase": "rto"}, "phase aanmelding", id="not-the-current-phase"
        ),
        pytest.param(
            {**AANMELDING_METADATA, "purposes": ["monitoring"]},
            "do not belong to phase",
            id="purpose-of-another-phase",
        ),
        pytest.param(
            {**AANMELDING_METADATA, "purposes": []}, "at least one purpose", id="no-purpose"
        ),
        pytest.param(
            {**AANMELDING_METADATA, "legal_basis": "toestemming"},
            "consent_id",
            id="consent-basis-without-record",
        ),
        pytest.param(
            {**AANMELDING_METADATA, "purposes": ["roddel"]}, "metadata", id="unknown-purpose-code"
        ),
        pytest.param({**AANMELDING_METADATA, "bsn": "123"}, "metadata", id="unknown-field"),
        pytest.param(b"{not json", "JSON", id="not-json"),
    ],
)
async def test_bad_metadata_is_refused_with_a_clear_message(
    portal: PortalClient, data_dir: Path, metadata: dict[str, object] | bytes, message: str
) -> None:
    case_id = await portal.create_case("ZVH-2026-0102")
    response = await portal.upload(case_id, pdf_bytes(), metadata=metadata)
    assert response.status_code in (400, 403), response.text
    assert message in response.json()["detail"]
    assert await Document.count() == 0
    assert await _documents_in_store(data_dir) == []


async def test_an_upload_that_is_not_multipart_is_refused(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0103")
    response = await portal.http.post(
        f"/api/v1/cases/{case_id}/documents",
        content=pdf_bytes(),
        headers={**portal.auth("dave"), "Content-Type": "application/pdf"},
    )
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["detail"]
    assert (await _actions())[-1] == "document:upload:denied"  # a refusal, on record


async def test_a_truncated_multipart_upload_is_refused_on_record(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-2026-0108")
    body, header = multipart_body(
        AANMELDING_METADATA, "verslag.pdf", pdf_bytes(), "application/pdf"
    )
    response = await portal.http.post(
        f"/api/v1/cases/{case_id}/documents",
        content=body[: len(body) // 3],
        headers={**portal.auth("dave"), "Content-Type": header},
    )
    assert response.status_code == 400
    assert await Document.count() == 0
    assert (await _actions())[-1] == "document:upload:denied"


async def test_an_upload_to_an_unknown_case_is_404(portal: PortalClient) -> None:
    response = await portal.upload("6f1c2d9e-0000-4000-8000-000000000000", pdf_bytes())
    assert response.status_code == 404


@pytest.mark.parametrize("upload_limit", [64 * 1024])
async def test_past_the_size_limit_is_413_and_nothing_is_stored(
    portal: PortalClient, data_dir: Path, upload_limit: int
) -> None:
    case_id = await portal.create_case("ZVH-2026-0104")
    response = await portal.upload(case_id, pdf_bytes(b"x" * (upload_limit + 1)))
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "too-large"
    assert await Document.count() == 0
    assert (await _actions())[-1] == "document:upload:denied"
    assert await _documents_in_store(data_dir) == []
    at_limit = await portal.upload(case_id, pdf_bytes(b"x" * (upload_limit - 200)))
    assert at_limit.status_code == 201


async def test_the_openapi_document_describes_every_route(portal: PortalClient) -> None:
    schema = (await portal.http.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/cases", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases/{case_id}", "get"),
        ("/api/v1/cases/{case_id}/documents", "post"),
        ("/api/v1/cases/{case_id}/documents", "get"),
        ("/api/v1/documents/{document_id}", "get"),
        ("/api/v1/documents/{document_id}/content", "get"),
        ("/health/ready", "get"),
    ]:
        assert method in paths[path], f"{method.upper()} {path} undocumented"
    upload = paths["/api/v1/cases/{case_id}/documents"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["required"]) == {"metadata", "file"}
    content = paths["/api/v1/documents/{document_id}/content"]["get"]
    assert {p["name"] for p in content["parameters"]} >= {"purpose", "delivery", "document_id"}
    assert json.dumps(schema)  # serialisable as a whole
