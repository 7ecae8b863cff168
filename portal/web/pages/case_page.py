"""The case page: a case the reader has a part in, its documents, and a download form each.

A download posts its purpose and justification in the form's body (art. 8: never in a
URL) and goes through the same use case as the API's, so its permit, refusal and ending
are recorded alike. A refusal shows the case page again with the Dutch explanation of its
code and whom to contact; a case or document the reader may not know of answers the
Dutch "niet gevonden" page, as if it did not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream, Template
from litestar.status_codes import HTTP_200_OK, HTTP_404_NOT_FOUND

from portal.domain.access.documents import needs_justification
from portal.domain.cases import Purpose
from portal.services import documents, downloads
from portal.services.audit import RequestContext
from portal.services.documents import CaseOverview
from portal.services.errors import NotFound, ServiceError
from portal.web.api.documents import attachment_stream
from portal.web.auth import request_caller
from portal.web.dutch import PHASES, PURPOSES, REFUSALS
from portal.web.errors import status_for
from portal.web.pages.guard import CSRF_FIELD, live_session, posted_form
from portal.web.pages.rendering import page
from portal.web.pages.state import PageDeps


def _context(request: Request[Any, Any, Any], pages: PageDeps) -> RequestContext:
    return request_caller(request, pages.trusted_proxies).context(live_session(request).actor)


@get("/casussen/{case_id:uuid}", name="page:case")
async def case_page(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], pages: NamedDependency[PageDeps]
) -> Template:
    context = _context(request, pages)
    try:
        overview = await documents.case_overview(
            context, case_id, audit=pages.audit, clock=pages.clock
        )
    except NotFound:
        return not_found(request, pages)
    return _render(request, pages, overview)


@post(
    "/casussen/{case_id:uuid}/documenten/{document_id:uuid}/downloaden",
    name="page:download",
    status_code=HTTP_200_OK,
)
async def download(
    request: Request[Any, Any, Any],
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    pages: NamedDependency[PageDeps],
) -> Stream | Template:
    fields = await posted_form(request)
    purpose = fields.get("purpose", "")
    justification = fields.get("justification", "")
    context = _context(request, pages)
    try:
        started = await downloads.start_download(
            context,
            document_id=document_id,
            purpose=purpose,
            # A browser sends an empty textarea as an empty value: no justification given.
            justification=justification if justification.strip() else None,
            to_recipient_key=False,
            vault=pages.vault,
            audit=pages.audit,
            clock=pages.clock,
        )
    except NotFound:
        return not_found(request, pages)
    except ServiceError as refused:
        return await _refused(
            request,
            pages,
            context=context,
            case_id=case_id,
            document_id=document_id,
            refused=refused,
        )
    return attachment_stream(started)


async def _refused(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    *,
    context: RequestContext,
    case_id: UUID,
    document_id: UUID,
    refused: ServiceError,
) -> Template:
    text = REFUSALS[refused.code]
    try:
        overview = await documents.case_overview(
            context, case_id, audit=pages.audit, clock=pages.clock
        )
    except NotFound:
        return not_found(request, pages)
    return _render(
        request,
        pages,
        overview,
        status_code=status_for(refused),
        errors=[(f"doel-{document_id}", f"{text.explanation} {text.whom_to_contact}")],
    )


def _render(
    request: Request[Any, Any, Any],
    pages: PageDeps,
    overview: CaseOverview,
    *,
    status_code: int = HTTP_200_OK,
    errors: list[tuple[str, str]] | None = None,
) -> Template:
    case = overview.facts.case
    grant = overview.grant
    ends = grant.ends_at(case) if grant else None
    rows = [
        {
            "id": str(document.id),
            "file_name": document.file_name,
            "provider": overview.provider_names.get(document.provider_id, ""),
            "phase": PHASES[document.phase],
            "purposes": [
                {"code": purpose.value, "label": PURPOSES[purpose]}
                for purpose in sorted(
                    # Not yet approved for this phase: the service refuses, and says why.
                    document.purposes_in(case.phase) or document.restrictions.purposes,
                    key=_purpose_order,
                )
            ],
            "police": needs_justification(document),
        }
        for document in sorted(overview.documents, key=lambda document: document.created_at)
    ]
    return page(
        request,
        pages,
        "casus.html",
        title=f"Casus {case.reference}",
        status_code=status_code,
        errors=errors or [],
        case={
            "id": str(case.id),
            "reference": case.reference,
            "phase": PHASES[case.phase],
            "closed": case.closed,
        },
        grant={"ends": ends.strftime("%d-%m-%Y") if ends else None} if grant else None,
        documents=rows,
        csrf_field=CSRF_FIELD,
    )


def _purpose_order(purpose: Purpose) -> int:
    return list(Purpose).index(purpose)


def not_found(request: Request[Any, Any, Any], pages: PageDeps) -> Template:
    """As if it did not exist: the same page for what is not there and what is hidden."""
    return page(
        request, pages, "niet_gevonden.html", title="Niet gevonden", status_code=HTTP_404_NOT_FOUND
    )


HANDLERS = [case_page, download]
