"""Persistence: Piccolo tables, the engine built from settings, migrations, and one module
per capability (``cases``, ``documents``, ``grants``, ``audit_log`` ...) that maps its
tables to domain values or small typed rows; ``transactions`` for write transactions.

Error tree::

    DatabaseError            the database refused or could not be reached
    └── SchemaOutOfDate      migrations have not been applied (run ``portal db migrate``)
"""
