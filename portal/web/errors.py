"""One table from service errors to HTTP status codes; messages are safe to show.

Every error answer is JSON with ``status_code``, ``detail`` (English, for people) and
``code`` (a :class:`~portal.domain.refusal_codes.RefusalCode`, for programs and pages):
a service error brings its own code, Litestar's refusals get the code of their status.

Anything else that escapes a handler is the portal's fault, not the caller's: the client
gets a fixed message and a trace id to quote, the log gets the trace. An exception's own
text can hold a query, a path or a value from a row, so it never reaches the client.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_408_REQUEST_TIMEOUT,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_423_LOCKED,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_507_INSUFFICIENT_STORAGE,
)

from crypto import EncryptionInterrupted
from portal.db.transactions import is_database_unavailable
from portal.domain.refusal_codes import RefusalCode
from portal.services.errors import (
    AuditUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    Locked,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    TimedOut,
    UnsupportedMediaType,
)
from storage import StoreFull, StoreUnavailable

log = logging.getLogger("portal.errors")

RETRY_AFTER_SECONDS = 10
"""How long a client is asked to wait while the database or the object store is away:
long enough not to hammer a restarting server, short enough for a person to retry."""

TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")

STATUS_BY_ERROR: dict[type[ServiceError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    Conflict: HTTP_409_CONFLICT,
    InvalidInput: HTTP_400_BAD_REQUEST,
    NotAuthenticated: HTTP_401_UNAUTHORIZED,
    Forbidden: HTTP_403_FORBIDDEN,
    UnsupportedMediaType: HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    PayloadTooLarge: HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    Locked: HTTP_423_LOCKED,
    TimedOut: HTTP_408_REQUEST_TIMEOUT,
    AuditUnavailable: HTTP_503_SERVICE_UNAVAILABLE,
}


# Litestar's own refusals (routing, parameter and body validation, the token check) carry
# no code of their own: their status says which refusal it was.
CODE_BY_STATUS: dict[int, RefusalCode] = {
    HTTP_400_BAD_REQUEST: RefusalCode.VALIDATION_FAILED,
    HTTP_401_UNAUTHORIZED: RefusalCode.NOT_AUTHENTICATED,
    HTTP_403_FORBIDDEN: RefusalCode.NOT_ALLOWED,
    HTTP_404_NOT_FOUND: RefusalCode.NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED: RefusalCode.METHOD_NOT_ALLOWED,
    HTTP_408_REQUEST_TIMEOUT: RefusalCode.TIMED_OUT,
    HTTP_409_CONFLICT: RefusalCode.CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: RefusalCode.TOO_LARGE,
    HTTP_429_TOO_MANY_REQUESTS: RefusalCode.TOO_MANY_REQUESTS,
    HTTP_423_LOCKED: RefusalCode.BUSY,
    HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE: RefusalCode.HEADERS_TOO_LARGE,
    HTTP_503_SERVICE_UNAVAILABLE: RefusalCode.SERVICE_UNAVAILABLE,
    HTTP_507_INSUFFICIENT_STORAGE: RefusalCode.STORE_FULL,
}


def status_for(exc: ServiceError) -> int:
    for error_type in type(exc).__mro__:
        if error_type in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[error_type]
    return HTTP_500_INTERNAL_SERVER_ERROR


def code_for_status(status: int) -> RefusalCode:
    if status in CODE_BY_STATUS:
        return CODE_BY_STATUS[status]
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        return RefusalCode.INTERNAL_ERROR
    return RefusalCode.BAD_REQUEST


def error_body(status: int, detail: str, code: RefusalCode) -> dict[str, object]:
    """The body of every error answer: ``status_code`` and ``detail`` as Litestar shapes
    them, and ``code``, the stable reason (see :mod:`portal.domain.refusal_codes`)."""
    return {"status_code": status, "detail": detail, "code": code}


def service_error_response(_: Request[Any, Any, Any], exc: Exception) -> Response[object]:
    if isinstance(exc, ServiceError):
        status = status_for(exc)
        headers = retry_after() if status == HTTP_503_SERVICE_UNAVAILABLE else None
        return Response(error_body(status, str(exc), exc.code), status_code=status, headers=headers)
    if isinstance(exc, HTTPException):  # pragma: no cover - Litestar handles these itself
        raise exc
    raise exc  # pragma: no cover - only ServiceError is registered for this handler


def http_error_response(_: Request[Any, Any, Any], exc: Exception) -> Response[object]:
    """Litestar's own refusals, shaped as it does (``extra`` holds the fields a validation
    error names), with the code of their status; always JSON, whatever the route serves."""
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered for these only
        raise exc
    body = error_body(exc.status_code, exc.detail, code_for_status(exc.status_code))
    if exc.extra:
        body["extra"] = exc.extra
    return Response(
        body, status_code=exc.status_code, headers=exc.headers, media_type=MediaType.JSON
    )


def too_deeply_nested_response(_: Request[Any, Any, Any], __: Exception) -> Response[object]:
    """A body nested beyond what the JSON decoder recurses into is a bad request, not a
    crash: ``[[[[...`` a hundred thousand deep is a cheap way to ask for a 500."""
    return Response(
        error_body(
            HTTP_400_BAD_REQUEST,
            "the request body is nested too deeply",
            RefusalCode.VALIDATION_FAILED,
        ),
        status_code=HTTP_400_BAD_REQUEST,
    )


def retry_after() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _outage(exc: Exception) -> str | None:
    """What is away, if ``exc`` says the database, the object store or gpg failed us."""
    if isinstance(exc, StoreUnavailable):
        return "the document store"
    if isinstance(exc, EncryptionInterrupted):
        return "the encryption service"
    if is_database_unavailable(exc):
        return "the database"
    return None


def internal_error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[object]:
    """A generic 500 whose trace id the operator finds in the log, with the traceback.

    An outage of the database or the object store is no fault of the portal's code: the
    request did not happen and may succeed later, so it is a 503 with ``Retry-After``. A
    full store is a 507: only the operator can make room.
    """
    if isinstance(exc, StoreFull):
        log.error("%s %s: the document store is full", request.method, request.url.path)
        return Response(
            error_body(
                HTTP_507_INSUFFICIENT_STORAGE,
                "the document store is full, so nothing was stored; "
                "the operator must make room before it takes more",
                RefusalCode.STORE_FULL,
            ),
            status_code=HTTP_507_INSUFFICIENT_STORAGE,
        )
    away = _outage(exc)
    if away is not None:
        # An outage, not a bug: the cause is enough, a traceback would only repeat it.
        log.error(
            "%s %s: %s is unavailable (%s)", request.method, request.url.path, away,
            type(exc).__name__,
        )  # fmt: skip
        return Response(
            error_body(
                HTTP_503_SERVICE_UNAVAILABLE,
                f"{away} cannot be reached right now, so nothing was done; try again later",
                RefusalCode.SERVICE_UNAVAILABLE,
            ),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers=retry_after(),
        )
    match = TRACEPARENT.match(request.headers.get("traceparent", ""))
    trace_id = match.group(1) if match else secrets.token_hex(16)
    log.error(
        "internal error in %s %s, trace id %s",
        request.method,
        request.url.path,
        trace_id,
        exc_info=exc,
    )
    body = error_body(
        HTTP_500_INTERNAL_SERVER_ERROR,
        f"internal error; quote trace id {trace_id} to the operator",
        RefusalCode.INTERNAL_ERROR,
    )
    return Response({**body, "trace_id": trace_id}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
