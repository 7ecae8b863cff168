"""The portal's API as the live tests use it: cases, grants, uploads, downloads, records.

Every justification and reason sent through here is made with ``secret``, so the scan of
the server logs at the end of the session recognises it if it leaks (tests/servers/logs.py).
"""

from __future__ import annotations

import asyncio
import secrets as token_bytes
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from portal.db.tables import AuditEvent
from tests.servers.logs import secret
from tests.web.live import LivePortal
from tests.web.portal_client import PDF_HEAD, multipart_body, opened_rows

ZVH = "Zorg- en Veiligheidshuis Noord-Limburg"

AANMELDING_UPLOAD: dict[str, Any] = {
    "phase": "aanmelding",
    "purposes": ["screening"],
    "data_categories": ["personalia", "woonsituatie"],
    "legal_basis": "avg_6_1_e",
    "description": "aanmelding door de gemeente",
}
TRIAGE_UPLOAD: dict[str, Any] = {
    "phase": "triage",
    "purposes": ["beeldvorming"],
    "data_categories": ["personalia", "woonsituatie"],
    "legal_basis": "avg_6_1_e",
    "description": "informatie voor de triage",
}
RTO_UPLOAD: dict[str, Any] = {
    "phase": "rto",
    "purposes": ["toestandsbeeld"],
    "data_categories": ["personalia", "woonsituatie"],
    "legal_basis": "avg_6_1_e",
    "description": "voor het gezamenlijk toestandsbeeld",
}
POLICE_REPORT: dict[str, Any] = {
    "phase": "rto",
    "purposes": ["toestandsbeeld"],
    "data_categories": ["personalia", "politie_wpg_8_13", "strafrechtelijk"],
    "legal_basis": "wpg_art_20",
    "description": "proces-verbaal, politiegegevens art. 8 en 13 Wpg",
}
PURPOSE_OF_PHASE = {"aanmelding": "screening", "triage": "beeldvorming", "rto": "toestandsbeeld"}


def traceparent() -> tuple[str, str]:
    """A W3C traceparent header and its trace id: the server records the caller's trace."""
    trace_id = token_bytes.token_hex(16)
    return f"00-{trace_id}-{token_bytes.token_hex(8)}-01", trace_id


