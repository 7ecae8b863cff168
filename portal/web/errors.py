"""One table from service errors to HTTP status codes; messages are safe to show."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from portal.services.errors import Conflict, InvalidInput, NotFound, ServiceError

STATUS_BY_ERROR: dict[type[ServiceError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    Conflict: HTTP_409_CONFLICT,
    InvalidInput: HTTP_400_BAD_REQUEST,
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
