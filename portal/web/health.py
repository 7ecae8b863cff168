"""Liveness and readiness, for the load balancer and the operator."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from portal.adapters.health import Readiness, check_readiness
from portal.web.state import PortalDeps


@get("/health/live", summary="The process is up", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", summary="Database, object store and gpg all answer", tags=["health"])
async def ready(deps: NamedDependency[PortalDeps]) -> Response[Readiness]:
    readiness = await check_readiness(deps.readiness_probes)
    status = HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE
    return Response(readiness, status_code=status)
