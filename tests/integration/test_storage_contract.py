"""The ObjectStore contract, run against every implementation.

The same tests run on the local directory store, the in-memory twin, a real MinIO and a
real SeaweedFS (buckets versioned, as in production), so a service tested against the
twin can rely on the same behaviour from the real thing.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, BinaryIO

import pytest

from storage import (
    InvalidKey,
    LocalObjectStore,
    MemoryObjectStore,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    StoreUnavailable,
)
from tests.memory import MIB, peak_rss_growth
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from minio import Minio

    from tests.conftest import RunReport
    from tests.servers.s3 import S3Endpoint

BACKENDS = ["local", "memory", "minio", "seaweedfs"]
S3_BACKENDS = ["minio", "seaweedfs"]

BIG_OBJECT_BYTES = 300 * 1000 * 1000
# Two to three 16 MiB parts in flight plus the interpreter's own churn; far below the
# 300 MB a buffering implementation would need.
S3_PUT_PEAK_BOUND_MIB = 150
LOCAL_PUT_PEAK_BOUND_MIB = 32
GET_PEAK_BOUND_MIB = 32


@dataclass(frozen=True, kw_only=True)
class Backend:
    """A store under test and, for S3, an independent client onto its bucket."""

    name: str
    store: ObjectStore
    s3: Minio | None = None
    bucket: str = ""
    local_root: Path | None = None


class SourceBroke(Exception):
    """What a failing upload source raises (a client that went away mid-upload)."""


class _ChunkReader(io.RawIOBase):
    """A raw stream over an iterable of chunks: unknown length, no len(), no seek."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def stream_of(chunks: Iterable[bytes]) -> BinaryIO:
    return io.BufferedReader(_ChunkReader(chunks))


def random_chunks(total: int, digest: Any, chunk: int = MIB) -> Iterator[bytes]:
    """``total`` random bytes in chunks, fed to ``digest`` as they are produced."""
    remaining = total
    while remaining:
        data = os.urandom(min(chunk, remaining))
        digest.update(data)
        remaining -= len(data)
        yield data


def failing_chunks(good_bytes: int) -> Iterator[bytes]:
    yield from random_chunks(good_bytes, hashlib.sha256())
    raise SourceBroke("the client went away")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name: str = request.param
    if name == "local":
        root = tmp_path / "objects"
        root.mkdir(mode=0o700)
        yield Backend(name=name, store=LocalObjectStore(root), local_root=root)
    elif name == "memory":
        yield Backend(name=name, store=MemoryObjectStore())
    else:
        endpoint: S3Endpoint = request.getfixturevalue(f"{name}_endpoint")
        bucket = f"contract-{uuid.uuid4().hex[:20]}"
        store = endpoint.store(bucket)
        # Production buckets are versioned, so destruction must remove every version.
        store.ensure_bucket(versioning=True)
        client = endpoint.client()
        yield Backend(name=name, store=store, s3=client, bucket=bucket)
        _remove_bucket(client, bucket)


@pytest.fixture
def store(backend: Backend) -> ObjectStore:
    return backend.store


def _remove_bucket(client: Minio, bucket: str) -> None:
    # Frees the test server's disk: the 300 MB objects would otherwise pile up per run.
    for item in client.list_objects(bucket_name=bucket, recursive=True, include_version=True):
        client.remove_object(
            bucket_name=bucket, object_name=item.object_name, version_id=item.version_id
        )
    client.remove_bucket(bucket_name=bucket)


def read_all(store: ObjectStore, key: str) -> bytes:
    with store.open(key) as stream:
        return stream.read()


def incomplete_uploads(backend: Backend, key: str) -> list[str]:
    assert backend.s3 is not None
    # minio 7.2 has no public ListMultipartUploads; its private wrapper is the plain API.
    result = backend.s3._list_multipart_uploads(bucket_name=backend.bucket, prefix=key)
    return [str(upload.upload_id) for upload in result.uploads]


# --- storing and reading -------------------------------------------------------------


