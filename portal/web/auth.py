"""Bearer-token authentication, decided before any request body is read.

A token that is unknown or revoked is recorded (``auth:login:failed``, with the client's
address, never the token), but only the first few per address and window; the rest are
counted into one summary record, and an address that keeps trying is answered 429 before
its token is looked up (``portal.domain.login_throttle``). A successful authentication
is not recorded: every request would add a record, and the record of what the request
then does already names who did it.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from portal.domain.login_throttle import ThrottlePolicy
from portal.domain.partijen import Actor
from portal.services import login_throttle
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.sign_in import Caller
from portal.services.users import authenticate
from portal.web.forwarded import NO_PROXIES, Origin, TrustedProxies, origin
from portal.web.state import PortalDeps

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


class TokenAuthentication(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        audit: AuditLog,
        clock: Clock,
        exclude: list[str],
        throttle: ThrottlePolicy,
        trusted_proxies: TrustedProxies = NO_PROXIES,
        vog_max_age_days: int | None = None,
    ) -> None:
        super().__init__(app, exclude=exclude)
        self._audit = audit
        self._clock = clock
        self._throttle = throttle
        self._trusted_proxies = trusted_proxies
        self._vog_max_age_days = vog_max_age_days

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("send an API token as 'Authorization: Bearer <token>'")
        now = self._clock()
        trace_id, span_id = _trace(connection)
        refused = login_throttle.RefusedToken(
            client_address=request_origin(connection, self._trusted_proxies).client_address,
            user_agent=_user_agent(connection),
            trace_id=trace_id,
            span_id=span_id,
        )
        wait = await login_throttle.seconds_blocked(refused.client_address, now=now)
        if wait is not None:
            await self._refuse(refused, "too many refused API tokens from this address", now)
            raise TooManyRequestsException(
                "too many refused API tokens from this address; try again later",
                headers={"Retry-After": str(wait)},
            )
        actor = await authenticate(
            token.strip(), clock=self._clock, vog_max_age_days=self._vog_max_age_days
        )
        if actor is None:
            await self._refuse(refused, "the API token is unknown or revoked", now)
            raise NotAuthorizedException("the API token is unknown or revoked")
        return AuthenticationResult(user=actor, auth=None)

    async def _refuse(
        self, refused: login_throttle.RefusedToken, reason: str, now: datetime
    ) -> None:
        await login_throttle.refuse_token(
            refused, reason=reason, audit=self._audit, policy=self._throttle, now=now
        )


def request_origin(
    connection: ASGIConnection[Any, Any, Any, Any], trusted_proxies: TrustedProxies
) -> Origin:
    """The client's address and scheme, from a trusted proxy's headers or the connection."""
    return origin(
        peer=connection.client.host if connection.client else None,
        scheme=connection.scope.get("scheme", "http"),
        forwarded_for=connection.headers.get("x-forwarded-for"),
        forwarded_proto=connection.headers.get("x-forwarded-proto"),
        trusted=trusted_proxies,
    )


def request_context(
    request: Request[Any, Any, Any], deps: NamedDependency[PortalDeps]
) -> RequestContext:
    """Who asks and from where, with the W3C trace context when the caller sent one.

    Provided to handlers as the ``context`` dependency (see ``portal.app``).
    """
    actor = request.user
    if not isinstance(actor, Actor):  # pragma: no cover - the middleware guarantees it
        raise NotAuthorizedException("not authenticated")
    trace_id, span_id = _trace(request)
    return RequestContext(
        actor=actor,
        client_address=request_origin(request, deps.trusted_proxies).client_address,
        user_agent=_user_agent(request),
        trace_id=trace_id,
        span_id=span_id,
    )


def request_caller(
    connection: ASGIConnection[Any, Any, Any, Any], trusted_proxies: TrustedProxies
) -> Caller:
    """Where a page request comes from, for the sign-in's audit records."""
    trace_id, span_id = _trace(connection)
    return Caller(
        client_address=request_origin(connection, trusted_proxies).client_address,
        user_agent=_user_agent(connection),
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
