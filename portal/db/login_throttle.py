"""The refused-token window of each client address (``portal.domain.login_throttle``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

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
async def locked_failure_window(
    client_address: str, *, now: datetime
) -> AsyncIterator[FailureWindow]:
    """The address's window, read inside a write transaction that :func:`save_failure_window`
    joins: two app processes refusing the same address at once must not both count from
    the same state. The row is made first (an empty window from ``now``, if there was
    none), so that there is always a row to lock on PostgreSQL and two first refusals
    cannot both insert; SQLite's immediate transaction serialises writers anyway."""
    async with write_transaction():
        await LoginFailureWindow.insert(
            LoginFailureWindow(
                client_address=client_address, started_at=now, failures=0, unrecorded=0
            )
        ).on_conflict(target=LoginFailureWindow.client_address, action="DO NOTHING")
        query = LoginFailureWindow.select().where(
            LoginFailureWindow.client_address == client_address
        )
        if isinstance(LoginFailureWindow._meta.db, PostgresEngine):
            query = query.lock_rows("UPDATE")
        row = await query.first()
        if row is None:  # pragma: no cover - made just above, in this transaction
            raise LookupError(client_address)
        yield _window(row)


async def save_failure_window(client_address: str, window: FailureWindow) -> None:
    await LoginFailureWindow.update(
        {
            LoginFailureWindow.started_at: window.started_at,
            LoginFailureWindow.failures: window.failures,
            LoginFailureWindow.unrecorded: window.unrecorded,
            LoginFailureWindow.blocked_until: window.blocked_until,
        }
    ).where(LoginFailureWindow.client_address == client_address)


async def addresses_started_before(moment: datetime) -> list[str]:
    """Addresses whose window began at or before ``moment``: the ones that may have ended."""
    rows = await LoginFailureWindow.select(LoginFailureWindow.client_address).where(
        LoginFailureWindow.started_at <= moment
    )
    return [str(row["client_address"]) for row in rows]


async def delete_failure_window(client_address: str) -> None:
    await LoginFailureWindow.delete().where(LoginFailureWindow.client_address == client_address)
