"""Partijen of the covenant."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.services import partijen
from portal.services.audit import RequestContext
from portal.web.schemas import PartijOut, to_wire
from portal.web.state import PortalDeps


@get("/partijen", summary="The partijen of the covenant: names and ids", tags=["partijen"])
async def list_partijen() -> list[PartijOut]:
    # Any signed-in user (the middleware sees to that): the partners are no secret among them.
    return to_wire(await partijen.list_partijen(), list[PartijOut])


@post(
    "/partijen/{partij_id:uuid}/withdraw",
    summary="Record that a partij left the covenant: all its access ends (manager, art. 27.3)",
    tags=["partijen"],
    status_code=200,
)
async def withdraw_partij(
    context: NamedDependency[RequestContext],
    partij_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> PartijOut:
    partij = await partijen.withdraw_partij(
        context, partij_id=partij_id, audit=deps.audit, clock=deps.clock
    )
    return to_wire(partij, PartijOut)


router = Router("/api/v1", route_handlers=[list_partijen, withdraw_partij])
