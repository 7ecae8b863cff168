"""The refused-token window of each client address (``portal.domain.login_throttle``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine

from portal.db.tables import LoginFailureWindow
from portal.db.transactions import write_transaction
from portal.domain.login_throttle import FailureWindow


def _window(row: dict[str, Any]) -> FailureWindow:
    return FailureWindow(
        started_at=row["started_at"],
        failures=int(row["failures"]),
        unrecorded=int(row["unrecorded"]),
        blocked_until=row["blocked_until"],
    )


async def failure_window(client_address: str) -> FailureWindow | None:
    row = (
        await LoginFailureWindow.select()
        .where(LoginFailureWindow.client_address == client_address)
        .first()
    )
    return _window(row) if row else None


@asynccontextmanager
async def locked_failure_window(client_address: str) -> AsyncIterator[FailureWindow | None]:
    """The address's window, read inside a write transaction that :func:`save_failure_window`
    joins: two app processes refusing the same address at once must not both count from
    the same state (the row is locked on PostgreSQL; SQLite's transaction is immediate)."""
    async with write_transaction():
        query = LoginFailureWindow.select().where(
            LoginFailureWindow.client_address == client_address
        )
        if isinstance(LoginFailureWindow._meta.db, PostgresEngine):
            query = query.lock_rows("UPDATE")
        row = await query.first()
        yield _window(row) if row else None


async def save_failure_window(client_address: str, window: FailureWindow) -> None:
    values: dict[Column | str, Any] = {
        LoginFailureWindow.started_at: window.started_at,
        LoginFailureWindow.failures: window.failures,
        LoginFailureWindow.unrecorded: window.unrecorded,
        LoginFailureWindow.blocked_until: window.blocked_until,
    }
    updated = (
        await LoginFailureWindow.update(values)
        .where(LoginFailureWindow.client_address == client_address)
        .returning(LoginFailureWindow.client_address)
    )
    if not updated:
        await LoginFailureWindow.insert(
            LoginFailureWindow(
                client_address=client_address,
                started_at=window.started_at,
                failures=window.failures,
                unrecorded=window.unrecorded,
                blocked_until=window.blocked_until,
            )
        )
