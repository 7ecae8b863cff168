"""What a write-once store promises: the :class:`WormStore` protocol and its values.

A WORM ("write once, read many") store keeps small records, such as the audit log's
signed checkpoints, outside the database, where whoever can rewrite the database cannot
also take them back. Only :class:`~storage.worm_s3.S3WormStore` over a bucket with S3
object lock in COMPLIANCE mode actually enforces that: there, not even the server's root
account can delete or shorten the retention of a version before its retain-until date.
:class:`~storage.worm_local.LocalWormStore` (the embedded default) and the in-memory twin
keep the same contract for the portal but enforce nothing against an administrator;
:attr:`WormStore.enforced` says which kind a store is, so a reader never mistakes one
for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(frozen=True, kw_only=True, slots=True)
class LockedVersion:
    """One stored version of a write-once object. ``last_modified`` is aware UTC."""

    key: str
    version_id: str
    """The store's id of this version; empty where a store keeps one version per key."""
    size: int
    last_modified: datetime


class WormStore(Protocol):
    """Write-once objects under validated keys (:func:`storage.keys.validate_key`).

    Synchronous, like :class:`~storage.contract.ObjectStore`: async callers run each call
    in a worker thread. There is deliberately no delete.
    """

    @property
    def enforced(self) -> bool:
        """Whether the server itself refuses deletion and overwriting until retain-until."""
        ...

    def describe(self) -> str:
        """Where the objects live and how they are protected, for an operator to read."""
        ...

    def put_locked(self, key: str, data: bytes, *, retain_until: datetime) -> LockedVersion:
        """Store ``data`` under a new ``key``, locked until ``retain_until`` (aware).

        Raises :class:`~storage.errors.ObjectExists` if ``key`` already holds an object:
        a write-once key is never replaced, not even with the same bytes.
        """
        ...

    def versions(self, prefix: str) -> Iterator[LockedVersion]:
        """Every stored version of the objects under ``prefix``, by key, then oldest first.

        Versions hidden behind a delete marker are listed too: a delete without a version
        id (which any holder of write credentials can send) must not hide a record.
        """
        ...

    def read(self, version: LockedVersion) -> bytes:
        """The bytes of exactly that version, or :class:`~storage.errors.ObjectNotFound`."""
        ...

    def check(self) -> None:
        """Raise :class:`~storage.errors.StoreUnavailable` if the store cannot serve, and
        :class:`~storage.errors.WormNotEnforced` if it is an S3 bucket that does not lock
        objects in COMPLIANCE mode."""
        ...
