"""At most one open legal hold per case, held by the database.

Written by hand: Piccolo has no partial indexes. Two managers placing a hold on the same
case at the same moment both pass the rule's read; the index lets exactly one insert
through, and the other is answered 409. SQLite and PostgreSQL share the syntax.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "retention: one open legal hold per case"

FORWARDS = (
    "CREATE UNIQUE INDEX legal_hold_one_open ON legal_hold (casus) WHERE lifted_at IS NULL",
)
BACKWARDS = ("DROP INDEX IF EXISTS legal_hold_one_open",)


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
