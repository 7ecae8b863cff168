"""Issue "Hardening", point 3: the full list of bad input, one row each.

Every row is answered with a 4xx, a message and a ``code``; nothing is stored (no object,
document, case, grant or assignment is added); and a refusal by a use case is on record.
What the portal answers (status, code; the record, or why there is none):

- exe-elf-as-pdf, exe-pe-as-pdf, html-with-script(-as-pdf), svg-with-script, zero-bytes:
  415 file-type-not-allowed; document:upload:denied
- one-byte-over-the-limit: 413 too-large; document:upload:denied
- name-path-parts-only, name-bidi-only: 400 file-name-not-allowed; document:upload:denied
- name-10000-characters, name-invalid-utf8: 400 malformed-upload; document:upload:denied
- name-nul, name-control-characters: cut from the name, not refused (201), as path parts
  and bidi characters are (``test_documents_api``)
- multipart-no-boundary, -metadata-after-file, -part-without-name: 400 malformed-upload;
  document:upload:denied
- multipart-two-file-parts, multipart-truncated: 400 malformed-upload;
  document:upload:failed (refused once file bytes had arrived)
- upload-to-an-unknown-case: 404 not-found; document:upload:denied
- json-deep: 400 validation-failed; json-huge-body: 413 too-large; number-out-of-range,
  query-repeated, unknown-phase: 400 validation-failed (all refused by the framework
  before any use case runs: no record)
- json-huge-field: 400 text-not-accepted; case:assign:denied
- unknown-purpose: 400 validation-failed; document:download:denied
- unknown-partij: 400 unknown-partij; case:create:denied
- unknown-user, document-of-another-case: 400 unknown-user, documents-not-in-case;
  grant:create:denied
- token-revoked, token-malformed, token-oversized (under the header limit): 401
  not-authenticated; auth:login:failed
- token-missing, token-wrong-scheme: 401 not-authenticated (no token to record)
- header-oversized: 431 headers-too-large (``HeaderLimit``, before the app)

Tokens have no expiry of their own: one ends when it is revoked or replaced (token-revoked).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.db import partijen as partijen_db
from portal.db.tables import AuditEvent, CaseAssignment, Casus, Document, Grant
from portal.services import users
from portal.services.clock import system_clock
from portal.services.demo import load_demo
from portal.settings import load_settings
from portal.web.limits import REPEATABLE_QUERY_PARAMETERS, HeaderLimit
from tests.servers import free_port
from tests.web.conftest import MovableClock
from tests.web.portal_client import AANMELDING_METADATA, PortalClient, pdf_bytes

UPLOAD_LIMIT = 64 * 1024
UNKNOWN_ID = "6f1c2d9e-0000-4000-8000-000000000000"
TRIAGE_METADATA = {**AANMELDING_METADATA, "phase": "triage", "purposes": ["beeldvorming"]}
BOUNDARY = "portal-test-boundary-5c1f"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
ELF = Path("/bin/ls").read_bytes()[:16384]
# A DOS/Windows executable: the MZ header, its pointer to the PE header, and the PE header.
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 4000
)
SCRIPTED_HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n" * 20
SCRIPTED_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>\n"
)


@dataclass(frozen=True, kw_only=True)
class Seeded:
    """A case in triage with Dave's document from aanmelding and Bob granted; another one."""

    portal: PortalClient
    data_dir: Path
    case_id: str
    document_id: str
    other_document_id: str


async def _case_with_document(portal: PortalClient, reference: str) -> tuple[str, str]:
    case_id = await portal.create_case(reference)
    uploaded = await portal.upload(case_id, pdf_bytes())
    assert uploaded.status_code == 201, uploaded.text
    await portal.move(case_id, "triage")
    await portal.grant(case_id, "bob")
    return case_id, str(uploaded.json()["id"])


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[Seeded]:
    """One portal for the whole table, as production serves it: behind the header limit.

    Each row measures what it changed, so the rows can share the app and its cases.
    """
    # Short and outside pytest's tmp tree: the GnuPG home inside must stay under 80 chars.
    data_dir = Path(f"/tmp/portal-bad-{os.getpid()}-{free_port()}")
    clock = MovableClock(system_clock().replace(microsecond=0))
    settings = load_settings(
        {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT)}
    )
    app = HeaderLimit(create_app(settings, clock=clock), max_header_bytes=settings.max_header_bytes)
    try:
        async with AsyncTestClient(app=app, timeout=60) as http:
            demo = await load_demo(clock=clock)
            portal = PortalClient(
                http=http,
                tokens={login.username: login.token for login in demo.logins},
                partij_ids={p.name: str(p.id) for p in await partijen_db.all_partijen()},
            )
            case_id, document_id = await _case_with_document(portal, "ZVH-BAD-1")
            _, other_document_id = await _case_with_document(portal, "ZVH-BAD-2")
            yield Seeded(
                portal=portal,
                data_dir=data_dir,
                case_id=case_id,
                document_id=document_id,
                other_document_id=other_document_id,
            )
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(data_dir / "gnupg"), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


