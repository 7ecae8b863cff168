"""A small client for the portal's API, used by the web tests against both kinds of server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from crypto import MasterKey
from portal.services.audit import PSEUDONYM_KEY_PURPOSE, AuditLog
from portal.services.audit_sealing import AUDIT_KEY_PURPOSE
from tests.servers.logs import SECRET_MARKER

AANMELDING_METADATA: dict[str, Any] = {
    "phase": "aanmelding",
    "purposes": ["screening"],
    "data_categories": ["personalia", "gezondheid"],
    "legal_basis": "avg_6_1_e",
    "description": "aanmelding door wijkteam",
}

PHASES = ["aanmelding", "triage", "rto", "afschaling"]

# Marked, so the end-of-session scan of the server logs finds it if it leaks there.
JUSTIFICATION = f"{SECRET_MARKER}nodig voor de screening van deze aanmelding"

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def pdf_bytes(body: bytes = b"") -> bytes:
    return PDF_HEAD + body + b"\n%%EOF\n"


def multipart_body(
    metadata: dict[str, Any] | bytes,
    file_name: str,
    content: bytes,
    content_type: str | None,
    *,
    boundary: str = "portal-test-boundary-5c1f",
) -> tuple[bytes, str]:
    """An upload body built by hand, so tests control every byte and header."""
    meta = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    type_line = f"Content-Type: {content_type}\r\n" if content_type else ""
    head = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="metadata"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + meta
        + (
            f"\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            f"{type_line}\r\n"
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + content + tail, f"multipart/form-data; boundary={boundary}"


def multipart_stream(
    metadata: dict[str, Any],
    file_name: str,
    chunks: Iterable[bytes],
    content_type: str,
    *,
    boundary: str = "portal-test-boundary-5c1f",
) -> tuple[Iterable[bytes], str]:
    """A streamed upload body: the file's chunks are produced lazily, never held whole."""
    head, header = multipart_body(metadata, file_name, b"", content_type, boundary=boundary)
    closing = f"\r\n--{boundary}--\r\n".encode()
    opening = head[: -len(closing)]

    def body() -> Iterable[bytes]:
        yield opening
        yield from chunks
        yield closing

    return body(), header


def audit_reader(data_dir: Path) -> AuditLog:
    """The audit log as the portal in ``data_dir`` builds it: it opens the sealed fields."""
    master = MasterKey.load(data_dir / "master.key")
    return AuditLog(
        pseudonym_key=master.key_for(PSEUDONYM_KEY_PURPOSE),
        sealing_key=master.key_for(AUDIT_KEY_PURPOSE),
    )


async def opened_rows(data_dir: Path, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``audit_event`` rows as a reader with the right sees them: personal fields opened."""
    return [dict(row) for row in await audit_reader(data_dir).opened_columns(list(rows))]


@dataclass
class PortalClient:
    http: httpx.AsyncClient
    tokens: dict[str, str]
    partij_ids: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None

    async def opened(self, *rows: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        """Audit rows read straight from the table, their sealed fields opened."""
        assert self.data_dir is not None, "the portal fixture names its data directory"
        assert all(row is not None for row in rows), "no such audit record"
        return await opened_rows(self.data_dir, [row for row in rows if row is not None])

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    async def create_case(
        self,
        reference: str,
        *,
        reported_by: str = "Politie Eenheid Limburg",
        aanmelder: str = "dave",
        granted: tuple[str, ...] = (),
        phase: str = "aanmelding",
    ) -> str:
        """A new case registered by Alice, reported by ``aanmelder`` (Dave of the police, who
        provides in most tests), moved on to ``phase`` and with access granted to
        ``granted`` there (grants start at triage, art. 1.19)."""
        response = await self.http.post(
            "/api/v1/cases",
            json={
                "reference": reference,
                "reported_by": self.partij_ids[reported_by],
                "aanmelder": aanmelder,
            },
            headers=self.auth("alice"),
        )
        assert response.status_code == 201, response.text
        case_id = str(response.json()["id"])
        for step in PHASES[1 : PHASES.index(phase) + 1]:
            await self.move(case_id, step)
        for user in granted:
            await self.grant(case_id, user)
        return case_id

    async def move(self, case_id: str, to: str, **extra: object) -> httpx.Response:
        response = await self.http.post(
            f"/api/v1/cases/{case_id}/phase",
            json={"to": to, "reason": "besloten in het overleg", **extra},
            headers=self.auth("alice"),
        )
        assert response.status_code == 201, response.text
        return response

    async def grant(self, case_id: str, user: str) -> str:
        response = await self.http.post(
            f"/api/v1/cases/{case_id}/grants", json={"user": user}, headers=self.auth("alice")
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def upload(
        self,
        case_id: str,
        content: bytes,
        *,
        user: str = "dave",
        file_name: str = "verslag.pdf",
        content_type: str | None = "application/pdf",
        metadata: dict[str, Any] | bytes | None = None,
    ) -> httpx.Response:
        body, header = multipart_body(
            AANMELDING_METADATA if metadata is None else metadata, file_name, content, content_type
        )
        return await self.http.post(
            f"/api/v1/cases/{case_id}/documents",
            content=body,
            headers={**self.auth(user), "Content-Type": header},
        )

    async def download(
        self,
        document_id: str,
        *,
        user: str = "alice",
        purpose: str = "screening",
        justification: str | None = JUSTIFICATION,
        **params: str,
    ) -> httpx.Response:
        """Without a justification a GET with the purpose in the query; with one a POST
        with everything in a JSON body (a justification never goes in a URL)."""
        path = f"/api/v1/documents/{document_id}/content"
        if justification is None:
            query = {"purpose": purpose, **params}
            return await self.http.get(path, params=query, headers=self.auth(user))
        body = {"purpose": purpose, "justification": justification, **params}
        return await self.http.post(path, json=body, headers=self.auth(user))


async def aiter_bytes(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
