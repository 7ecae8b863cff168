"""Objects in an S3 bucket through the ``minio`` client (MinIO in production, any S3).

Facts about minio 7.2 this adapter is built on:

* ``put_object(length=-1)`` reads the source part by part; a source that raises makes the
  client abort the multipart upload it started, and the exception propagates. Should the
  abort itself fail, the bucket's lifecycle rule (see :meth:`S3ObjectStore.ensure_bucket`)
  or MinIO's own stale-upload cleanup removes the incomplete upload after a day.
* Its part reader concatenates ``bytes`` read by read, which is quadratic for a source
  returning small chunks; a buffered reader in front hands it whole parts instead.
* Its parallel part uploads (the default, three threads) leave the pool threads of a
  failed upload blocked forever, and keep uploading queued parts after the abort. Client
  aborts are routine for an upload portal, so :meth:`S3ObjectStore._upload` drives the
  multipart protocol itself (minio's private methods, hence the exact pin in
  ``pyproject.toml``), ``parallel_parts`` (default 2) at a time from a pool whose threads
  all end before the abort.
* ``get_object`` responses must be closed *and* released, or the pool of ten connections
  runs dry.
* With versioning on, deleting a key only adds a delete marker: destruction removes every
  version explicitly.
"""

from __future__ import annotations

import io
import logging
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED, Filter
from minio.datatypes import Part
from minio.error import MinioException, S3Error
from minio.lifecycleconfig import AbortIncompleteMultipartUpload, LifecycleConfig, Rule
from minio.versioningconfig import VersioningConfig

from storage.contract import ObjectInfo
from storage.errors import ObjectNotFound, StorageError, StoreUnavailable
from storage.keys import validate_key, validate_prefix

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
DEFAULT_PART_SIZE = 16 * MIB
_READ_BUFFER = 1 * MIB
# Two parts in flight nearly doubled put throughput on two cores; more added nothing.
DEFAULT_PARALLEL_PARTS = 2

# Codes meaning "this store is not usable as configured", as opposed to a failed request.
_UNAVAILABLE_CODES = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthorizationHeaderMalformed",
        "InvalidBucketName",
        "NoSuchBucket",
        "XMinioServerNotInitialized",
        "ServiceUnavailable",
        "SlowDown",
    }
)
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchVersion"})
# What servers answer when they do not implement a bucket feature.
_UNSUPPORTED_CODES = frozenset({"NotImplemented", "MethodNotAllowed", "InvalidRequest"})
_LIFECYCLE_RULE_ID = "abort-incomplete-multipart-uploads"
# Everything the client and its HTTP stack raise; translated at this module's boundary.
VENDOR_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


def _read_part(reader: io.BufferedIOBase, size: int) -> bytes:
    """Exactly ``size`` bytes, or fewer only at the end of the source."""
    chunks = []
    remaining = size
    while remaining:
        chunk = reader.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _collect(pending: dict[Future[str], int], return_when: str) -> list[Part]:
    """Wait for uploaded parts; the first failure is raised."""
    done, _ = wait(pending, return_when=return_when)
    parts = []
    for future in done:
        number = pending.pop(future)
        parts.append(Part(part_number=number, etag=future.result()))
    return parts


def bounded_client(
    *,
    endpoint: str,
    access_key: str,
    secret_key: str,
    secure: bool,
    region: str | None,
    read_timeout: float,
    connections: int,
) -> Minio:
    """A MinIO client that fails in seconds when the endpoint is away.

    The client's default retries everything five times with back-off: a readiness check
    or a checkpoint write on a dead endpoint would hang. One connect retry; server errors
    (5xx) are still retried with back-off.
    """
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5.0, read=read_timeout),
        maxsize=connections,
        retries=urllib3.Retry(
            total=3, connect=1, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)
        ),
    )
    return Minio(
        endpoint=endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region,
        http_client=http,
    )


