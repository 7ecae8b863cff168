"""Cases: registered by the procesregisseur, seen by those with a part in them."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from portal.services import cases
from portal.services.audit import RequestContext
from portal.web.schemas import CaseIn, CaseOut, PhaseChangeIn, to_wire
from portal.web.state import PortalDeps


@post("/cases", summary="Register a case (procesregisseur)", tags=["cases"])
async def create_case(
    context: NamedDependency[RequestContext],
    data: JSONBody[CaseIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    case = await cases.create_case(
        context,
        reference=data.reference,
        reported_by=data.reported_by,
        keyring=deps.keyring,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(case, CaseOut)


@get("/cases", summary="The cases the caller may see", tags=["cases"])
async def list_cases(
    context: NamedDependency[RequestContext], deps: NamedDependency[PortalDeps]
) -> list[CaseOut]:
    return to_wire(await cases.visible_cases(context, clock=deps.clock), list[CaseOut])


@get("/cases/{case_id:uuid}", summary="One case", tags=["cases"])
async def get_case(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    return to_wire(
        await cases.visible_case(context, case_id, audit=deps.audit, clock=deps.clock), CaseOut
    )


@post("/cases/{case_id:uuid}/phase", summary="Move a case to its next phase", tags=["cases"])
async def change_phase(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[PhaseChangeIn],
    deps: NamedDependency[PortalDeps],
) -> CaseOut:
    case = await cases.change_phase(
        context, case_id=case_id, to=data.to, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(case, CaseOut)


router = Router("/api/v1", route_handlers=[create_case, list_cases, get_case, change_phase])
