"""Write-once objects in an S3 bucket with object lock (MinIO in production).

Facts about MinIO and minio 7.2 this adapter is built on (SeaweedFS 4.48 behaves alike,
but answers a refused delete with ``AccessDenied`` where MinIO says ``InvalidRequest``):

* Object lock can only be switched on when a bucket is created (it turns versioning on).
  A version put with ``x-amz-object-lock-mode: COMPLIANCE`` and a retain-until date cannot
  be deleted, nor its retention shortened, before that date, not even by the root user.
* A delete without a version id still "succeeds": it adds a delete marker that hides the
  object from a plain listing. :meth:`S3WormStore.versions` therefore lists versions.
* ``put_object`` would turn an ``If-None-Match`` header into user metadata, so the single
  small put goes through the client's plain PutObject call (its private API, pinned in
  ``pyproject.toml`` as for :mod:`storage.s3`). Over plain HTTP the client sends no
  Content-MD5, which object lock requires: it is added here.
"""

from __future__ import annotations

import base64
import hashlib
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.objectlockconfig import DAYS, ObjectLockConfig

from storage.errors import (
    ObjectExists,
    StorageError,
    StoreUnavailable,
    WormNotEnforced,
)
from storage.keys import validate_key, validate_prefix
from storage.s3 import VENDOR_ERRORS, bounded_client, describe, translate_error, utc
from storage.worm import LockedVersion

if TYPE_CHECKING:
    from collections.abc import Iterator

_NO_LOCK_CODES = frozenset({"ObjectLockConfigurationNotFoundError", "InvalidRequest"})


class S3WormStore:
    """A :class:`~storage.worm.WormStore` over one S3 bucket with object lock."""

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool,
        region: str | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._bucket = bucket
        # Bounded like S3ObjectStore's client: a checkpoint write must fail in seconds.
        self._client = bounded_client(
            endpoint=endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            read_timeout=30.0,
            connections=4,
        )

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def enforced(self) -> bool:
        return True

    def describe(self) -> str:
        return f"S3 bucket {self._where()} (object lock, COMPLIANCE mode)"

    def ensure_bucket(self, *, default_retention_days: int) -> None:
        """Create the bucket with object lock and a COMPLIANCE default, if it is missing.

        An existing bucket is left exactly as it is: whether it is fit is :meth:`check`'s
        to say, and an operator's lock configuration is not the portal's to change.
        """
        with self._boundary(action="create bucket", key=None):
            if self._client.bucket_exists(bucket_name=self._bucket):
                return
            try:
                self._client.make_bucket(bucket_name=self._bucket, object_lock=True)
            except S3Error as exc:
                if exc.code in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    return
                raise
            self._client.set_object_lock_config(
                bucket_name=self._bucket,
                config=ObjectLockConfig(COMPLIANCE, default_retention_days, DAYS),
            )

    def put_locked(self, key: str, data: bytes, *, retain_until: datetime) -> LockedVersion:
        validate_key(key)
        if retain_until.tzinfo is None:
            raise ValueError("retain_until must be timezone-aware")
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-MD5": base64.b64encode(hashlib.md5(data).digest()).decode(),  # noqa: S324 - S3's integrity header, not a security hash
            "x-amz-object-lock-mode": COMPLIANCE,
            "x-amz-object-lock-retain-until-date": retain_until.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%f"
            )[:-3]
            + "Z",
            # Write once: a second put under the key is refused by the server itself.
            "If-None-Match": "*",
        }
        client: Any = self._client  # PutObject with our own headers is minio's private API
        try:
            result = client._put_object(self._bucket, key, data, headers)
        except S3Error as exc:
            if exc.code == "PreconditionFailed":
                raise ObjectExists(key) from exc
            raise self._translate(exc, action="store", key=key) from exc
        except VENDOR_ERRORS as exc:
            raise self._translate(exc, action="store", key=key) from exc
        # Described as the listing describes it (stat rounds the time to seconds), so the
        # version returned equals the one versions() yields.
        for version in self.versions(key):
            if version.key == key and version.version_id == (result.version_id or ""):
                return version
        raise StorageError(f"WORM store {self._where()} does not list {key!r} just stored")

    def versions(self, prefix: str) -> Iterator[LockedVersion]:
        validate_prefix(prefix)
        with self._boundary(action="list", key=prefix or None):
            found = [
                item
                for item in self._client.list_objects(
                    bucket_name=self._bucket,
                    prefix=prefix or None,
                    recursive=True,
                    include_version=True,
                )
                if not item.is_delete_marker and item.object_name is not None
            ]
        # S3 lists keys in order and each key's versions newest first; oldest first
        # reads as the history (times may tie, the server's order does not).
        for _, group in groupby(found, key=lambda item: item.object_name):
            yield from (_version(item) for item in reversed(list(group)))

    def read(self, version: LockedVersion) -> bytes:
        validate_key(version.key)
        with self._boundary(action="read", key=version.key):
            response = self._client.get_object(
                bucket_name=self._bucket,
                object_name=version.key,
                version_id=version.version_id or None,
            )
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def check(self) -> None:
        try:
            exists = self._client.bucket_exists(bucket_name=self._bucket)
            if not exists:
                raise StoreUnavailable(f"WORM store {self._where()}: the bucket does not exist")
            config = self._client.get_object_lock_config(bucket_name=self._bucket)
        except S3Error as exc:
            if exc.code in _NO_LOCK_CODES:
                raise WormNotEnforced(
                    f"WORM bucket {self._where()} has no object lock: it must be created "
                    "with object lock enabled (it cannot be switched on later)"
                ) from exc
            raise self._translate(exc, action="check", key=None) from exc
        except VENDOR_ERRORS as exc:
            raise StoreUnavailable(
                f"WORM store {self._where()} is unavailable: {describe(exc)}"
            ) from exc
        if config.mode != COMPLIANCE:
            found = config.mode or "no default retention"
            raise WormNotEnforced(
                f"WORM bucket {self._where()} has object lock but {found}, not COMPLIANCE "
                "mode: in GOVERNANCE mode (or without a default) privileged users can "
                "still delete"
            )

    @contextmanager
    def _boundary(self, *, action: str, key: str | None) -> Iterator[None]:
        try:
            yield
        except VENDOR_ERRORS as exc:
            raise self._translate(exc, action=action, key=key) from exc

    def _translate(self, exc: Exception, *, action: str, key: str | None) -> StorageError:
        return translate_error(exc, action=action, key=key, where=f"WORM store {self._where()}")

    def _where(self) -> str:
        return f"{self._endpoint}/{self._bucket}"


def _version(item: Any) -> LockedVersion:
    return LockedVersion(
        key=str(item.object_name),
        version_id=item.version_id or "",
        size=item.size or 0,
        last_modified=utc(item.last_modified),
    )
