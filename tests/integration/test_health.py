"""Health: live answers while the process runs; ready only when every dependency answers."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.settings import Settings, load_settings
from tests.servers import free_port
from tests.servers.s3 import S3Endpoint

OPERATOR = "health-token-for-the-operator"


def settings_for(environ: dict[str, str]) -> Settings:
    """Settings that show the operator (this test) every dependency's state."""
    return load_settings({**environ, "PORTAL_HEALTH_TOKEN": OPERATOR})


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(f"/tmp/portal-health-{os.getpid()}-{free_port()}")
    yield path
    subprocess.run(
        ["gpgconf", "--homedir", str(path / "gnupg"), "--kill", "gpg-agent"],
        capture_output=True,
        check=False,
    )
    subprocess.run(["rm", "-rf", str(path)], check=False)


async def _ready(app: Litestar) -> tuple[int, dict[str, object]]:
    async with AsyncTestClient(app=app) as client:
        live = await client.get("/health/live")
        assert live.status_code == 200
        response = await client.get(
            "/health/ready", headers={"Authorization": f"Bearer {OPERATOR}"}
        )
        return response.status_code, response.json()


async def test_ready_on_the_embedded_default(data_dir: Path) -> None:
    status, body = await _ready(create_app(settings_for({"PORTAL_DATA_DIR": str(data_dir)})))
    assert status == 200
    assert body == {"ready": True, "checks": {"database": "ok", "object_store": "ok", "gpg": "ok"}}


async def test_ready_on_postgresql_and_minio(
    data_dir: Path, postgres_url: str, minio_endpoint: S3Endpoint
) -> None:
    settings = settings_for(
        {
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_DATABASE_URL": postgres_url,
            "PORTAL_S3_ENDPOINT": minio_endpoint.endpoint,
            "PORTAL_S3_ACCESS_KEY": minio_endpoint.access_key,
            "PORTAL_S3_SECRET_KEY": minio_endpoint.secret_key,
            "PORTAL_S3_BUCKET": f"ready-{uuid.uuid4().hex[:12]}",
            "PORTAL_S3_SECURE": "false",
        }
    )
    status, body = await _ready(create_app(settings))
    assert status == 200, body


def _break_object_store(settings: Settings) -> None:
    # A file where the store's directory should be: fails for root too, unlike chmod.
    settings.objects_dir.rmdir()
    settings.objects_dir.write_bytes(b"")


def _break_gpg(settings: Settings) -> None:
    (settings.gnupg_home / "pubring.kbx").mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize(
    ("dependency", "break_it"),
    [("object_store", _break_object_store), ("gpg", _break_gpg)],
)
async def test_not_ready_names_the_dependency_that_fails(
    data_dir: Path, dependency: str, break_it: Callable[[Settings], None]
) -> None:
    settings = settings_for({"PORTAL_DATA_DIR": str(data_dir)})
    app = create_app(settings)
    break_it(settings)
    status, body = await _ready(app)
    assert status == 503
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks[dependency].startswith("failed")
    assert checks["database"] == "ok"
