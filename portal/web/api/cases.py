"""Cases: registered by the procesregisseur, seen by those with a part in them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from portal.services import cases, documents
from portal.web.auth import request_context
from portal.web.schemas import CaseIn, CaseOut, DocumentOut
from portal.web.state import PortalDeps


@post("/api/v1/cases", summary="Register a case (procesregisseur)", tags=["cases"])
async def create_case(
    request: Request[Any, Any, Any], data: JSONBody[CaseIn], deps: NamedDependency[PortalDeps]
) -> CaseOut:
    case = await cases.create_case(
        request_context(request),
        reference=data.reference,
        reported_by=data.reported_by,
        keyring=deps.keyring,
        clock=deps.clock,
    )
    return CaseOut.of(case)


@get("/api/v1/cases", summary="The cases the caller may see", tags=["cases"])
async def list_cases(request: Request[Any, Any, Any]) -> list[CaseOut]:
    return [CaseOut.of(case) for case in await cases.visible_cases(request_context(request))]


@get("/api/v1/cases/{case_id:uuid}", summary="One case", tags=["cases"])
async def get_case(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> CaseOut:
    case = await cases.visible_case(request_context(request), case_id, clock=deps.clock)
    return CaseOut.of(case)


@get(
    "/api/v1/cases/{case_id:uuid}/documents",
    summary="The documents of a case (metadata only)",
    tags=["documents"],
)
async def list_case_documents(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> list[DocumentOut]:
    context = request_context(request)
    case = await cases.visible_case(context, case_id, clock=deps.clock)
    return [DocumentOut.of(d) for d in await documents.case_documents(context, case)]
