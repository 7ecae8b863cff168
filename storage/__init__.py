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
    └── StoreUnavailable         cannot reach the store, or it is misconfigured
        └── StoreFull            no room for the object (disk full, quota)

The one exception: an exception raised by the *source* of a ``put`` propagates unchanged.
"""

from storage.contract import ObjectInfo, ObjectStore
from storage.errors import (
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StoreFull,
    StoreUnavailable,
)
from storage.keys import MAX_KEY_LENGTH, validate_key
from storage.local import LocalObjectStore
from storage.memory import MemoryObjectStore
from storage.s3 import S3ObjectStore

__all__ = [
    "MAX_KEY_LENGTH",
    "InvalidKey",
    "LocalObjectStore",
    "MemoryObjectStore",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "S3ObjectStore",
    "StorageError",
    "StoreFull",
    "StoreUnavailable",
    "validate_key",
]
