"""Piccolo's view of the portal: one app whose tables and migrations live in portal.db."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from portal.db.tables import ALL_TABLES

APP_NAME = "portal"

APP_CONFIG = AppConfig(
    app_name=APP_NAME,
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
