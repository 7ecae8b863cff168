"""Access to a case: grants per RTO participant, archive admissions, and who can download what."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from portal.domain.documents import DocumentId
from portal.services import access_overview, archive, grants
from portal.services.audit import RequestContext
from portal.web.schemas import (
    AccessLineOut,
    AdmissionIn,
    AdmissionOut,
    GrantIn,
    GrantOut,
    RevokeIn,
    grant_out,
    to_wire,
)
from portal.web.state import PortalDeps


@post(
    "/cases/{case_id:uuid}/grants",
    summary="Grant one user access to the case (a procesregisseur of the case)",
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
        documents=frozenset(DocumentId(d) for d in data.documents) if data.documents else None,
        audit=deps.audit,
        clock=deps.clock,
    )
    return grant_out(grant)


@get("/cases/{case_id:uuid}/grants", summary="The case's grants and their ends", tags=["access"])
async def list_grants(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> list[GrantOut]:
    found = await grants.case_grants(context, case_id=case_id, audit=deps.audit, clock=deps.clock)
    return [grant_out(view) for view in found]


@get("/grants/{grant_id:uuid}", summary="One grant and its end", tags=["access"])
async def get_grant(
    context: NamedDependency[RequestContext],
    grant_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> GrantOut:
    view = await grants.grant_details(
        context, grant_id=grant_id, audit=deps.audit, clock=deps.clock
    )
    return grant_out(view)


@post(
    "/grants/{grant_id:uuid}/revoke",
    summary="Revoke a grant, with the reason in the body (a procesregisseur of the case)",
    tags=["access"],
    status_code=HTTP_200_OK,
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
    return grant_out(grant)


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
    summary="Admit a user to an archived case, with a reason and an end (manager, art. 11.2b)",
    tags=["access"],
    status_code=HTTP_201_CREATED,
)
async def admit_to_archive(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[AdmissionIn],
    deps: NamedDependency[PortalDeps],
) -> AdmissionOut:
    admission = await archive.admit_to_archive(
        context,
        case_id=case_id,
        username=data.user,
        reason=data.reason,
        until=data.until,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(admission, AdmissionOut)


@get(
    "/cases/{case_id:uuid}/archive-admissions",
    summary="The admissions to an archived case (manager)",
    tags=["access"],
)
async def list_admissions(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> list[AdmissionOut]:
    found = await archive.case_admissions(
        context, case_id=case_id, audit=deps.audit, clock=deps.clock
    )
    return to_wire(found, list[AdmissionOut])


@post(
    "/archive-admissions/{admission_id:uuid}/revoke",
    summary="Revoke an admission to an archived case, with the reason (manager)",
    tags=["access"],
    status_code=HTTP_200_OK,
)
async def revoke_admission(
    context: NamedDependency[RequestContext],
    admission_id: FromPath[UUID],
    data: JSONBody[RevokeIn],
    deps: NamedDependency[PortalDeps],
) -> AdmissionOut:
    admission = await archive.revoke_admission(
        context, admission_id=admission_id, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(admission, AdmissionOut)


router = Router(
    "/api/v1",
    route_handlers=[
        create_grant,
        list_grants,
        get_grant,
        revoke_grant,
        explain_access,
        admit_to_archive,
        list_admissions,
        revoke_admission,
    ],
)
