"""Cases: registered by the procesregisseur, seen by those with a part in them."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from portal.services import case_phases, cases
from portal.services.audit import RequestContext
from portal.web.schemas import AssignmentIn, CaseIn, CaseOut, CloseIn, PhaseChangeIn, case_out
from portal.web.state import PortalDeps


@post("/cases", summary="Register a case (procesregisseur)", tags=["cases"])
async def create_case(
    context: NamedDependency[RequestContext],
    data: JSONBody[CaseIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    entry = await cases.create_case(
        context,
        reference=data.reference,
        reported_by=data.reported_by,
        aanmelder=data.aanmelder,
        keyring=deps.keyring,
        audit=deps.audit,
        clock=deps.clock,
    )
    return case_out(entry)


@get("/cases", summary="The case register entries the caller may see", tags=["cases"])
async def list_cases(
    context: NamedDependency[RequestContext], deps: NamedDependency[PortalDeps]
) -> list[CaseOut]:
    return [case_out(entry) for entry in await cases.visible_cases(context, clock=deps.clock)]


@get("/cases/{case_id:uuid}", summary="One case's register entry", tags=["cases"])
async def get_case(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    entry = await cases.case_register_entry(context, case_id, audit=deps.audit, clock=deps.clock)
    return case_out(entry)


@post(
    "/cases/{case_id:uuid}/phase",
    summary="Move a case to its next phase; afschaling with its decision date and hand-over",
    tags=["cases"],
)
async def change_phase(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[PhaseChangeIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    entry = await case_phases.change_phase(
        context,
        case_id=case_id,
        to=data.to,
        reason=data.reason,
        decided_at=data.decided_at,
        handover=data.handover.request() if data.handover else None,
        handover_days=deps.handover_days,
        audit=deps.audit,
        clock=deps.clock,
    )
    return case_out(entry)


@post(
    "/cases/{case_id:uuid}/close",
    summary="Close a case at aanmelding or triage, with the reason and decision date",
    tags=["cases"],
    status_code=HTTP_200_OK,
)
async def close_case(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[CloseIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    entry = await case_phases.close_case(
        context,
        case_id=case_id,
        reason=data.reason,
        explanation=data.explanation,
        decided_at=data.decided_at,
        audit=deps.audit,
        clock=deps.clock,
    )
    return case_out(entry)


@post(
    "/cases/{case_id:uuid}/procesregisseurs",
    summary="Assign another procesregisseur to the case, with the reason",
    tags=["cases"],
    status_code=HTTP_201_CREATED,
)
async def assign_procesregisseur(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[AssignmentIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    entry = await case_phases.assign_procesregisseur(
        context,
        case_id=case_id,
        username=data.user,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )
    return case_out(entry)


router = Router(
    "/api/v1",
    route_handlers=[
        create_case,
        list_cases,
        get_case,
        change_phase,
        close_case,
        assign_procesregisseur,
    ],
)
