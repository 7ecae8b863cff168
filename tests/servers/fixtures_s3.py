"""Session fixtures for the S3 test servers; started only when a test asks for one."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.servers import required_services
from tests.servers.s3 import (
    S3Endpoint,
    ServerSoftwareMissing,
    minio_binary,
    minio_server,
    seaweedfs_server,
    weed_binary,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.conftest import RunReport


def _missing(name: str, exc: ServerSoftwareMissing) -> NoReturn:
    # CI names its services in PORTAL_TEST_REQUIRE: a silent skip there would hide that
    # the storage contract never ran against a real server.
    if name in required_services():
        pytest.fail(f"{name} is required (PORTAL_TEST_REQUIRE) but missing: {exc}")
    pytest.skip(f"{name} not available: {exc}")


@pytest.fixture(scope="session")
def minio_endpoint(
    tmp_path_factory: pytest.TempPathFactory, run_report: RunReport
) -> Iterator[S3Endpoint]:
    try:
        minio_binary()
    except ServerSoftwareMissing as exc:
        _missing("minio", exc)
    with minio_server(tmp_path_factory.mktemp("minio")) as endpoint:
        run_report.service("minio", f"MinIO {endpoint.version} on {endpoint.endpoint}")
        yield endpoint


@pytest.fixture(scope="session")
def seaweedfs_endpoint(
    tmp_path_factory: pytest.TempPathFactory, run_report: RunReport
) -> Iterator[S3Endpoint]:
    try:
        weed_binary()
    except ServerSoftwareMissing as exc:
        _missing("seaweedfs", exc)
    with seaweedfs_server(tmp_path_factory.mktemp("seaweedfs")) as endpoint:
        run_report.service("seaweedfs", f"SeaweedFS {endpoint.version} on {endpoint.endpoint}")
        yield endpoint