def test_a_small_object_round_trips_with_its_size_and_utc_time(store: ObjectStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)

    info = store.put("cases/7/note.txt", io.BytesIO(b"hello, world"))

    assert info.key == "cases/7/note.txt"
    assert info.size == 12
    assert info.last_modified.utcoffset() == timedelta(0)
    assert before <= info.last_modified <= datetime.now(UTC) + timedelta(seconds=2)
    assert read_all(store, "cases/7/note.txt") == b"hello, world"
    assert store.stat("cases/7/note.txt") == info


def test_an_empty_object_round_trips(store: ObjectStore) -> None:
    info = store.put("empty", io.BytesIO(b""))

    assert info.size == 0
    assert read_all(store, "empty") == b""


def test_put_streams_a_source_of_unknown_length_across_several_parts(
    store: ObjectStore,
) -> None:
    # 40 MiB in odd-sized chunks: more than two 16 MiB S3 parts, none aligned to a part.
    digest = hashlib.sha256()
    source = stream_of(random_chunks(40 * MIB, digest, chunk=3 * MIB + 17))

    info = store.put("cases/7/big.gpg", source)

    assert info.size == 40 * MIB
    assert hashlib.sha256(read_all(store, "cases/7/big.gpg")).digest() == digest.digest()


def test_overwriting_a_key_replaces_its_content(store: ObjectStore) -> None:
    store.put("doc", io.BytesIO(b"first version"))

    info = store.put("doc", io.BytesIO(b"second"))

    assert read_all(store, "doc") == b"second"
    assert store.stat("doc").size == info.size == 6
    assert [item.key for item in store.list("")] == ["doc"]


def test_keys_at_the_edge_of_the_rules_are_accepted(store: ObjectStore) -> None:
    longest = "k" * 255 + "/" + "k" * 254 + "/k"  # 512 characters, segments at 255
    keys = ["a/.hidden", "x..y/-_.", "A-Z_a.z/0-9", longest]
    for key in keys:
        store.put(key, io.BytesIO(key.encode()))

    for key in keys:
        assert read_all(store, key) == key.encode()


@pytest.mark.slow
def test_a_300_mb_object_streams_in_and_out_with_bounded_memory(
    backend: Backend, run_report: RunReport
) -> None:
    if backend.name == "memory":
        pytest.skip("the in-memory twin holds every object in RAM by design")
    store = backend.store
    bound = LOCAL_PUT_PEAK_BOUND_MIB if backend.name == "local" else S3_PUT_PEAK_BOUND_MIB
    written = hashlib.sha256()

    with peak_rss_growth() as put_peak:
        started = time.perf_counter()
        info = store.put("cases/7/huge.gpg", stream_of(random_chunks(BIG_OBJECT_BYTES, written)))
        put_seconds = time.perf_counter() - started

    read = hashlib.sha256()
    with peak_rss_growth() as get_peak:
        started = time.perf_counter()
        with store.open("cases/7/huge.gpg") as stream:
            while chunk := stream.read(MIB):
                read.update(chunk)
        get_seconds = time.perf_counter() - started

    store.delete("cases/7/huge.gpg")
    run_report.figure(
        f"storage {backend.name}: 300 MB put peak +{put_peak.growth_mib:.0f} MiB, "
        f"get peak +{get_peak.growth_mib:.0f} MiB, "
        f"put {BIG_OBJECT_BYTES / 1e6 / put_seconds:.0f} MB/s, "
        f"get {BIG_OBJECT_BYTES / 1e6 / get_seconds:.0f} MB/s"
    )
    assert info.size == BIG_OBJECT_BYTES
    assert read.digest() == written.digest()
    assert put_peak.growth_mib < bound
    assert get_peak.growth_mib < GET_PEAK_BOUND_MIB


