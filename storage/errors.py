"""The storage error tree; see the package docstring for the drawing."""

from __future__ import annotations


class StorageError(Exception):
    """Something went wrong storing or fetching an object. Base of every storage error."""


class ObjectNotFound(StorageError):
    """No object lives under ``key`` (never stored, deleted, or only a directory there)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object under key {key!r}")
        self.key = key


class InvalidKey(StorageError):
    """The key breaks the key rules of :func:`storage.keys.validate_key`."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"invalid object key {key!r}: {reason}")
        self.key = key
        self.reason = reason


class StoreUnavailable(StorageError):
    """The store cannot be reached or is misconfigured (down, bad credentials, no bucket)."""


class StoreFull(StoreUnavailable):
    """The store has no room for the object (a full disk, a quota): nothing was stored."""


class ObjectExists(StorageError):
    """A write-once store already holds an object under ``key``: it is never replaced."""

    def __init__(self, key: str) -> None:
        super().__init__(f"an object under key {key!r} exists already and is write-once")
        self.key = key


class WormNotEnforced(StoreUnavailable):
    """The write-once store is reachable but does not enforce retention as configured
    (an S3 bucket without object lock, or with a default mode other than COMPLIANCE)."""
