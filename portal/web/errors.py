"""One table from service errors to HTTP status codes; messages are safe to show."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from portal.services.errors import (
    AuditUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    UnsupportedMediaType,
)

STATUS_BY_ERROR: dict[type[ServiceError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    Conflict: HTTP_409_CONFLICT,
    InvalidInput: HTTP_400_BAD_REQUEST,
    NotAuthenticated: HTTP_401_UNAUTHORIZED,
    Forbidden: HTTP_403_FORBIDDEN,
    UnsupportedMediaType: HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    PayloadTooLarge: HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    AuditUnavailable: HTTP_503_SERVICE_UNAVAILABLE,
}


def status_for(exc: ServiceError) -> int:
    for error_type in type(exc).__mro__:
        if error_type in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[error_type]
    return HTTP_500_INTERNAL_SERVER_ERROR


def service_error_response(_: Request[Any, Any, Any], exc: Exception) -> Response[object]:
    if isinstance(exc, ServiceError):
        status = status_for(exc)
        return Response({"status_code": status, "detail": str(exc)}, status_code=status)
    if isinstance(exc, HTTPException):  # pragma: no cover - Litestar handles these itself
        raise exc
    raise exc  # pragma: no cover - only ServiceError is registered for this handler