# --- failed uploads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "good_bytes",
    [pytest.param(0, id="at-first-read"), pytest.param(40 * MIB, id="after-two-parts")],
)
def test_a_put_whose_source_fails_leaves_no_object_and_no_upload(
    backend: Backend, good_bytes: int
) -> None:
    store = backend.store

    with pytest.raises(SourceBroke):
        store.put("cases/7/cut.gpg", stream_of(failing_chunks(good_bytes)))

    with pytest.raises(ObjectNotFound):
        store.stat("cases/7/cut.gpg")
    assert list(store.list("")) == []
    if backend.s3 is not None:
        assert incomplete_uploads(backend, "cases/7/cut.gpg") == []
    if backend.local_root is not None:
        leftovers = [name for _, _, names in os.walk(backend.local_root) for name in names]
        assert leftovers == []


def test_a_failed_overwrite_keeps_the_previous_object(store: ObjectStore) -> None:
    store.put("doc", io.BytesIO(b"approved version"))

    with pytest.raises(SourceBroke):
        store.put("doc", stream_of(failing_chunks(20 * MIB)))

    assert read_all(store, "doc") == b"approved version"


# --- missing objects and deletion ----------------------------------------------------


def test_open_and_stat_of_a_missing_key_raise_object_not_found_naming_it(
    store: ObjectStore,
) -> None:
    with pytest.raises(ObjectNotFound, match="cases/7/absent") as opened:
        read_all(store, "cases/7/absent")
    with pytest.raises(ObjectNotFound, match="cases/7/absent") as statted:
        store.stat("cases/7/absent")

    assert opened.value.key == statted.value.key == "cases/7/absent"


def test_a_directory_like_prefix_is_not_an_object(store: ObjectStore) -> None:
    store.put("cases/7/doc", io.BytesIO(b"x"))

    with pytest.raises(ObjectNotFound):
        store.stat("cases/7")
    with pytest.raises(ObjectNotFound):
        read_all(store, "cases/7")


def test_deleting_a_missing_key_is_a_no_op(store: ObjectStore) -> None:
    assert store.delete("cases/7/absent") == 0

    assert list(store.list("")) == []


def test_delete_removes_the_object_and_every_version_of_it(backend: Backend) -> None:
    store = backend.store
    store.put("cases/7/doc.gpg", io.BytesIO(b"version one"))
    store.put("cases/7/doc.gpg", io.BytesIO(b"version two"))
    store.put("cases/7/doc.gpg2", io.BytesIO(b"a neighbour"))
    if backend.s3 is not None:
        # Proves the bucket really keeps versions, so the check below means something.
        assert len(_versions(backend, "cases/7/doc.gpg")) == 2

    removed = store.delete("cases/7/doc.gpg")

    # Two versions where the store keeps them (S3 with versioning), one where it does not.
    assert removed == (2 if backend.s3 is not None else 1)
    with pytest.raises(ObjectNotFound):
        store.stat("cases/7/doc.gpg")
    assert [item.key for item in store.list("")] == ["cases/7/doc.gpg2"]
    if backend.s3 is not None:
        assert _versions(backend, "cases/7/doc.gpg") == []


def _versions(backend: Backend, key: str) -> list[str | None]:
    assert backend.s3 is not None
    return [
        item.version_id
        for item in backend.s3.list_objects(
            bucket_name=backend.bucket, prefix=key, recursive=True, include_version=True
        )
        if item.object_name == key
    ]


# --- listing -------------------------------------------------------------------------


def test_list_yields_the_objects_under_a_prefix_in_key_order(store: ObjectStore) -> None:
    for key in ["cases/2/a", "cases/10/a", "cases/1/b", "cases/1/a", "other"]:
        store.put(key, io.BytesIO(key.encode()))

    def keys(prefix: str) -> list[str]:
        return [item.key for item in store.list(prefix)]

    assert keys("cases/1/") == ["cases/1/a", "cases/1/b"]
    assert keys("cases/1") == ["cases/1/a", "cases/1/b", "cases/10/a"]
    assert keys("") == ["cases/1/a", "cases/1/b", "cases/10/a", "cases/2/a", "other"]
    assert keys("nothing/") == []
    assert [item.size for item in store.list("cases/1/")] == [9, 9]


# --- keys ----------------------------------------------------------------------------

