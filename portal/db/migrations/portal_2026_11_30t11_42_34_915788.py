from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-30T11:42:34:915788"
VERSION = "1.38.0"
DESCRIPTION = "widen actor_role"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="portal", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="actor_role",
        db_column_name="actor_role",
        params={"length": 200},
        old_params={"length": 30},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
