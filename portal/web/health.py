"""Liveness and readiness, for the load balancer and the operator."""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from portal.adapters.health import Readiness, check_readiness
from portal.web.state import PortalDeps


@get("/live", summary="The process is up", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", summary="Database, object store and gpg all answer", tags=["health"])
async def ready(deps: NamedDependency[PortalDeps]) -> Response[Readiness]:
    readiness = await check_readiness(deps.readiness_probes)
    status = HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE
    return Response(readiness, status_code=status)


router = Router("/health", route_handlers=[live, ready])