INVALID_KEYS = [
    pytest.param("../x", id="parent"),
    pytest.param("a/../b", id="parent-inside"),
    pytest.param("a/./b", id="dot-segment"),
    pytest.param("/abs", id="absolute"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("trailing/", id="trailing-slash"),
    pytest.param("", id="empty"),
    pytest.param("with space", id="space"),
    pytest.param("back\\slash", id="backslash"),
    pytest.param("caf\u00e9", id="non-ascii"),
    pytest.param("nul\x00byte", id="nul"),
    pytest.param("new\nline", id="newline"),
    pytest.param("~put-temp", id="tilde"),
    pytest.param("q?x=1", id="query"),
    pytest.param("k" * 255 + "/" + "k" * 255 + "/k", id="too-long"),
    pytest.param("k" * 256, id="segment-too-long"),
]


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_an_invalid_key_is_refused_by_every_operation(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, io.BytesIO(b"x"))
    with pytest.raises(InvalidKey):
        read_all(store, key)
    with pytest.raises(InvalidKey):
        store.stat(key)
    with pytest.raises(InvalidKey):
        store.delete(key)


@pytest.mark.parametrize("prefix", ["../", "/abs", "a//", "a/./", "with space", "~put-"])
def test_an_invalid_prefix_is_refused_by_list(store: ObjectStore, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        list(store.list(prefix))


# --- readiness -----------------------------------------------------------------------


def test_check_passes_on_a_live_store(store: ObjectStore) -> None:
    store.check()


def test_s3_check_raises_store_unavailable_for_a_dead_endpoint() -> None:
    store = S3ObjectStore(
        endpoint=f"127.0.0.1:{free_port()}",
        access_key="nobody",
        secret_key="nothing-listens-here",
        bucket="documents",
        secure=False,
    )
    started = time.monotonic()

    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1"):
        store.check()
    with pytest.raises(StoreUnavailable):
        store.put("doc", io.BytesIO(b"x"))

    assert time.monotonic() - started < 10, "a readiness probe must not hang"


@pytest.mark.parametrize("server", S3_BACKENDS)
def test_s3_check_raises_store_unavailable_for_wrong_credentials(
    request: pytest.FixtureRequest, server: str
) -> None:
    endpoint: S3Endpoint = request.getfixturevalue(f"{server}_endpoint")
    store = S3ObjectStore(
        endpoint=endpoint.endpoint,
        access_key=endpoint.access_key,
        secret_key="not-the-secret",
        bucket="documents",
        secure=False,
    )

    with pytest.raises(StoreUnavailable):
        store.check()


@pytest.mark.parametrize("server", S3_BACKENDS)
def test_s3_check_raises_store_unavailable_for_a_missing_bucket(
    request: pytest.FixtureRequest, server: str
) -> None:
    endpoint: S3Endpoint = request.getfixturevalue(f"{server}_endpoint")
    store = S3ObjectStore(
        endpoint=endpoint.endpoint,
        access_key=endpoint.access_key,
        secret_key=endpoint.secret_key,
        bucket=f"missing-{uuid.uuid4().hex[:12]}",
        secure=False,
    )

    with pytest.raises(StoreUnavailable, match="bucket"):
        store.check()


def test_local_check_raises_store_unavailable_for_a_missing_root(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "not-mounted")

    with pytest.raises(StoreUnavailable):
        store.check()
    with pytest.raises(StoreUnavailable):
        store.put("doc", io.BytesIO(b"x"))


def test_local_check_raises_store_unavailable_when_root_is_not_a_directory(
    tmp_path: Path,
) -> None:
    root = tmp_path / "a-file"
    root.write_bytes(b"")

    with pytest.raises(StoreUnavailable):
        LocalObjectStore(root).check()


def test_local_store_keeps_objects_private_to_the_service_account(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)

    store.put("cases/7/doc.gpg", io.BytesIO(b"ciphertext"))

    assert (tmp_path / "cases").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "cases/7").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "cases/7/doc.gpg").stat().st_mode & 0o777 == 0o600
