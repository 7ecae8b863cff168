"""The case page (issue "The web portal in Dutch", point 3): a participant sees the case,
their grant and the documents they may see, and downloads one through the same use case
as the API, with the purpose and justification in the form's body, never in a URL.

The cast: Alice the procesregisseur registers a case Carol (Gemeente Venlo) reported,
grants Bob (GGZ) and Dave (police) in the RTO; Alice provides a document, Dave a police
report.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.db import partijen as partijen_db
from portal.db.tables import AuditEvent
from portal.domain.actions import Action
from portal.domain.refusal_codes import RefusalCode
from portal.web.dutch import REFUSALS
from tests.web.conftest import MovableClock
from tests.web.live_api import POLICE_REPORT, RTO_UPLOAD
from tests.web.portal_client import JUSTIFICATION, PortalClient, pdf_bytes
from tests.web.test_sign_in_pages import Site, csrf_of, open_site, sign_in

REPORT = pdf_bytes(b"het toestandsbeeld van de GGZ")
POLICE = pdf_bytes(b"proces-verbaal")
ACTION = re.compile(r'<form[^>]*action="([^"]*)"')


@dataclass
class CasePages:
    site: Site
    api: PortalClient
    case_id: str
    report_id: str
    police_id: str


async def _uploaded(api: PortalClient, case_id: str, content: bytes, **kw: object) -> str:
    response = await api.upload(case_id, content, **kw)  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
async def case_pages(data_dir: Path, clock: MovableClock) -> AsyncIterator[CasePages]:
    async for site in open_site(data_dir, clock):
        partijen = {p.name: str(p.id) for p in await partijen_db.all_partijen()}
        api = PortalClient(http=site.http, tokens=site.tokens, partij_ids=partijen)
        case_id = await api.create_case(
            "CP-1", reported_by="Gemeente Venlo", aanmelder="carol", phase="triage"
        )
        for user in ("bob", "dave"):
            await api.grant(case_id, user)
        await api.move(case_id, "rto")
        report = await _uploaded(
            api, case_id, REPORT, user="alice", metadata=RTO_UPLOAD, file_name="beeld.pdf"
        )
        police = await _uploaded(
            api, case_id, POLICE, user="dave", metadata=POLICE_REPORT, file_name="pv.pdf"
        )
        await sign_in(site, "bob")
        yield CasePages(site, api, case_id, report, police)


def _download_path(pages: CasePages, document_id: str) -> str:
    return f"/casussen/{pages.case_id}/documenten/{document_id}/downloaden"


async def test_the_case_page_lists_what_the_api_lists_for_the_user(case_pages: CasePages) -> None:
    http = case_pages.site.http
    listed = await http.get(
        f"/api/v1/cases/{case_pages.case_id}/documents", headers=case_pages.api.auth("bob")
    )
    assert listed.status_code == 200, listed.text
    start = await http.get("/")
    assert f'href="/casussen/{case_pages.case_id}"' in start.text

    page = await http.get(f"/casussen/{case_pages.case_id}")

    assert page.status_code == 200, page.text
    assert '<h1 class="utrecht-heading-1">Casus CP-1</h1>' in page.text
    assert "Ronde Tafel Overleg (RTO)" in page.text
    assert "U heeft toegang tot deze casus" in page.text
    assert "Een gezamenlijk beeld van de situatie maken" in page.text
    api_ids = {str(document["id"]) for document in listed.json()}
    assert api_ids == {case_pages.report_id, case_pages.police_id}
    shown = {
        action.rsplit("/", 2)[-2]
        for action in ACTION.findall(page.text)
        if "/documenten/" in action
    }
    assert shown == api_ids
    for document in listed.json():
        assert html.escape(document["file_name"]) in page.text
    assert "<script" not in page.text
    assert " style=" not in page.text


async def test_a_case_the_user_has_no_part_in_answers_a_dutch_404(case_pages: CasePages) -> None:
    other = await case_pages.api.create_case(
        "CP-2", reported_by="Gemeente Venlo", aanmelder="carol", phase="triage"
    )
    page = await case_pages.site.http.get(f"/casussen/{other}")
    assert page.status_code == 404
    assert "Niet gevonden" in page.text
    assert "CP-2" not in page.text


async def test_a_download_streams_the_file_as_an_attachment(case_pages: CasePages) -> None:
    http = case_pages.site.http
    page = await http.get(f"/casussen/{case_pages.case_id}")
    answer = await http.post(
        _download_path(case_pages, case_pages.report_id),
        data={"csrf_token": csrf_of(page), "purpose": "toestandsbeeld", "justification": ""},
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == REPORT
    assert answer.headers["content-disposition"].startswith('attachment; filename="beeld.pdf"')
    assert answer.headers["cache-control"] == "no-store"
    done = await AuditEvent.select().where(AuditEvent.action == Action.DOCUMENT_DOWNLOAD_COMPLETE)
    assert [row["actor_username"] for row in done] == ["bob"]


async def test_a_download_without_the_csrf_token_is_refused(case_pages: CasePages) -> None:
    answer = await case_pages.site.http.post(
        _download_path(case_pages, case_pages.report_id), data={"purpose": "toestandsbeeld"}
    )
    assert answer.status_code == 403
    assert "Verzoek geweigerd" in answer.text
    assert REPORT not in answer.content
    permits = await AuditEvent.select().where(AuditEvent.action == Action.DOCUMENT_DOWNLOAD)
    assert permits == []


async def test_a_refused_download_shows_the_dutch_text_of_its_code(case_pages: CasePages) -> None:
    http = case_pages.site.http
    page = await http.get(f"/casussen/{case_pages.case_id}")
    answer = await http.post(
        _download_path(case_pages, case_pages.police_id),
        data={"csrf_token": csrf_of(page), "purpose": "toestandsbeeld", "justification": " "},
    )
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    text = REFUSALS[RefusalCode.JUSTIFICATION_REQUIRED]
    assert 'role="alert"' in answer.text
    assert html.escape(text.explanation) in answer.text
    assert html.escape(text.whom_to_contact) in answer.text
    assert "justification" not in answer.text.replace('name="justification"', "")
    denied = await AuditEvent.select().where(AuditEvent.action == Action.DOCUMENT_DOWNLOAD_DENIED)
    assert [row["actor_username"] for row in denied] == ["bob"]


async def test_a_justification_never_appears_in_any_url(case_pages: CasePages) -> None:
    http = case_pages.site.http
    seen: list[str] = []

    async def remember(request: object) -> None:
        seen.append(str(getattr(request, "url", "")))

    http.event_hooks["request"].append(remember)
    page = await http.get(f"/casussen/{case_pages.case_id}")
    assert all("?" not in action for action in ACTION.findall(page.text))
    assert 'method="get"' not in page.text
    answer = await http.post(
        _download_path(case_pages, case_pages.police_id),
        data={
            "csrf_token": csrf_of(page),
            "purpose": "toestandsbeeld",
            "justification": JUSTIFICATION,
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == POLICE
    # The download route takes no GET: a form sent as a query string goes nowhere.
    sent_as_query = await http.get(
        _download_path(case_pages, case_pages.police_id),
        params={"purpose": "toestandsbeeld", "justification": JUSTIFICATION},
    )
    assert sent_as_query.status_code == 405
    assert JUSTIFICATION not in sent_as_query.text
    assert all(JUSTIFICATION not in url for url in seen[:-1])
    assert all(JUSTIFICATION not in str(answer.headers) for answer in (page, answer))
