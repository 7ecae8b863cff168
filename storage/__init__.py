"""Object storage for the portal's (already encrypted) documents.

One contract, :class:`ObjectStore`, with three implementations that pass the same contract
tests: :class:`S3ObjectStore` (MinIO or any S3), :class:`LocalObjectStore` (a directory)
and :class:`MemoryObjectStore` (the in-memory twin for unit tests). Keys follow one rule
everywhere, :func:`validate_key`. This package imports nothing from ``portal``.

Every failure leaves a store as one of these; vendor errors (minio's ``S3Error``, urllib3
errors, ``OSError``) are translated at the boundary and never carry object contents::

    StorageError                 anything that went wrong storing or fetching
    ├── ObjectNotFound           no object under the key (.key)
    ├── InvalidKey               the key breaks the key rules (.key, .reason)
    ├── ObjectExists             a write-once key is taken already (.key)
    └── StoreUnavailable         cannot reach the store, or it is misconfigured
        ├── StoreFull            no room for the object (disk full, quota)
        └── WormNotEnforced      a WORM bucket without object lock in COMPLIANCE mode

A second, narrower contract, :class:`WormStore`, keeps write-once records (the audit
log's signed checkpoints) in an S3 bucket with object lock (:class:`S3WormStore`), or,
enforcing nothing, in a directory (:class:`LocalWormStore`) or in memory.

The one exception: an exception raised by the *source* of a ``put`` propagates unchanged.
"""

from storage.contract import ObjectInfo, ObjectStore
from storage.errors import (
    InvalidKey,
    ObjectExists,
    ObjectNotFound,
    StorageError,
    StoreFull,
    StoreUnavailable,
    WormNotEnforced,
)
from storage.keys import MAX_KEY_LENGTH, validate_key
from storage.local import LocalObjectStore
from storage.memory import MemoryObjectStore
from storage.s3 import S3ObjectStore
from storage.worm import LockedVersion, WormStore
from storage.worm_local import LocalWormStore
from storage.worm_memory import MemoryWormStore
from storage.worm_s3 import S3WormStore

__all__ = [
    "MAX_KEY_LENGTH",
    "InvalidKey",
    "LocalObjectStore",
    "LocalWormStore",
    "LockedVersion",
    "MemoryObjectStore",
    "MemoryWormStore",
    "ObjectExists",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "S3ObjectStore",
    "S3WormStore",
    "StorageError",
    "StoreFull",
    "StoreUnavailable",
    "WormNotEnforced",
    "WormStore",
    "validate_key",
]
