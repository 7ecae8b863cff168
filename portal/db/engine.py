"""Build the database engine from settings, bind the tables to it, and migrate.

Piccolo looks its engine up through the module named by ``PICCOLO_CONF``; this module is
the one place that points it at ``portal.db.piccolo_conf`` and fills in its ``DB``.
Tests switch between SQLite and PostgreSQL in one process by binding another engine.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import AppConfig
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from portal.db import piccolo_conf
from portal.db.piccolo_app import APP_CONFIG, APP_NAME
from portal.db.tables import ALL_TABLES

log = logging.getLogger(__name__)

# Piccolo reads this variable itself; setdefault keeps an operator's override for its CLI.
os.environ.setdefault("PICCOLO_CONF", "portal.db.piccolo_conf")


class DatabaseError(Exception):
    """The database refused an operation or could not be reached."""


class SchemaOutOfDate(DatabaseError):
    """The tables and the migrations disagree, or migrations have not been applied."""


def sqlite_engine(path: Path) -> SQLiteEngine:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return SQLiteEngine(path=str(path))


def postgres_engine(url: str) -> PostgresEngine:
    return PostgresEngine(config={"dsn": url})


def bind_engine(engine: Engine[Any]) -> None:
    """Make every table, and Piccolo's migration machinery, use ``engine``."""
    from piccolo.apps.migrations.tables import Migration

    piccolo_conf.DB = engine
    # Piccolo's own record of applied migrations caches the first engine it saw; left
    # alone it would report another database's migrations as applied to this one.
    tables: tuple[type[Table], ...] = (*ALL_TABLES, Migration)
    for table in tables:
        table._meta.db = engine


async def open_engine(engine: Engine[Any]) -> None:
    """Prepare a bound engine for serving: a connection pool on PostgreSQL, WAL on SQLite."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    elif isinstance(engine, SQLiteEngine):
        # WAL lets readers go on while one writer commits; it is stored in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def migrate() -> list[str]:
    """Apply every pending migration to the bound engine; return what Piccolo reported."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), warnings.catch_warnings(record=True) as caught:
        # SQLite does not enforce column lengths, so Piccolo skips widening one there
        # and warns; that is expected, not a fault for the operator to act on.
        warnings.simplefilter("always")
        result = await run_forwards(app_name=APP_NAME, migration_id="all")
    for warning in caught:
        log.debug("migration: %s", warning.message)
    if not result.success:
        raise DatabaseError(f"migration failed: {result.message}")
    return [line.strip() for line in output.getvalue().splitlines() if line.strip()]


async def pending_schema_changes(app_config: AppConfig = APP_CONFIG) -> list[str]:
    """Statements a new migration would need: empty when tables and migrations agree.

    This compares the table classes with the schema the migration files build, without
    touching any database, so CI can fail on a model change that lacks its migration.
    """
    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints a summary table
        alter_statements = await AutoMigrationManager(auto_input="y").get_alter_statements(
            app_config=app_config
        )
    return [statement for group in alter_statements for statement in group.statements]


async def applied_migrations() -> list[str]:
    """Ids of the migrations recorded as applied in the bound database."""
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return []
    rows = await Migration.select(Migration.name).where(Migration.app_name == APP_NAME)
    return [str(row["name"]) for row in rows]


async def assert_schema_current() -> None:
    """Refuse to serve on a database whose migrations are behind the code."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    wanted = {
        migration.ID
        for migration in BaseMigrationManager()
        .get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
        .values()
    }
    missing = wanted - set(await applied_migrations())
    if missing:
        raise SchemaOutOfDate(
            f"{len(missing)} migration(s) not applied to this database; run `portal db migrate`"
        )
