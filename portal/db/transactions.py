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


def write_transaction() -> Any:
    """A transaction for read-then-write work, joining one already open.

    On SQLite it starts IMMEDIATE: a deferred transaction that reads first and writes
    later fails with "database is locked" when another writer got there in between.
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
