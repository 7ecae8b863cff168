"""Append-only by construction: the database itself refuses UPDATE and DELETE on the audit
log and its checkpoints (and TRUNCATE on PostgreSQL), whatever the application does.

Written by hand: Piccolo has no notion of triggers. The SQL differs per engine, so the
engine is looked up when the migration runs. A deployment adds a second line of defence
on PostgreSQL: an application role without UPDATE, DELETE or TRUNCATE rights on these
tables (deploy/postgres-roles.sql).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-30T11:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log: refuse UPDATE and DELETE in the database"

APPEND_ONLY_TABLES = ("audit_event", "audit_checkpoint")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _postgres_forwards(table):
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION portal_refuse_audit_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION portal_refuse_audit_change()",
    ]


def _sqlite_forwards(table):
    return [
        f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only: {operation} refused'); END"
        for operation in ("UPDATE", "DELETE")
    ]


async def _run(statements):
    engine = engine_finder()
    for statement in statements:
        await engine.run_ddl(statement)


async def add_triggers():
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        await _run([s for table in APPEND_ONLY_TABLES for s in _sqlite_forwards(table)])
    else:
        await _run(
            [POSTGRES_FUNCTION]
            + [s for table in APPEND_ONLY_TABLES for s in _postgres_forwards(table)]
        )


async def drop_triggers():
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        await _run(
            [
                f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
                for table in APPEND_ONLY_TABLES
                for operation in ("update", "delete")
            ]
        )
    else:
        await _run(
            [
                f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
                for table in APPEND_ONLY_TABLES
                for name in ("append_only", "no_truncate")
            ]
            + ["DROP FUNCTION IF EXISTS portal_refuse_audit_change()"]
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_raw(add_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
