"""Persistence: Piccolo tables, the engine built from settings, migrations and repositories.

Error tree::

    DatabaseError            the database refused or could not be reached
    └── SchemaOutOfDate      migrations have not been applied (run ``portal db migrate``)
"""
