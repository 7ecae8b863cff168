"""The service layer's error tree (see ``portal.services``)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a use case raises on purpose; its message is safe to show."""


class NotFound(ServiceError):
    """It does not exist, or the caller may not learn that it does."""


class Conflict(ServiceError):
    """It exists already, or its current state forbids the change."""


class InvalidInput(ServiceError):
    """The request names something impossible: an unknown code, a malformed name."""


class NotAuthenticated(ServiceError):
    """No valid credentials came with the request."""


class Forbidden(ServiceError):
    """The caller is known but the rules do not allow this; the message gives the reason."""


class UnsupportedMediaType(ServiceError):
    """The document's type is not accepted, or does not match what was declared."""


class PayloadTooLarge(ServiceError):
    """The document is larger than the portal accepts."""


class Locked(ServiceError):
    """Someone else is changing it right now (another request writes the same upload)."""


class TimedOut(ServiceError):
    """The client stopped sending before the request was complete; what arrived is kept."""


class AuditUnavailable(ServiceError):
    """The audit record could not be written, so the action did not happen (fail closed)."""
