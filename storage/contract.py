"""What every object store promises: the :class:`ObjectStore` protocol and its values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager


@dataclass(frozen=True, kw_only=True, slots=True)
class ObjectInfo:
    """A stored object as the store sees it. ``last_modified`` is timezone-aware UTC."""

    key: str
    size: int
    last_modified: datetime


class ObjectStore(Protocol):
    """A flat namespace of immutable blobs under validated keys.

    Synchronous by design: the S3 client is synchronous, so async callers run every call
    in a worker thread (``asyncio.to_thread``) and iterate ``list`` there too.

    Every method validates its key with :func:`storage.keys.validate_key` first and raises
    :class:`~storage.errors.InvalidKey` before touching the backend.
    """

    def put(self, key: str, source: BinaryIO) -> ObjectInfo:
        """Store everything ``source`` yields until EOF under ``key``, replacing any object.

        The length need not be known in advance and memory stays bounded whatever the size.
        The new object becomes visible only once complete: if ``source.read()`` raises, that
        exception propagates unchanged and nothing new is left behind (no object, no partial
        file, no incomplete multipart upload); an object that was already there stays.
        A caller whose client aborts must therefore make ``read`` raise, never return EOF,
        or the truncated data is committed as a complete object.
        """
        ...

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A readable stream of the object; connections and files are released on exit."""
        ...

    def stat(self, key: str) -> ObjectInfo:
        """Size and modification time of the object, or :class:`ObjectNotFound`."""
        ...

    def delete(self, key: str) -> int:
        """Destroy the object, every stored version of it included. Missing keys are fine.

        Returns how many stored versions were removed (delete markers included): 0 for a
        missing key, 1 for a store without versioning.
        """
        ...

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix`` (plain string match), in key order.

        ``prefix`` is empty, a valid key, or a valid key followed by ``/``.
        """
        ...

    def abort_stale_uploads(self, *, before: datetime, dry_run: bool = False) -> int:
        """Remove what uploads that never finished left behind, begun before ``before``.

        An upload killed with its process (or its server) leaves an incomplete multipart
        upload in S3, or a temporary file in a directory; this is their cleanup. Returns how
        many were removed, or with ``dry_run`` how many would be, removing nothing. An
        upload begun at or after ``before`` is never touched: it may still be running.
        """
        ...

    def check(self) -> None:
        """Readiness: return if the store can serve, raise :class:`StoreUnavailable` if not."""
        ...
