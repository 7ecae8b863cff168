"""The ``portal`` command: serve the portal and administer it from a shell.

Every command calls the same use cases as the web API; none touches tables directly.
Commands live by subject: :mod:`portal.cli.server` (serve, db, demo),
:mod:`portal.cli.admin` (partij, user, token), :mod:`portal.cli.audit`,
:mod:`portal.cli.retention` (retention, figures).
"""

from __future__ import annotations

import click

from portal.cli import admin, audit, retention, server


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """RTO portal: encrypted document exchange for a Zorg- en Veiligheidshuis.

    Configured with PORTAL_* environment variables (see README.md). Without any, it runs
    the embedded default: SQLite, local object store and a generated master key under
    ./var (PORTAL_DATA_DIR).
    """


for command in (
    server.serve,
    server.db,
    server.demo,
    admin.partij,
    admin.user,
    admin.token,
    audit.audit,
    retention.retention,
    retention.figures,
):
    main.add_command(command)