Send = Callable[[Seeded], Awaitable[httpx.Response]]


def part(headers: bytes, content: bytes) -> bytes:
    return b"--" + BOUNDARY.encode() + b"\r\n" + headers + b"\r\n\r\n" + content + b"\r\n"


def file_part(
    content: bytes, *, name: bytes = b"verslag.pdf", content_type: str = "application/pdf"
) -> bytes:
    disposition = b'Content-Disposition: form-data; name="file"; filename="' + name + b'"'
    return part(disposition + f"\r\nContent-Type: {content_type}".encode(), content)


METADATA_PART = part(
    b'Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json',
    json.dumps(TRIAGE_METADATA).encode(),
)
FILE_PART = file_part(pdf_bytes())
NAMELESS_PART = part(
    b'Content-Disposition: form-data; filename="verslag.pdf"\r\nContent-Type: application/pdf',
    pdf_bytes(),
)
END = f"--{BOUNDARY}--\r\n".encode()


def raw_upload(body: bytes, content_type: str = MULTIPART, *, case_id: str | None = None) -> Send:
    async def send(s: Seeded) -> httpx.Response:
        return await s.portal.http.post(
            f"/api/v1/cases/{case_id or s.case_id}/documents",
            content=body,
            headers={**s.portal.auth("dave"), "Content-Type": content_type},
        )

    return send


def upload(
    content: bytes, *, name: str | bytes = "verslag.pdf", content_type: str = "application/pdf"
) -> Send:
    """A well-formed upload of ``content`` named ``name`` (bytes are sent exactly so)."""
    raw = name if isinstance(name, bytes) else name.encode()
    return raw_upload(METADATA_PART + file_part(content, name=raw, content_type=content_type) + END)