@dataclass
class LiveApi:
    live: LivePortal
    http: httpx.Client

    def auth(self, user: str) -> dict[str, str]:
        return self.live.auth(user)

    def psql(self, sql: str, **variables: str) -> str:
        """``sql`` on the server's database; ``:'name'`` takes a variable (psql quotes it)."""
        argv = ["psql", self.live.database_url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            argv += ["-v", f"{name}={value}"]
        # psql interpolates :'name' only in what it reads, not in a -c command: use stdin.
        completed = subprocess.run(argv, input=sql, capture_output=True, text=True, check=True)
        return completed.stdout.strip()

    def partij_id(self, name: str) -> str:
        return self.psql("SELECT id FROM partij WHERE name = :'name';\n", name=name)

    # Cases -------------------------------------------------------------------------------

    def register_case(
        self, *, reported_by: str, aanmelder: str, by: str = "alice"
    ) -> dict[str, Any]:
        body = {
            "reference": f"NTK-{time.time_ns()}",
            "reported_by": self.partij_id(reported_by),
            "aanmelder": aanmelder,
        }
        response = self.http.post("/api/v1/cases", json=body, headers=self.auth(by))
        assert response.status_code == 201, response.text
        case: dict[str, Any] = response.json()
        return case

    def move(
        self,
        case_id: str,
        to: str,
        *,
        by: str = "alice",
        decided_at: datetime | None = None,
        handover: dict[str, Any] | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"to": to, "reason": secret(f"fase-{to}")}
        if decided_at is not None:
            body["decided_at"] = decided_at.isoformat()
        if handover is not None:
            body["handover"] = handover
        return self.http.post(f"/api/v1/cases/{case_id}/phase", json=body, headers=self.auth(by))

    def move_through(self, case_id: str, *phases: str, by: str = "alice") -> None:
        for phase in phases:
            response = self.move(case_id, phase, by=by)
            assert response.status_code in {200, 201}, response.text

    def case(self, case_id: str, *, user: str) -> httpx.Response:
        return self.http.get(f"/api/v1/cases/{case_id}", headers=self.auth(user))

    def listed_case_ids(self, user: str) -> set[str]:
        response = self.http.get("/api/v1/cases", headers=self.auth(user))
        assert response.status_code == 200, response.text
        return {str(case["id"]) for case in response.json()}

    def case_documents(self, case_id: str, *, user: str) -> httpx.Response:
        return self.http.get(f"/api/v1/cases/{case_id}/documents", headers=self.auth(user))

    # Grants ------------------------------------------------------------------------------

    def grant(self, case_id: str, user: str, *, by: str = "alice") -> httpx.Response:
        return self.http.post(
            f"/api/v1/cases/{case_id}/grants", json={"user": user}, headers=self.auth(by)
        )

    def granted(self, case_id: str, user: str, *, by: str = "alice") -> str:
        response = self.grant(case_id, user, by=by)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def revoke(self, grant_id: str, *, by: str = "alice") -> httpx.Response:
        return self.http.post(
            f"/api/v1/grants/{grant_id}/revoke",
            json={"reason": secret("intrekking")},
            headers=self.auth(by),
        )

    # Documents ---------------------------------------------------------------------------

    def upload(
        self,
        case_id: str,
        *,
        user: str,
        metadata: dict[str, Any],
        file_name: str = "verslag.pdf",
        content: bytes = PDF_HEAD + b"inhoud\n%%EOF\n",
    ) -> httpx.Response:
        body, header = multipart_body(metadata, file_name, content, "application/pdf")
        return self.http.post(
            f"/api/v1/cases/{case_id}/documents",
            content=body,
            headers={**self.auth(user), "Content-Type": header},
        )

    def uploaded(self, case_id: str, *, user: str, metadata: dict[str, Any], **kw: Any) -> str:
        response = self.upload(case_id, user=user, metadata=metadata, **kw)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def document(self, document_id: str, *, user: str) -> httpx.Response:
        return self.http.get(f"/api/v1/documents/{document_id}", headers=self.auth(user))

    def download(
        self,
        document_id: str,
        *,
        user: str,
        purpose: str,
        justification: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A download; with a justification it goes in the body, never the URL (issue #9)."""
        url = f"/api/v1/documents/{document_id}/content"
        all_headers = {**self.auth(user), **(headers or {})}
        if justification is None:
            return self.http.get(url, params={"purpose": purpose}, headers=all_headers)
        return self.http.post(
            url, json={"purpose": purpose, "justification": justification}, headers=all_headers
        )


# The audit log ---------------------------------------------------------------------------


async def audit_records(live: LivePortal, *, after: int = 0, **equal: str) -> list[dict[str, Any]]:
    """The records after seq ``after`` whose columns equal ``equal``, oldest first, their
    sealed fields opened as a reader with the right sees them (compare no sealed column)."""
    async with live.database():
        query = AuditEvent.select().where(AuditEvent.seq > after)
        for column, value in equal.items():
            query = query.where(getattr(AuditEvent, column) == value)
        rows: list[dict[str, Any]] = await query.order_by(AuditEvent.seq)
        return await opened_rows(live.data_dir, rows)


async def last_seq(live: LivePortal) -> int:
    async with live.database():
        row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False)
        return int(row[0]["seq"]) if row else 0


async def awaited_records(
    live: LivePortal, *, within: float = 15, after: int = 0, **equal: str
) -> list[dict[str, Any]]:
    """As ``audit_records``, waiting for one: a download's ending is written after the body."""
    deadline = time.monotonic() + within
    while True:
        rows = await audit_records(live, after=after, **equal)
        if rows or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.2)


async def refusals(live: LivePortal, *, after: int, actor: str, **equal: str) -> list[str]:
    """The actions of ``actor``'s refusals on record since ``after``."""
    rows = await audit_records(live, after=after, actor_username=actor, outcome="deny", **equal)
    return [str(row["action"]) for row in rows]
