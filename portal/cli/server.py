"""Serving the portal, its database schema, and the demo data."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import click

from portal.cli.running import run_with_adapters, settings
from portal.services.clock import system_clock

if TYPE_CHECKING:
    from portal.app import Adapters


@click.command()
@click.option(
    "--host", default=None, help="Address to listen on [default: PORTAL_HOST or 127.0.0.1]."
)
@click.option("--port", type=int, default=None, help="Port [default: PORTAL_PORT or 8000].")
@click.option("--workers", type=int, default=1, show_default=True, help="App processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the portal over HTTP (put TLS in front of it in production)."""
    import uvicorn

    loaded = settings()
    # Fail here, with a message, rather than inside a worker process.
    from portal.app import StartupRefused, build_adapters

    try:
        build_adapters(loaded)
    except StartupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        "portal.app:app_from_environment",
        factory=True,
        host=host or loaded.host,
        port=port or loaded.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level=loaded.log_level,
        # uvicorn's access log prints the request line with its query string; the app logs
        # each request itself, without it (portal.web.access_log).
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )


@click.group()
def db() -> None:
    """Database schema: migrate, and check that code and migrations agree."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply every pending migration (run this before starting new app versions)."""
    from portal.app import build_adapters
    from portal.db.engine import DatabaseError, close_engine, migrate, open_engine

    loaded = settings()

    async def run() -> list[str]:
        adapters = build_adapters(loaded)
        await open_engine(adapters.engine)
        try:
            return await migrate()
        finally:
            await close_engine(adapters.engine)

    try:
        lines = asyncio.run(run())
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in lines:
        click.echo(line)
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail when the tables in code differ from what the migrations build."""
    from portal.db.engine import pending_schema_changes

    statements = asyncio.run(pending_schema_changes())
    if statements:
        click.echo("tables and migrations disagree; a new migration needs:", err=True)
        for statement in statements:
            click.echo(f"  {statement}", err=True)
        sys.exit(1)
    click.echo("tables and migrations agree")


@click.command()
def demo() -> None:
    """Load the Noord-Limburg partijen and one user per role; print their logins.

    In the embedded default every demo user can also sign in to the web pages with the
    demo password and TOTP secret (see the README); never in production.
    """
    from crypto import SecretBox
    from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoResult, load_demo
    from portal.services.sign_in import CREDENTIAL_KEY_PURPOSE

    async def run(adapters: Adapters) -> DemoResult:
        box = (
            None
            if adapters.settings.is_production
            else SecretBox(adapters.master_key.key_for(CREDENTIAL_KEY_PURPOSE))
        )
        return await load_demo(clock=system_clock, sign_in_box=box)

    result = run_with_adapters(run)
    loaded = settings()
    click.echo(f"demo data: {result.partijen_added} partijen and {result.users_added} users added")
    click.echo("logins (API tokens, shown once; running `portal demo` again replaces them):")
    for login in result.logins:
        click.echo(f"  {login.username:<6} {login.role:<16} {login.partij}")
        click.echo(f"         Authorization: Bearer {login.token}")
    if loaded.is_production:
        click.echo("web pages: production, so no demo passwords were set")
        return
    click.echo(f"web pages: sign in at {loaded.public_url}/aanmelden as any of them,")
    click.echo(f"  password {DEMO_PASSWORD!r}, TOTP secret {DEMO_TOTP_SECRET}")
    click.echo(
        f"  (code: `oathtool --totp -b {DEMO_TOTP_SECRET}` or `uv run portal user totp-code NAME`)"
    )
