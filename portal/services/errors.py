"""The service layer's error tree (see ``portal.services``)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a use case raises on purpose; its message is safe to show."""


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass
