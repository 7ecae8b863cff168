"""An in-memory write-once store: the twin of the real WORM stores for unit tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from storage.errors import ObjectExists, ObjectNotFound
from storage.keys import validate_key, validate_prefix
from storage.worm import LockedVersion

if TYPE_CHECKING:
    from collections.abc import Iterator


class MemoryWormStore:
    """Write-once objects in a dict; enforces the contract, protects against nobody."""

    def __init__(self) -> None:
        self._objects: dict[str, tuple[LockedVersion, bytes]] = {}
        self._lock = threading.Lock()

    @property
    def enforced(self) -> bool:
        return False

    def describe(self) -> str:
        return "process memory (NOT WORM: for tests only)"

    def put_locked(self, key: str, data: bytes, *, retain_until: datetime) -> LockedVersion:
        validate_key(key)
        if retain_until.tzinfo is None:
            raise ValueError("retain_until must be timezone-aware")
        version = LockedVersion(
            key=key, version_id="", size=len(data), last_modified=datetime.now(UTC)
        )
        with self._lock:
            if key in self._objects:
                raise ObjectExists(key)
            self._objects[key] = (version, bytes(data))
        return version

    def versions(self, prefix: str) -> Iterator[LockedVersion]:
        validate_prefix(prefix)
        with self._lock:
            found = [
                version for key, (version, _) in self._objects.items() if key.startswith(prefix)
            ]
        yield from sorted(found, key=lambda version: version.key)

    def read(self, version: LockedVersion) -> bytes:
        validate_key(version.key)
        with self._lock:
            stored = self._objects.get(version.key)
        if stored is None:
            raise ObjectNotFound(version.key)
        return stored[1]

    def check(self) -> None:
        """Always ready: there is nothing to reach."""
