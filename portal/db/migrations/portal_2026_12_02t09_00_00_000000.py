"""One signed checkpoint per position of the audit chain, held by the database.

Written by hand: Piccolo cannot add a unique constraint to an existing SQLite column.
Checkpoints are signed without the chain lock (so appends never wait for gpg), by any of
several app processes at once; the primary key lets one checkpoint per number through,
and this index one per record, so two processes that signed the same head cannot both
store it. Both SQLite and PostgreSQL accept the same statement.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit: one checkpoint per chain position"

FORWARDS = ("CREATE UNIQUE INDEX audit_checkpoint_one_per_seq ON audit_checkpoint (seq)",)
BACKWARDS = ("DROP INDEX IF EXISTS audit_checkpoint_one_per_seq",)


async def _run(statements):
    engine = engine_finder()
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def run_forwards():
        await _run(FORWARDS)

    async def run_backwards():
        await _run(BACKWARDS)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