class S3ObjectStore:
    """An :class:`~storage.contract.ObjectStore` over one S3 bucket.

    ``endpoint`` is ``host:port`` without scheme; ``secure`` chooses HTTPS. A put uploads
    up to ``parallel_parts`` parts at once and holds one more being read: at most
    ``(parallel_parts + 1) * part_size`` in memory (parts are at least 5 MiB by S3 rules).
    """

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool,
        region: str | None = None,
        part_size: int = DEFAULT_PART_SIZE,
        parallel_parts: int = DEFAULT_PARALLEL_PARTS,
    ) -> None:
        if part_size < 5 * MIB:
            raise ValueError("part_size must be at least 5 MiB (the S3 minimum part size)")
        if parallel_parts < 1:
            raise ValueError("parallel_parts must be at least 1")
        self._parallel_parts = parallel_parts
        self._endpoint = endpoint
        self._bucket = bucket
        self._part_size = part_size
        self._client = bounded_client(
            endpoint=endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            read_timeout=300.0,
            connections=10,
        )

    @property
    def bucket(self) -> str:
        return self._bucket

    def ensure_bucket(self, *, versioning: bool = False) -> None:
        """Create the bucket if missing, with a rule that aborts stale multipart uploads.

        An upload interrupted by a crash between the first part and the abort would
        otherwise keep its parts, and their ciphertext, forever. A server that refuses
        versioning or the rule gets a logged warning: MinIO refuses this rule (it cleans
        stale uploads itself, see ``MINIO_API_STALE_UPLOADS_EXPIRY``); SeaweedFS 4.48
        accepts both.
        """
        with self._boundary(action="create bucket", key=None):
            if not self._client.bucket_exists(bucket_name=self._bucket):
                try:
                    self._client.make_bucket(bucket_name=self._bucket)
                except S3Error as exc:
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
        if versioning:
            self._configure(
                "versioning",
                lambda: self._client.set_bucket_versioning(
                    bucket_name=self._bucket, config=VersioningConfig(status=ENABLED)
                ),
                tolerate=_UNSUPPORTED_CODES,
                consequence="objects are kept in a single version",
            )
        rule = Rule(
            status=ENABLED,
            rule_filter=Filter(prefix=""),
            rule_id=_LIFECYCLE_RULE_ID,
            abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(
                days_after_initiation=1
            ),
        )
        self._configure(
            "lifecycle rule",
            lambda: self._client.set_bucket_lifecycle(
                bucket_name=self._bucket, config=LifecycleConfig(rules=[rule])
            ),
            # MinIO rejects the AbortIncompleteMultipartUpload action as malformed XML.
            tolerate=_UNSUPPORTED_CODES | {"InvalidArgument", "MalformedXML"},
            consequence=(
                "stale multipart uploads are left to the server (MinIO removes them after "
                "MINIO_API_STALE_UPLOADS_EXPIRY, 24 h by default; check other servers)"
            ),
        )

    def put(self, key: str, source: BinaryIO) -> ObjectInfo:
        validate_key(key)
        raw = _SourceReader(source)
        reader = io.BufferedReader(raw, buffer_size=_READ_BUFFER)
        try:
            version_id = self._upload(key, reader)
        except Exception as exc:
            if raw.error is None:
                raise self._translate(exc, action="store", key=key) from exc
            if exc is not raw.error:
                # The client's abort of the upload failed after the source did; the
                # lifecycle rule (or MinIO's stale-upload cleanup) removes the leftover
                # parts. The caller needs the source's error, not ours.
                logger.warning(
                    "aborting the upload of %r failed (%s); stale-upload cleanup removes it",
                    key,
                    type(exc).__name__,
                )
                raise raw.error from None
            raise
        return self._stat(key, version_id=version_id)

    def _upload(self, key: str, reader: io.BufferedIOBase) -> str | None:
        """Upload in parts, ``parallel_parts`` at a time; on any failure nothing remains.

        minio's own parallel uploader leaves its threads blocked for ever when the source
        fails midway, so the multipart protocol is driven here with a bounded pool whose
        threads all end before the upload is aborted.
        """
        first = _read_part(reader, self._part_size)
        if len(first) < self._part_size:
            result = self._client.put_object(
                bucket_name=self._bucket, object_name=key, data=io.BytesIO(first), length=len(first)
            )
            return result.version_id
        client: Any = self._client  # the multipart calls are minio's private API (pinned)
        upload_id: str = client._create_multipart_upload(
            self._bucket, key, {"Content-Type": "application/octet-stream"}
        )
        parts: list[Part] = []
        pool = ThreadPoolExecutor(max_workers=self._parallel_parts, thread_name_prefix="s3-part")
        try:
            pending: dict[Future[str], int] = {}
            number, data = 1, first
            while data:
                if len(pending) >= self._parallel_parts:
                    parts.extend(_collect(pending, FIRST_COMPLETED))
                future = pool.submit(
                    client._upload_part,
                    self._bucket,
                    key,
                    data,
                    None,
                    upload_id,
                    number,
                )
                pending[future] = number
                number += 1
                data = _read_part(reader, self._part_size)
            parts.extend(_collect(pending, ALL_COMPLETED))
            result = client._complete_multipart_upload(
                self._bucket, key, upload_id, sorted(parts, key=lambda p: p.part_number)
            )
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            try:
                client._abort_multipart_upload(self._bucket, key, upload_id)
            except VENDOR_ERRORS as abort_error:
                logger.warning(
                    "aborting the upload of %r failed (%s); stale-upload cleanup removes it",
                    key,
                    type(abort_error).__name__,
                )
            raise
        pool.shutdown(wait=True)
        version: str | None = result.version_id
        return version

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        validate_key(key)
        with self._boundary(action="read", key=key):
            response = self._client.get_object(bucket_name=self._bucket, object_name=key)
        try:
            raw = _ResponseReader(
                response, lambda exc: self._translate(exc, action="read", key=key)
            )
            yield io.BufferedReader(raw, _READ_BUFFER)
        finally:
            response.close()
            response.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        return self._stat(key, version_id=None)

    def delete(self, key: str) -> int:
        validate_key(key)
        with self._boundary(action="delete", key=key):
            # Non-recursive: the listing of "a" then stops at "a/" instead of walking
            # everything below it; only the exact name matters here.
            versions = [
                item
                for item in self._client.list_objects(
                    bucket_name=self._bucket, prefix=key, include_version=True
                )
                if item.object_name == key
            ]
            for item in versions:
                self._client.remove_object(
                    bucket_name=self._bucket, object_name=key, version_id=item.version_id
                )
        return len(versions)

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        with self._boundary(action="list", key=prefix or None):
            for item in self._client.list_objects(
                bucket_name=self._bucket, prefix=prefix or None, recursive=True
            ):
                yield ObjectInfo(
                    key=item.object_name,
                    size=item.size or 0,
                    last_modified=utc(item.last_modified),
                )

    def abort_stale_uploads(self, *, before: datetime, dry_run: bool = False) -> int:
        """Abort the bucket's incomplete multipart uploads initiated before ``before``.

        These are the uploads whose own abort failed (the server was down) or never ran
        (the process was killed); until now only MinIO's stale-upload expiry removed them.
        """
        with self._boundary(action="abort stale uploads in", key=None):
            stale = [
                (name, upload_id)
                for name, upload_id, initiated in self._incomplete_uploads()
                if initiated < before
            ]
            if not dry_run:
                client: Any = self._client  # minio's private API (pinned)
                for name, upload_id in stale:
                    client._abort_multipart_upload(self._bucket, name, upload_id)
        return len(stale)

    def _incomplete_uploads(self) -> Iterator[tuple[str, str, datetime]]:
        """(key, upload id, initiated) of every incomplete multipart upload in the bucket.

        Pages by key only: minio 7.2 drops ``NextUploadIdMarker``, so uploads of one key
        beyond a page's end wait for the next run.
        """
        client: Any = self._client
        key_marker: str | None = None
        while True:
            result = client._list_multipart_uploads(
                bucket_name=self._bucket, key_marker=key_marker, max_uploads=1000
            )
            for upload in result.uploads:
                if upload.upload_id is not None:
                    yield upload.object_name, upload.upload_id, utc(upload.initiated_time)
            if not result.is_truncated or not result.next_key_marker:
                return
            key_marker = result.next_key_marker

    def check(self) -> None:
        try:
            exists = self._client.bucket_exists(bucket_name=self._bucket)
        except VENDOR_ERRORS as exc:
            raise StoreUnavailable(
                f"S3 store {self._where()} is unavailable: {describe(exc)}"
            ) from exc
        if not exists:
            raise StoreUnavailable(f"S3 store {self._where()}: the bucket does not exist")

    def _stat(self, key: str, *, version_id: str | None) -> ObjectInfo:
        with self._boundary(action="stat", key=key):
            item = self._client.stat_object(
                bucket_name=self._bucket, object_name=key, version_id=version_id
            )
        return ObjectInfo(key=key, size=item.size or 0, last_modified=utc(item.last_modified))

    def _configure(
        self,
        feature: str,
        apply: Callable[[], object],
        *,
        tolerate: frozenset[str],
        consequence: str,
    ) -> None:
        try:
            apply()
        except S3Error as exc:
            if exc.code not in tolerate:
                raise self._translate(exc, action=f"set {feature} on", key=None) from exc
            logger.warning(
                "S3 store %s refused the bucket %s (%s: %s); %s",
                self._where(),
                feature,
                exc.code,
                exc.message,
                consequence,
            )
        except VENDOR_ERRORS as exc:
            raise self._translate(exc, action=f"set {feature} on", key=None) from exc

    @contextmanager
    def _boundary(self, *, action: str, key: str | None) -> Iterator[None]:
        try:
            yield
        except VENDOR_ERRORS as exc:
            raise self._translate(exc, action=action, key=key) from exc

    def _translate(self, exc: Exception, *, action: str, key: str | None) -> StorageError:
        return translate_error(exc, action=action, key=key, where=f"S3 store {self._where()}")

    def _where(self) -> str:
        return f"{self._endpoint}/{self._bucket}"


