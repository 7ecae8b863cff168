"""Bearer-token authentication, decided before any request body is read.

A token that is unknown or revoked is recorded (``auth:login:failed``, with the client's
address, never the token). A successful authentication is not: every request would add
a record, and the record of what the request then does already names who did it.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from portal.domain.partijen import Actor
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.users import authenticate

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


class TokenAuthentication(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        audit: AuditLog,
        clock: Clock,
        exclude: list[str],
        vog_max_age_days: int | None = None,
    ) -> None:
        super().__init__(app, exclude=exclude)
        self._audit = audit
        self._clock = clock
        self._vog_max_age_days = vog_max_age_days

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
        actor = await authenticate(
            token.strip(), clock=self._clock, vog_max_age_days=self._vog_max_age_days
        )
        if actor is None:
            trace_id, span_id = _trace(connection)
            await self._audit.failed_login(
                reason="the API token is unknown or revoked",
                client_address=connection.client.host if connection.client else None,
                user_agent=_user_agent(connection),
                trace_id=trace_id,
                span_id=span_id,
                at=self._clock(),
            )
            raise NotAuthorizedException("the API token is unknown or revoked")
        return AuthenticationResult(user=actor, auth=None)


def request_context(request: Request[Any, Any, Any]) -> RequestContext:
    """Who asks and from where, with the W3C trace context when the caller sent one.

    Provided to handlers as the ``context`` dependency (see ``portal.app``).
    """
    actor = request.user
    if not isinstance(actor, Actor):  # pragma: no cover - the middleware guarantees it
        raise NotAuthorizedException("not authenticated")
    trace_id, span_id = _trace(request)
    return RequestContext(
        actor=actor,
        client_address=request.client.host if request.client else None,
        user_agent=_user_agent(request),
        trace_id=trace_id,
        span_id=span_id,
    )


def _trace(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, str]:
    """The caller's W3C trace id (or a new one), and a new span id for this request."""
    match = TRACEPARENT.match(connection.headers.get("traceparent", ""))
    # The caller's span is its own; ours is new.
    return (match.group(1) if match else secrets.token_hex(16)), secrets.token_hex(8)


def _user_agent(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return (connection.headers.get("user-agent") or "")[:300] or None
