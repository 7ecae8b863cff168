"""Grants per RTO participant (procesregisseur)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from portal.services import grants
from portal.web.auth import request_context
from portal.web.schemas import GrantIn, GrantOut
from portal.web.state import PortalDeps


@post(
    "/api/v1/cases/{case_id:uuid}/grants",
    summary="Grant one user access to the case (procesregisseur)",
    tags=["access"],
    status_code=HTTP_201_CREATED,
)
async def create_grant(
    request: Request[Any, Any, Any],
    case_id: FromPath[UUID],
    data: JSONBody[GrantIn],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    grant = await grants.grant_access(
        request_context(request),
        case_id=case_id,
        username=data.user,
        until=data.until,
        audit=deps.audit,
        clock=deps.clock,
    )
    return GrantOut.of(grant)


@get("/api/v1/cases/{case_id:uuid}/grants", summary="The case's grants", tags=["access"])
async def list_grants(
    request: Request[Any, Any, Any], case_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> list[GrantOut]:
    found = await grants.case_grants(
        request_context(request), case_id=case_id, audit=deps.audit, clock=deps.clock
    )
    return [GrantOut.of(grant) for grant in found]


@delete(
    "/api/v1/grants/{grant_id:uuid}",
    summary="Revoke a grant, with a reason (procesregisseur)",
    tags=["access"],
    status_code=200,
)
async def revoke_grant(
    request: Request[Any, Any, Any],
    grant_id: FromPath[UUID],
    reason: FromQuery[str],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    grant = await grants.revoke_grant(
        request_context(request),
        grant_id=grant_id,
        reason=reason,
        audit=deps.audit,
        clock=deps.clock,
    )
    return GrantOut.of(grant)