class _SourceReader(io.RawIOBase):
    """The caller's source as a raw stream, remembering the exception it raised.

    ``put`` must tell the source's failure (propagated as is) from the client's (translated).
    """

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._source.read(len(buffer))
        except BaseException as exc:
            self.error = exc
            raise
        size = len(data)
        if size > len(buffer):
            raise ValueError("the source returned more bytes than asked for")
        buffer[:size] = data
        return size


class _ResponseReader(io.RawIOBase):
    """A ``get_object`` response as a raw stream whose read errors are storage errors."""

    def __init__(self, response: Any, translate: Callable[[Exception], StorageError]) -> None:
        super().__init__()
        self._response = response
        self._translate = translate

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data: bytes = self._response.read(len(buffer))
        except VENDOR_ERRORS as exc:
            raise self._translate(exc) from exc
        size = len(data)
        buffer[:size] = data
        return size


def translate_error(exc: Exception, *, action: str, key: str | None, where: str) -> StorageError:
    """The storage error for what the MinIO client or its HTTP stack raised."""
    if isinstance(exc, S3Error) and exc.code in _NOT_FOUND_CODES and key is not None:
        return ObjectNotFound(key)
    what = f"{action} {key!r}" if key is not None else action
    message = f"cannot {what} in {where}: {describe(exc)}"
    if isinstance(exc, S3Error) and exc.code not in _UNAVAILABLE_CODES:
        return StorageError(message)
    if isinstance(exc, VENDOR_ERRORS):
        return StoreUnavailable(message)
    return StorageError(message)


def utc(value: datetime | None) -> datetime:
    if value is None:
        raise StorageError("the S3 server returned an object without a modification time")
    return value.astimezone(UTC)


def describe(exc: BaseException) -> str:
    # S3Error's str() carries request and host ids too; the code and message suffice.
    if isinstance(exc, S3Error):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"
