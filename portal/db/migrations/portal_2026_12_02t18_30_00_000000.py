"""A tombstone audit key for every case destroyed before audit fields were sealed.

Written by hand: data, not schema. Without it, the first record about such a case written
after this migration would create a fresh audit key for a case that no longer exists
(``portal.services.audit_sealing``); with it, that record is written as for any destroyed
case. ``CAST(id AS TEXT)`` gives the id as ``str(UUID)`` writes it on both engines, as
``audit_event.case_id`` holds it. Both SQLite and PostgreSQL accept the same statement.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit: tombstone keys for cases destroyed already"

FORWARDS = (
    "INSERT INTO audit_case_key (case_id, wrapped_key, created_at, destroyed_at) "
    "SELECT CAST(id AS TEXT), NULL, destroyed_at, destroyed_at FROM casus "
    "WHERE destroyed_at IS NOT NULL ON CONFLICT (case_id) DO NOTHING",
)
# The tombstones stay: dropping them would let a destroyed case get a fresh key.
BACKWARDS = ()


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
