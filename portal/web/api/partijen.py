"""Partijen of the covenant."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from portal.services import partijen
from portal.web.auth import request_context
from portal.web.schemas import PartijOut
from portal.web.state import PortalDeps


@post(
    "/api/v1/partijen/{partij_id:uuid}/withdraw",
    summary="Record that a partij left the covenant: all its access ends (manager, art. 27.3)",
    tags=["partijen"],
    status_code=200,
)
async def withdraw_partij(
    request: Request[Any, Any, Any], partij_id: FromPath[UUID], deps: NamedDependency[PortalDeps]
) -> PartijOut:
    partij = await partijen.withdraw_partij(
        request_context(request), partij_id=partij_id, audit=deps.audit, clock=deps.clock
    )
    return PartijOut.of(partij)
