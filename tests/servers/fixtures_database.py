"""A migrated, empty portal database on SQLite and on PostgreSQL, bound to the tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.base import Engine

from portal.db.engine import (
    bind_engine,
    close_engine,
    migrate,
    open_engine,
    postgres_engine,
    sqlite_engine,
)


async def migrated_engine(
    kind: str, *, tmp_path: Path, request: pytest.FixtureRequest
) -> Engine[Any]:
    engine: Engine[Any]
    if kind == "sqlite":
        engine = sqlite_engine(tmp_path / "portal.sqlite3")
    else:
        engine = postgres_engine(request.getfixturevalue("postgres_url"))
    bind_engine(engine)
    await open_engine(engine)
    await migrate()
    return engine


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Which engine the test runs on; the tables are bound to a fresh migrated database."""
    kind: str = request.param
    engine = await migrated_engine(kind, tmp_path=tmp_path, request=request)
    try:
        yield kind
    finally:
        await close_engine(engine)