def call(
    method: str,
    path: str,
    *,
    user: str | None = "alice",
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Send:
    async def send(s: Seeded) -> httpx.Response:
        url = path.format(case_id=s.case_id, document_id=s.document_id)
        sent = {**(s.portal.auth(user) if user else {}), **(headers or {})}
        return await s.portal.http.request(method, url, headers=sent, **kwargs)

    return send


def with_token(authorization: str) -> Send:
    return call("GET", "/api/v1/cases", user=None, headers={"Authorization": authorization})


def grant(body: Callable[[Seeded], dict[str, Any]]) -> Send:
    async def send(s: Seeded) -> httpx.Response:
        return await s.portal.http.post(
            f"/api/v1/cases/{s.case_id}/grants", json=body(s), headers=s.portal.auth("alice")
        )

    return send


async def revoked_token(s: Seeded) -> httpx.Response:
    """Karin's token, revoked when a new one replaces it (tokens have no expiry)."""
    old = await users.create_token(username="karin", clock=system_clock, label="bad-input")
    await users.create_token(
        username="karin", clock=system_clock, label="bad-input", replace_same_label=True
    )
    return await with_token(f"Bearer {old}")(s)


async def case_of_unknown_partij(s: Seeded) -> httpx.Response:
    return await s.portal.http.post(
        "/api/v1/cases",
        json={"reference": "ZVH-BAD-X", "reported_by": UNKNOWN_ID, "aanmelder": "dave"},
        headers=s.portal.auth("alice"),
    )


@dataclass(frozen=True, kw_only=True)
class Bad:
    send: Send
    status: int
    code: str
    recorded: str | None
    """The refusal's audit action; None where it is refused before any use case runs."""


def refused_upload(send: Send, status: int, code: str) -> Bad:
    return Bad(send=send, status=status, code=code, recorded="document:upload:denied")


NOT_ALLOWED = "file-type-not-allowed"
MALFORMED = "malformed-upload"
BAD_NAME = "file-name-not-allowed"
INVALID = "validation-failed"
NO_TOKEN = "not-authenticated"

ROWS: dict[str, Bad] = {
    "exe-elf-as-pdf": refused_upload(upload(ELF), 415, NOT_ALLOWED),
    "exe-pe-as-pdf": refused_upload(upload(PE), 415, NOT_ALLOWED),
    "html-with-script": refused_upload(
        upload(SCRIPTED_HTML, name="brief.html", content_type="text/html"), 415, NOT_ALLOWED
    ),
    "html-with-script-as-pdf": refused_upload(upload(SCRIPTED_HTML), 415, NOT_ALLOWED),
    "svg-with-script": refused_upload(
        upload(SCRIPTED_SVG, name="logo.svg", content_type="image/svg+xml"), 415, NOT_ALLOWED
    ),
    "zero-bytes": refused_upload(upload(b""), 415, NOT_ALLOWED),
    "one-byte-over-the-limit": refused_upload(
        upload(pdf_bytes(b"x" * (UPLOAD_LIMIT - len(pdf_bytes()) + 1))), 413, "too-large"
    ),
    "name-path-parts-only": refused_upload(upload(pdf_bytes(), name="../../"), 400, BAD_NAME),
    "name-bidi-only": refused_upload(upload(pdf_bytes(), name="\u202e\u2066"), 400, BAD_NAME),
    "name-10000-characters": refused_upload(
        upload(pdf_bytes(), name="a" * 10_000 + ".pdf"), 400, MALFORMED
    ),
    "name-invalid-utf8": refused_upload(
        upload(pdf_bytes(), name=b"verslag\xff\xfe.pdf"), 400, MALFORMED
    ),
    "multipart-no-boundary": refused_upload(
        raw_upload(METADATA_PART + FILE_PART + END, "multipart/form-data"), 400, MALFORMED
    ),
    "multipart-metadata-after-file": refused_upload(
        raw_upload(FILE_PART + METADATA_PART + END), 400, MALFORMED
    ),
    "multipart-two-file-parts": Bad(
        send=raw_upload(METADATA_PART + FILE_PART + FILE_PART + END),
        status=400,
        code=MALFORMED,
        recorded="document:upload:failed",  # refused once the first file's bytes were in
    ),
    "multipart-part-without-name": refused_upload(
        raw_upload(METADATA_PART + NAMELESS_PART + END), 400, MALFORMED
    ),
    "multipart-truncated": Bad(
        send=raw_upload((METADATA_PART + FILE_PART)[:-40]),
        status=400,
        code=MALFORMED,
        recorded="document:upload:failed",
    ),
    "upload-to-an-unknown-case": refused_upload(
        raw_upload(METADATA_PART + FILE_PART + END, case_id=UNKNOWN_ID), 404, "not-found"
    ),
    "json-deep": Bad(
        send=call(
            "POST",
            "/api/v1/cases/{case_id}/grants",
            content=b"[" * 100_000,
            headers={"Content-Type": "application/json"},
        ),
        status=400,
        code=INVALID,
        recorded=None,
    ),
    "json-huge-body": Bad(
        send=call(
            "POST",
            "/api/v1/cases/{case_id}/grants",
            content=b'{"user": "' + b"a" * (11 * 1024 * 1024) + b'"}',
            headers={"Content-Type": "application/json"},
        ),
        status=413,
        code="too-large",
        recorded=None,
    ),
    "json-huge-field": Bad(
        send=call(
            "POST",
            "/api/v1/cases/{case_id}/procesregisseurs",
            json={"user": "henk", "reason": "r" * 1_000_000},
        ),
        status=400,
        code="text-not-accepted",
        recorded="case:assign:denied",
    ),
    "number-out-of-range": Bad(
        send=call("GET", "/api/v1/audit", user="erin", params={"after": str(2**63)}),
        status=400,
        code=INVALID,
        recorded=None,
    ),
    "query-repeated": Bad(
        send=call("GET", "/api/v1/audit", user="erin", params=[("user", "bob"), ("user", "x")]),
        status=400,
        code=INVALID,
        recorded=None,
    ),
    "unknown-purpose": Bad(
        send=call(
            "GET", "/api/v1/documents/{document_id}/content", params={"purpose": "nieuwsgierig"}
        ),
        status=400,
        code=INVALID,
        recorded="document:download:denied",
    ),
    "unknown-phase": Bad(
        send=call(
            "POST", "/api/v1/cases/{case_id}/phase", json={"to": "slotfase", "reason": "besloten"}
        ),
        status=400,
        code=INVALID,
        recorded=None,
    ),
    "unknown-partij": Bad(
        send=case_of_unknown_partij,
        status=400,
        code="unknown-partij",
        recorded="case:create:denied",
    ),
    "unknown-user": Bad(
        send=grant(lambda _: {"user": "niemand"}),
        status=400,
        code="unknown-user",
        recorded="grant:create:denied",
    ),
    "document-of-another-case": Bad(
        send=grant(lambda s: {"user": "karin", "documents": [s.other_document_id]}),
        status=400,
        code="documents-not-in-case",
        recorded="grant:create:denied",
    ),
    "token-revoked": Bad(
        send=revoked_token, status=401, code=NO_TOKEN, recorded="auth:login:failed"
    ),
    "token-malformed": Bad(
        send=with_token("Bearer rto_!!!not-a-token"),
        status=401,
        code=NO_TOKEN,
        recorded="auth:login:failed",
    ),
    "token-oversized": Bad(
        send=with_token("Bearer rto_" + "a" * 7000),
        status=401,
        code=NO_TOKEN,
        recorded="auth:login:failed",
    ),
    "token-missing": Bad(
        send=call("GET", "/api/v1/cases", user=None), status=401, code=NO_TOKEN, recorded=None
    ),
    "token-wrong-scheme": Bad(
        send=with_token("Basic YWxpY2U6Z2VoZWlt"), status=401, code=NO_TOKEN, recorded=None
    ),
    "header-oversized": Bad(
        send=with_token("Bearer rto_" + "a" * 9000),
        status=431,
        code="headers-too-large",
        recorded=None,
    ),
}


async def _stored(data_dir: Path) -> tuple[int, ...]:
    objects = sum(1 for path in (data_dir / "objects").rglob("*") if path.is_file())
    counts = [await table.count() for table in (Document, Casus, Grant, CaseAssignment)]
    return objects, *counts


async def _last_seq() -> int:
    row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    return int(row["seq"]) if row else 0


async def _actions_after(seq: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > seq)
    return [str(row["action"]) for row in rows]


@pytest.mark.parametrize("bad", ROWS.values(), ids=ROWS.keys())
async def test_bad_input_is_refused_with_a_code_stores_nothing_and_is_on_record(
    seeded: Seeded, bad: Bad
) -> None:
    before, seq = await _stored(seeded.data_dir), await _last_seq()
    answer = await bad.send(seeded)
    body = answer.json()
    assert (answer.status_code, body["code"]) == (bad.status, bad.code), answer.text[:500]
    assert body["detail"]
    assert await _stored(seeded.data_dir) == before
    if bad.recorded is not None:
        assert bad.recorded in await _actions_after(seq)


async def test_only_the_list_parameters_may_be_repeated(seeded: Seeded) -> None:
    """The repeatable query parameters are exactly the array-typed ones in the schema."""
    schema = (await seeded.portal.http.get("/schema/openapi.json")).json()
    arrays = {
        parameter["name"]
        for item in schema["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and "array" in json.dumps(parameter["schema"])
    }
    assert arrays == REPEATABLE_QUERY_PARAMETERS
    listed = await seeded.portal.http.get(
        "/api/v1/audit",
        params=[("action", "case:create"), ("action", "grant:create")],
        headers=seeded.portal.auth("erin"),
    )
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        pytest.param("verslag\x00.pdf", "verslag.pdf", id="name-nul"),
        pytest.param("vers\x07lag\x1b[31m.pdf", "verslag[31m.pdf", id="name-control-characters"),
    ],
)
async def test_nul_and_control_characters_are_cut_from_a_file_name(
    seeded: Seeded, name: str, kept: str
) -> None:
    """Like path parts and bidi characters: the name is metadata, kept clean, not refused."""
    answer = await upload(pdf_bytes(), name=name)(seeded)
    assert answer.status_code == 201, answer.text
    assert answer.json()["file_name"] == kept
