"""Liveness and readiness, for the load balancer and the operator.

Anyone may ask whether the portal is ready; which dependency is failing, and how, is for
the operator only (``PORTAL_HEALTH_TOKEN``): it tells an attacker what to aim at.
"""

from __future__ import annotations

import hmac
from typing import Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from portal.adapters.health import Readiness
from portal.web.state import PortalDeps


class ReadyOut(msgspec.Struct, frozen=True, kw_only=True):
    ready: bool


@get("/live", summary="The process is up", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    summary="Database, object store and gpg all answer (details with the operator's token)",
    tags=["health"],
)
async def ready(
    request: Request[Any, Any, Any], deps: NamedDependency[PortalDeps]
) -> Response[Readiness | ReadyOut]:
    readiness = await deps.readiness.check()
    status = HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE
    if is_operator(request.headers.get("authorization", ""), deps.health_token):
        return Response(readiness, status_code=status)
    return Response(ReadyOut(ready=readiness.ready), status_code=status)


def is_operator(authorization: str, health_token: str | None) -> bool:
    """Whether the header carries the operator's health token; compared in constant time,
    so the answer's timing does not reveal how much of a guess was right."""
    scheme, _, token = authorization.partition(" ")
    if health_token is None or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), health_token.encode())


router = Router("/health", route_handlers=[live, ready])
