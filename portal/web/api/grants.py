"""Access to a case: grants per RTO participant, archive admissions, and who can download what."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from portal.services import access_overview, grants
from portal.services.audit import RequestContext
from portal.web.schemas import AccessLineOut, AdmissionIn, GrantIn, GrantOut, RevokeIn, to_wire
from portal.web.state import PortalDeps


@post(
    "/cases/{case_id:uuid}/grants",
    summary="Grant one user access to the case (procesregisseur)",
    tags=["access"],
    status_code=HTTP_201_CREATED,
)
async def create_grant(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[GrantIn],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    grant = await grants.grant_access(
        context,
        case_id=case_id,
        username=data.user,
        until=data.until,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(grant, GrantOut)


@get("/cases/{case_id:uuid}/grants", summary="The case's grants", tags=["access"])
async def list_grants(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> list[GrantOut]:
    found = await grants.case_grants(context, case_id=case_id, audit=deps.audit, clock=deps.clock)
    return to_wire(found, list[GrantOut])


@get("/grants/{grant_id:uuid}", summary="One grant", tags=["access"])
async def get_grant(
    context: NamedDependency[RequestContext],
    grant_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    grant = await grants.grant_details(
        context, grant_id=grant_id, audit=deps.audit, clock=deps.clock
    )
    return to_wire(grant, GrantOut)


@post(
    "/grants/{grant_id:uuid}/revoke",
    summary="Revoke a grant, with the reason in the body (procesregisseur)",
    tags=["access"],
    status_code=200,
)
async def revoke_grant(
    context: NamedDependency[RequestContext],
    grant_id: FromPath[UUID],
    data: JSONBody[RevokeIn],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    grant = await grants.revoke_grant(
        context, grant_id=grant_id, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(grant, GrantOut)


@get(
    "/cases/{case_id:uuid}/access",
    summary="Who can download which document now, and why (procesregisseur, manager)",
    tags=["access"],
)
async def explain_access(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> list[AccessLineOut]:
    lines = await access_overview.explain_access(
        context, case_id=case_id, audit=deps.audit, clock=deps.clock
    )
    return to_wire(lines, list[AccessLineOut])


@post(
    "/cases/{case_id:uuid}/archive-admissions",
    summary="Admit a user to an archived case (manager, art. 11.2b)",
    tags=["access"],
    status_code=HTTP_204_NO_CONTENT,
)
async def admit_to_archive(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[AdmissionIn],
    deps: NamedDependency[PortalDeps],
) -> None:
    await grants.admit_to_archive(
        context,
        case_id=case_id,
        username=data.user,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )


router = Router(
    "/api/v1",
    route_handlers=[
        create_grant,
        list_grants,
        get_grant,
        revoke_grant,
        explain_access,
        admit_to_archive,
    ],
)
