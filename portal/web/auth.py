"""Bearer-token authentication, decided before any request body is read."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from portal.domain.parties import Actor
from portal.services.audit import RequestContext
from portal.services.clock import Clock
from portal.services.users import authenticate

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


class TokenAuthentication(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, *, clock: Clock, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self._clock = clock

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
        actor = await authenticate(token.strip(), clock=self._clock)
        if actor is None:
            raise NotAuthorizedException("the API token is unknown or revoked")
        return AuthenticationResult(user=actor, auth=None)


def request_context(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestContext:
    """Who asks and from where, with the W3C trace context when the caller sent one."""
    actor = connection.user
    if not isinstance(actor, Actor):  # pragma: no cover - the middleware guarantees it
        raise NotAuthorizedException("not authenticated")
    match = TRACEPARENT.match(connection.headers.get("traceparent", ""))
    trace_id, parent_span = (match.group(1), match.group(2)) if match else (None, None)
    del parent_span  # our span is new; the caller's span is its own
    return RequestContext(
        actor=actor,
        client_address=connection.client.host if connection.client else None,
        user_agent=(connection.headers.get("user-agent") or "")[:300] or None,
        trace_id=trace_id or secrets.token_hex(16),
        span_id=secrets.token_hex(8),
    )
