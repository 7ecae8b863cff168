"""One open grant per user per case, held by the database; the decision date backfilled.

Written by hand: Piccolo has no partial indexes. Two requests that grant the same user at
the same moment both pass the rule's read; the index lets exactly one insert through, and
the other is answered 409 (art. 9.6: one grant, one reason, one end). Both SQLite and
PostgreSQL support the same partial index syntax.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "need-to-know: one open grant per user per case; backfill phase dates"

FORWARDS = (
    # A case that never changed phase entered it when it was registered.
    "UPDATE casus SET phase_changed_at = created_at WHERE phase_changed_at IS NULL",
    # Grants that can never be active again are closed: revoked, or ended at afschaling.
    "UPDATE access_grant SET closed_at = revoked_at WHERE closed_at IS NULL "
    "AND revoked_at IS NOT NULL",
    "UPDATE access_grant SET closed_at = (SELECT decided_at FROM casus "
    "WHERE casus.id = access_grant.casus) WHERE closed_at IS NULL AND EXISTS "
    "(SELECT 1 FROM casus WHERE casus.id = access_grant.casus AND decided_at IS NOT NULL)",
    'CREATE UNIQUE INDEX access_grant_one_open ON access_grant (casus, "user") '
    "WHERE closed_at IS NULL",
)
BACKWARDS = ("DROP INDEX IF EXISTS access_grant_one_open",)


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
