"""The schema: migrations build it on SQLite and PostgreSQL, and match the tables in code."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from piccolo.columns import Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table, create_table_class

from portal.db.engine import (
    SchemaOutOfDate,
    applied_migrations,
    assert_schema_current,
    migrate,
    pending_schema_changes,
)
from portal.db.piccolo_app import APP_CONFIG
from portal.db.tables import ALL_TABLES, AuditCaseKey, Casus, Partij, User

EXPECTED_TABLES = {
    "partij",
    "portal_user",
    "api_token",
    "casus",
    "case_key",
    "case_assignment",
    "case_handover",
    "consent",
    "document",
    "access_grant",
    "audit_event",
    "audit_case_key",
    "document_approval",
    "archive_admission",
    "further_use_request",
    "signing_key",
    "audit_checkpoint",
    "login_failure_window",
    "resumable_upload",
    "resumable_upload_part",
    "legal_hold",
    "user_credential",
    "recovery_code",
    "sign_in_failure",
    "web_session",
    "enrolment_link",
    "case_figures",
    "destruction_report",
}


async def test_migrations_build_every_table_from_an_empty_database(database: str) -> None:
    assert {table._meta.tablename for table in ALL_TABLES} == EXPECTED_TABLES
    for table in ALL_TABLES:
        assert await table.table_exists(), f"{table._meta.tablename} missing on {database}"
    assert len(await applied_migrations()) >= 1
    await assert_schema_current()


async def test_a_case_destroyed_before_sealing_gets_a_tombstone_audit_key(database: str) -> None:
    """The data step of the migration, run again over cases it has not seen."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    partij = Partij(name="Gemeente Venlo", kind="college", created_at=now)
    await partij.save()
    user = User(username="alice", partij=partij.id, created_at=now)
    await user.save()
    cases = {}
    for name, destroyed_at in (("gone", now), ("open", None)):
        case = Casus(
            reference=name, reported_by=partij.id, registered_by=user.id, created_at=now,
            destroyed_at=destroyed_at,
        )  # fmt: skip
        await case.save()
        cases[name] = str(case.id)

    tombstones = importlib.import_module("portal.db.migrations.portal_2026_12_02t18_30_00_000000")
    for statement in tombstones.FORWARDS:
        await Casus._meta.db.run_ddl(statement)

    rows = await AuditCaseKey.select(AuditCaseKey.case_id, AuditCaseKey.wrapped_key)
    assert rows == [{"case_id": cases["gone"], "wrapped_key": None}]


async def test_migrating_twice_changes_nothing(database: str) -> None:
    before = await applied_migrations()
    await migrate()
    assert await applied_migrations() == before


async def test_a_database_without_migrations_is_refused(database: str) -> None:
    from piccolo.apps.migrations.tables import Migration

    await Migration.delete(force=True)
    with pytest.raises(SchemaOutOfDate, match="portal db migrate"):
        await assert_schema_current()


async def test_tables_and_migrations_agree() -> None:
    assert await pending_schema_changes() == []


async def test_a_column_without_its_migration_is_detected() -> None:
    changed = create_table_class(
        class_name="Partij",
        class_kwargs={"tablename": "partij"},
        class_members={
            **{
                column._meta.name: column
                for column in Partij._meta.columns
                if not column._meta.primary_key
            },
            "website": Varchar(length=200),
        },
    )
    tables: list[type[Table]] = [changed if t is Partij else t for t in ALL_TABLES]
    drifted = AppConfig(
        app_name=APP_CONFIG.app_name,
        migrations_folder_path=APP_CONFIG.migrations_folder_path,
        table_classes=tables,
    )
    statements = await pending_schema_changes(drifted)
    assert any("website" in statement for statement in statements)
