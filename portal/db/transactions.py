"""Transactions that behave the same on SQLite and PostgreSQL, and their errors.

Integrity errors differ between sqlite3 and asyncpg; :func:`is_unique_violation` maps
them in one place so services can answer "already exists" the same way on both.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from portal.db.tables import AuditEvent


def is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


# The server is gone, restarting or refusing connections: the request may succeed later.
# QueryCanceledError is an operator intervention too, but a cancelled query is no outage.
_DATABASE_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    # What connecting to a stopped server raises, before asyncpg has a connection.
    ConnectionRefusedError,
)


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc``, or what it was raised from, says the database cannot be reached.

    A transaction cut by a dying server fails again on its rollback: the error that
    reaches the caller is then the rollback's, with the outage as its context.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _DATABASE_GONE):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def write_transaction() -> Any:
    """A transaction for read-then-write work, joining one already open.

    On SQLite it starts IMMEDIATE: a deferred transaction that reads first and writes
    later fails with "database is locked" when another writer got there in between.
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
