"""Cases: registered by the procesregisseur, seen by those with a part in them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from portal.services import access_overview, cases, documents, grants
from portal.web.auth import request_context
from portal.web.schemas import (
    AccessLineOut,
    AdmissionIn,
    CaseIn,
    CaseOut,
    DocumentOut,
    PhaseChangeIn,
)
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
        audit=deps.audit,
        clock=deps.clock,
    )
    return CaseOut.of(case)


@get("/api/v1/cases", summary="The cases the caller may see", tags=["cases"])
async def list_cases(
    request: Request[Any, Any, Any], deps: NamedDependency[PortalDeps]
) -> list[CaseOut]:
    cases_seen = await cases.visible_cases(request_context(request), clock=deps.clock)
    return [CaseOut.of(case) for case in cases_seen]


@get("/api/v1/cases/{case_id:uuid}", summary="One case", tags=["cases"])
async def get_case(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> CaseOut:
    case = await cases.visible_case(
        request_context(request), case_id, audit=deps.audit, clock=deps.clock
    )
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
    case = await cases.visible_case(context, case_id, audit=deps.audit, clock=deps.clock)
    return [DocumentOut.of(d) for d in await documents.case_documents(context, case)]


@post("/api/v1/cases/{case_id:uuid}/phase", summary="Move a case to its next phase", tags=["cases"])
async def change_phase(
    request: Request[Any, Any, Any],
    case_id: FromPath[UUID],
    data: JSONBody[PhaseChangeIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    case = await cases.change_phase(
        request_context(request),
        case_id=case_id,
        to=data.to,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )
    return CaseOut.of(case)


@get(
    "/api/v1/cases/{case_id:uuid}/access",
    summary="Who can download which document now, and why (procesregisseur, manager)",
    tags=["access"],
)
async def explain_access(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> list[AccessLineOut]:
    lines = await access_overview.explain_access(
        request_context(request), case_id=case_id, audit=deps.audit, clock=deps.clock
    )
    return [AccessLineOut.of(line) for line in lines]


@post(
    "/api/v1/cases/{case_id:uuid}/archive-admissions",
    summary="Admit a user to an archived case (manager, art. 11.2b)",
    tags=["access"],
    status_code=HTTP_204_NO_CONTENT,
)
async def admit_to_archive(
    request: Request[Any, Any, Any],
    case_id: FromPath[UUID],
    data: JSONBody[AdmissionIn],
    deps: NamedDependency[PortalDeps],
) -> None:
    await grants.admit_to_archive(
        request_context(request),
        case_id=case_id,
        username=data.user,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )
