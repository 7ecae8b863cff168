"""An in-memory object store: the fast twin of the real stores for unit tests of services.

It keeps the whole contract (key rules, all-or-nothing put, errors) but holds every object
in RAM, so it is no place for large documents.
"""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

from storage.contract import ObjectInfo
from storage.errors import ObjectNotFound
from storage.keys import validate_key, validate_prefix

if TYPE_CHECKING:
    from collections.abc import Iterator

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Stored:
    data: bytes
    last_modified: datetime


class MemoryObjectStore:
    """Objects in a dict, guarded by a lock so worker threads can share one store."""

    def __init__(self) -> None:
        self._objects: dict[str, _Stored] = {}
        self._lock = threading.Lock()

    def put(self, key: str, source: BinaryIO) -> ObjectInfo:
        validate_key(key)
        chunks = []
        # Nothing is stored until the source reached EOF: a raising source leaves no trace.
        while chunk := source.read(_CHUNK):
            chunks.append(chunk)
        stored = _Stored(data=b"".join(chunks), last_modified=datetime.now(UTC))
        with self._lock:
            self._objects[key] = stored
        return _info(key, stored)

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        stored = self._get(key)
        with io.BytesIO(stored.data) as stream:
            yield stream

    def stat(self, key: str) -> ObjectInfo:
        return _info(key, self._get(key))

    def delete(self, key: str) -> int:
        validate_key(key)
        with self._lock:
            return 0 if self._objects.pop(key, None) is None else 1

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        with self._lock:
            matches = sorted(
                ((key, stored) for key, stored in self._objects.items() if key.startswith(prefix)),
                key=lambda item: item[0],
            )
        for key, stored in matches:
            yield _info(key, stored)

    def abort_stale_uploads(self, *, before: datetime, dry_run: bool = False) -> int:  # noqa: ARG002
        """Nothing to remove: a put stores nothing until its source is complete."""
        return 0

    def check(self) -> None:
        """Always ready: there is nothing to reach."""

    def _get(self, key: str) -> _Stored:
        validate_key(key)
        with self._lock:
            stored = self._objects.get(key)
        if stored is None:
            raise ObjectNotFound(key)
        return stored


def _info(key: str, stored: _Stored) -> ObjectInfo:
    return ObjectInfo(key=key, size=len(stored.data), last_modified=stored.last_modified)
