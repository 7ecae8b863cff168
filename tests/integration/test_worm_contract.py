"""The WormStore contract, run against every implementation, and what only S3 enforces.

The contract tests run on the local directory, the in-memory twin, a real MinIO and a
real SeaweedFS (4.48 implements object lock too). The tests after them use an independent
client with the server's root credentials to try what an administrator could: delete a
locked version, shorten its retention, write over it. On S3 with object lock in
COMPLIANCE mode each of those fails; on the local directory nothing stops it, which is
why that store says it is not WORM.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention

from storage import (
    InvalidKey,
    LocalWormStore,
    MemoryWormStore,
    ObjectExists,
    S3WormStore,
    WormNotEnforced,
    WormStore,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from minio import Minio

    from tests.servers.s3 import S3Endpoint

BACKENDS = ["local", "memory", "minio", "seaweedfs"]
S3_BACKENDS = ["minio", "seaweedfs"]


def soon() -> datetime:
    # Object lock refuses a retain-until in the past; a day ahead outlives any test run.
    return datetime.now(UTC) + timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class Backend:
    name: str
    store: WormStore
    s3: Minio | None = None
    bucket: str = ""
    root: Path | None = None


def s3_worm_store(endpoint: S3Endpoint, bucket: str) -> S3WormStore:
    return S3WormStore(
        endpoint=endpoint.endpoint,
        access_key=endpoint.access_key,
        secret_key=endpoint.secret_key,
        bucket=bucket,
        secure=endpoint.secure,
    )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name: str = request.param
    if name == "local":
        root = tmp_path / "worm"
        root.mkdir(mode=0o700)
        yield Backend(name=name, store=LocalWormStore(root), root=root)
    elif name == "memory":
        yield Backend(name=name, store=MemoryWormStore())
    else:
        endpoint: S3Endpoint = request.getfixturevalue(f"{name}_endpoint")
        # Locked versions outlive the test by design, so the bucket stays behind on the
        # throwaway test server.
        bucket = f"worm-{uuid.uuid4().hex[:20]}"
        store = s3_worm_store(endpoint, bucket)
        store.ensure_bucket(default_retention_days=1)
        yield Backend(name=name, store=store, s3=endpoint.client(), bucket=bucket)


@pytest.fixture(params=S3_BACKENDS)
def s3_backend(request: pytest.FixtureRequest) -> Backend:
    endpoint: S3Endpoint = request.getfixturevalue(f"{request.param}_endpoint")
    bucket = f"worm-{uuid.uuid4().hex[:20]}"
    store = s3_worm_store(endpoint, bucket)
    store.ensure_bucket(default_retention_days=1)
    return Backend(name=request.param, store=store, s3=endpoint.client(), bucket=bucket)


# --- the contract ----------------------------------------------------------------------


def test_a_locked_object_reads_back_exactly_and_is_listed(backend: Backend) -> None:
    store = backend.store
    before = datetime.now(UTC) - timedelta(seconds=2)

    stored = store.put_locked("checkpoints/000001", b"signed statement", retain_until=soon())

    assert stored.key == "checkpoints/000001"
    assert stored.size == 16
    assert before <= stored.last_modified <= datetime.now(UTC) + timedelta(seconds=2)
    assert list(store.versions("checkpoints/")) == [stored]
    assert store.read(stored) == b"signed statement"


def test_a_write_once_key_is_never_replaced_not_even_by_the_same_bytes(backend: Backend) -> None:
    store = backend.store
    first = store.put_locked("checkpoints/000001", b"the first", retain_until=soon())

    with pytest.raises(ObjectExists, match="000001"):
        store.put_locked("checkpoints/000001", b"a rewrite", retain_until=soon())
    with pytest.raises(ObjectExists):
        store.put_locked("checkpoints/000001", b"the first", retain_until=soon())

    assert [store.read(version) for version in store.versions("")] == [b"the first"]
    assert list(store.versions("")) == [first]


def test_versions_lists_the_objects_under_a_prefix_in_key_order(backend: Backend) -> None:
    store = backend.store
    for key in ["checkpoints/000002", "checkpoints/000010", "checkpoints/000001", "other/1"]:
        store.put_locked(key, key.encode(), retain_until=soon())

    assert [version.key for version in store.versions("checkpoints/")] == [
        "checkpoints/000001",
        "checkpoints/000002",
        "checkpoints/000010",
    ]
    assert len(list(store.versions(""))) == 4
    assert list(store.versions("nothing/")) == []


def test_only_one_of_several_concurrent_writers_of_a_key_wins(backend: Backend) -> None:
    results: list[str] = []

    def write(number: int) -> None:
        try:
            backend.store.put_locked(
                "checkpoints/7", f"writer {number}".encode(), retain_until=soon()
            )
            results.append("stored")
        except ObjectExists:
            results.append("refused")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["refused", "refused", "refused", "stored"]
    assert len(list(backend.store.versions(""))) == 1


@pytest.mark.parametrize("key", ["../x", "/abs", "a//b", "", "~worm-1", "with space"])
def test_an_invalid_key_is_refused(backend: Backend, key: str) -> None:
    with pytest.raises(InvalidKey):
        backend.store.put_locked(key, b"x", retain_until=soon())


def test_a_naive_retain_until_is_refused(backend: Backend) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        backend.store.put_locked("k", b"x", retain_until=datetime(2031, 1, 1))  # noqa: DTZ001 - the point of the test


def test_check_passes_on_a_live_store(backend: Backend) -> None:
    backend.store.check()


def test_only_s3_with_object_lock_calls_itself_enforced(backend: Backend) -> None:
    assert backend.store.enforced is (backend.s3 is not None)
    if not backend.store.enforced:
        assert "NOT WORM" in backend.store.describe()


# --- what object lock enforces on S3 ---------------------------------------------------


def test_a_locked_version_carries_compliance_retention_until_the_date_asked(
    s3_backend: Backend,
) -> None:
    assert s3_backend.s3 is not None
    until = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)

    stored = s3_backend.store.put_locked("checkpoints/1", b"statement", retain_until=until)

    retention = s3_backend.s3.get_object_retention(
        bucket_name=s3_backend.bucket, object_name="checkpoints/1", version_id=stored.version_id
    )
    assert retention is not None
    assert retention.mode == COMPLIANCE
    assert retention.retain_until_date == until


def test_root_cannot_delete_a_locked_version_nor_hide_it_with_a_delete_marker(
    s3_backend: Backend,
) -> None:
    assert s3_backend.s3 is not None
    store = s3_backend.store
    stored = store.put_locked("checkpoints/1", b"statement", retain_until=soon())

    # MinIO answers InvalidRequest ("Object is WORM protected"), SeaweedFS AccessDenied.
    with pytest.raises(S3Error, match=r"InvalidRequest|AccessDenied"):
        s3_backend.s3.remove_object(
            bucket_name=s3_backend.bucket, object_name="checkpoints/1", version_id=stored.version_id
        )
    # Without a version id the server only adds a delete marker...
    s3_backend.s3.remove_object(bucket_name=s3_backend.bucket, object_name="checkpoints/1")

    # ...behind which the locked version is still listed and read.
    assert [version.version_id for version in store.versions("")] == [stored.version_id]
    assert store.read(stored) == b"statement"


def test_root_cannot_shorten_the_retention_or_weaken_it_to_governance(
    s3_backend: Backend,
) -> None:
    assert s3_backend.s3 is not None
    until = datetime.now(UTC) + timedelta(days=2)
    stored = s3_backend.store.put_locked("checkpoints/1", b"statement", retain_until=until)

    for weaker in (Retention(COMPLIANCE, until - timedelta(days=1)), Retention(GOVERNANCE, until)):
        with pytest.raises(S3Error, match=r"InvalidRequest|AccessDenied"):
            s3_backend.s3.set_object_retention(
                bucket_name=s3_backend.bucket,
                object_name="checkpoints/1",
                version_id=stored.version_id,
                config=weaker,
            )


def test_writing_over_a_locked_object_leaves_the_locked_version_as_it_was(
    s3_backend: Backend,
) -> None:
    assert s3_backend.s3 is not None
    import io

    store = s3_backend.store
    stored = store.put_locked("checkpoints/1", b"the real statement", retain_until=soon())

    # The portal's own credentials can put a new version past If-None-Match's back...
    s3_backend.s3.put_object(
        bucket_name=s3_backend.bucket,
        object_name="checkpoints/1",
        data=io.BytesIO(b"forged"),
        length=6,
    )

    # ...but the locked version stays, and versions() shows both to the verifier.
    versions = list(store.versions(""))
    assert [store.read(version) for version in versions] == [b"the real statement", b"forged"]
    assert versions[0] == stored


# --- refusing a bucket that does not lock ----------------------------------------------


@pytest.mark.parametrize("server", S3_BACKENDS)
def test_check_refuses_a_bucket_without_object_lock(
    request: pytest.FixtureRequest, server: str
) -> None:
    endpoint: S3Endpoint = request.getfixturevalue(f"{server}_endpoint")
    bucket = f"plain-{uuid.uuid4().hex[:20]}"
    endpoint.client().make_bucket(bucket_name=bucket)

    with pytest.raises(WormNotEnforced, match="no object lock"):
        s3_worm_store(endpoint, bucket).check()


@pytest.mark.parametrize("server", S3_BACKENDS)
@pytest.mark.parametrize(
    "config", [None, ObjectLockConfig(GOVERNANCE, 1, DAYS)], ids=["no-default", "governance"]
)
def test_check_refuses_a_locked_bucket_whose_default_is_not_compliance(
    request: pytest.FixtureRequest, server: str, config: ObjectLockConfig | None
) -> None:
    endpoint: S3Endpoint = request.getfixturevalue(f"{server}_endpoint")
    client = endpoint.client()
    bucket = f"weak-{uuid.uuid4().hex[:20]}"
    client.make_bucket(bucket_name=bucket, object_lock=True)
    if config is not None:
        client.set_object_lock_config(bucket_name=bucket, config=config)

    with pytest.raises(WormNotEnforced, match="not COMPLIANCE"):
        s3_worm_store(endpoint, bucket).check()


@pytest.mark.parametrize("server", S3_BACKENDS)
def test_ensure_bucket_leaves_an_existing_bucket_as_the_operator_made_it(
    request: pytest.FixtureRequest, server: str
) -> None:
    endpoint: S3Endpoint = request.getfixturevalue(f"{server}_endpoint")
    bucket = f"plain-{uuid.uuid4().hex[:20]}"
    endpoint.client().make_bucket(bucket_name=bucket)
    store = s3_worm_store(endpoint, bucket)

    store.ensure_bucket(default_retention_days=1)

    with pytest.raises(WormNotEnforced):
        store.check()


# --- the local directory ---------------------------------------------------------------


def test_local_files_are_read_only_and_nothing_stops_their_deletion(tmp_path: Path) -> None:
    store = LocalWormStore(tmp_path)
    store.put_locked("checkpoints/1", b"statement", retain_until=soon())
    path = tmp_path / "checkpoints/1"

    assert path.stat().st_mode & 0o777 == 0o400
    path.unlink()  # what the store cannot prevent, and why it calls itself NOT WORM

    assert list(store.versions("")) == []
