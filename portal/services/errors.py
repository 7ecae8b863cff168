"""The service layer's error tree (see ``portal.services``).

Each error carries a :class:`~portal.domain.refusal_codes.RefusalCode`: the stable reason a
page or partner system explains (``grant-ended``, ``consent-withdrawn``), next to the
English message. A class gives the code that fits any of its instances; a raise that
knows more passes a more specific one (``Conflict(..., code=RefusalCode.ALREADY_EXISTS)``).
"""

from __future__ import annotations

from portal.domain.refusal_codes import RefusalCode


class ServiceError(Exception):
    """Base of every error a use case raises on purpose; its message is safe to show."""

    code: RefusalCode = RefusalCode.BAD_REQUEST

    def __init__(self, message: str, *, code: RefusalCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class NotFound(ServiceError):
    """It does not exist, or the caller may not learn that it does."""

    # Raised plain: a more specific code would tell what the caller may not know exists.
    code = RefusalCode.NOT_FOUND


class Conflict(ServiceError):
    """It exists already, or its current state forbids the change."""

    code = RefusalCode.CONFLICT


class InvalidInput(ServiceError):
    """The request names something impossible: an unknown code, a malformed name."""

    code = RefusalCode.VALIDATION_FAILED


class NotAuthenticated(ServiceError):
    """No valid credentials came with the request."""

    code = RefusalCode.NOT_AUTHENTICATED


class Forbidden(ServiceError):
    """The caller is known but the rules do not allow this; the message gives the reason."""

    code = RefusalCode.NOT_ALLOWED


class UnsupportedMediaType(ServiceError):
    """The document's type is not accepted, or does not match what was declared."""

    code = RefusalCode.FILE_TYPE_NOT_ALLOWED


class PayloadTooLarge(ServiceError):
    """The document is larger than the portal accepts."""

    code = RefusalCode.TOO_LARGE


class Locked(ServiceError):
    """Someone else is changing it right now (another request writes the same upload)."""

    code = RefusalCode.BUSY


class TimedOut(ServiceError):
    """The client stopped sending before the request was complete; what arrived is kept."""

    code = RefusalCode.TIMED_OUT


class AuditUnavailable(ServiceError):
    """The audit record could not be written, so the action did not happen (fail closed)."""

    code = RefusalCode.AUDIT_UNAVAILABLE
