"""Session fixture for the real PostgreSQL cluster, and a fresh database per use."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.conftest import RunReport
from tests.servers import required_services
from tests.servers.postgres import PostgresMissing, PostgresServer, postgres_server

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres(run_report: RunReport) -> Iterator[PostgresServer]:
    try:
        manager = postgres_server()
        server = manager.__enter__()
    except PostgresMissing as exc:
        if "postgres" in required_services():
            pytest.fail(f"PostgreSQL is required here but missing: {exc}")
        pytest.skip(str(exc))
    run_report.service("postgres", f"{server.version} on {server.host}:{server.port}")
    try:
        yield server
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A URL to a new, empty database on the shared test cluster."""
    return postgres.create_database(f"t{next(_database_numbers)}")
