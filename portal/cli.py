"""The ``portal`` command: serve the portal and administer it from a shell.

Every command calls the same use cases as the web API; none touches tables directly.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from portal.domain.partijen import PartijKind, Role
from portal.services.clock import system_clock
from portal.services.errors import ServiceError
from portal.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from portal.app import Adapters

T = TypeVar("T")

log = logging.getLogger("portal")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _settings() -> Settings:
    # Everything the portal writes (SQLite file, objects, keys, GnuPG cache) is for its own
    # user only: document metadata and locked case keys are no one else's business.
    os.umask(0o077)
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    _configure_logging(settings.log_level)
    return settings


def _run_with_database(action: Callable[[], Awaitable[T]]) -> T:
    """Run ``action`` against the configured database, migrated as ``serve`` would."""
    return _run_with_adapters(lambda _: action())


def _run_with_adapters(action: Callable[[Adapters], Awaitable[T]]) -> T:
    """Run ``action`` with the adapters the composition root builds, database migrated."""
    from portal.app import StartupRefused, build_adapters, prepare_database
    from portal.db.engine import DatabaseError, close_engine, open_engine

    settings = _settings()

    async def main() -> T:
        adapters = build_adapters(settings)
        await open_engine(adapters.engine)
        try:
            await prepare_database(adapters)
            return await action(adapters)
        finally:
            await close_engine(adapters.engine)

    try:
        return asyncio.run(main())
    except (ServiceError, DatabaseError, StartupRefused) as exc:
        raise click.ClickException(str(exc)) from exc


def _async_command(
    func: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        _run_with_database(lambda: func(*args, **kwargs))

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """RTO portal: encrypted document exchange for a Zorg- en Veiligheidshuis.

    Configured with PORTAL_* environment variables (see README.md). Without any, it runs
    the embedded default: SQLite, local object store and a generated master key under
    ./var (PORTAL_DATA_DIR).
    """


@main.command()
@click.option(
    "--host", default=None, help="Address to listen on [default: PORTAL_HOST or 127.0.0.1]."
)
@click.option("--port", type=int, default=None, help="Port [default: PORTAL_PORT or 8000].")
@click.option("--workers", type=int, default=1, show_default=True, help="App processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the portal over HTTP (put TLS in front of it in production)."""
    import uvicorn

    settings = _settings()
    # Fail here, with a message, rather than inside a worker process.
    from portal.app import StartupRefused, build_adapters

    try:
        build_adapters(settings)
    except StartupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        "portal.app:app_from_environment",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
        # uvicorn's access log prints the request line with its query string; the app logs
        # each request itself, without it (portal.web.access_log).
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Database schema: migrate, and check that code and migrations agree."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply every pending migration (run this before starting new app versions)."""
    from portal.app import build_adapters
    from portal.db.engine import DatabaseError, close_engine, migrate, open_engine

    settings = _settings()

    async def run() -> list[str]:
        adapters = build_adapters(settings)
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


@main.command()
@_async_command
async def demo() -> None:
    """Load the Noord-Limburg partijen and one user per role; print their logins."""
    from portal.services.demo import load_demo

    result = await load_demo(clock=system_clock)
    click.echo(f"demo data: {result.partijen_added} partijen and {result.users_added} users added")
    click.echo("logins (API tokens, shown once; running `portal demo` again replaces them):")
    for login in result.logins:
        click.echo(f"  {login.username:<6} {login.role:<16} {login.partij}")
        click.echo(f"         Authorization: Bearer {login.token}")


@main.group()
def partij() -> None:
    """Partner organisations of the covenant."""


@partij.command("add")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([kind.value for kind in PartijKind]),
    help="Kind of partij; fixes its legal basis (art. 6.4).",
)
@_async_command
async def partij_add(name: str, kind: str) -> None:
    """Register partij NAME and print its id."""
    from portal.services.partijen import add_partij

    created = await add_partij(name=name, kind=PartijKind(kind), clock=system_clock)
    click.echo(str(created.id))


@main.group()
def user() -> None:
    """Accounts of the people using the portal."""


@user.command("add")
@click.argument("username")
@click.option("--partij", "partij_name", required=True, help="Name of the user's partij.")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="Role; repeat for several.",
)
@click.option("--vog", is_flag=True, help="A positive VOG/screening is on record (art. 13.3).")
@click.option(
    "--geheimhouding",
    is_flag=True,
    help="A signed confidentiality statement is on record (art. 13.1).",
)
@_async_command
async def user_add(
    username: str, partij_name: str, roles: tuple[str, ...], vog: bool, geheimhouding: bool
) -> None:
    """Create user USERNAME in a partij, and print their id."""
    from portal.services.users import add_user

    created = await add_user(
        username=username,
        partij_name=partij_name,
        roles=frozenset(Role(role) for role in roles),
        vog=vog,
        geheimhouding=geheimhouding,
        clock=system_clock,
    )
    click.echo(str(created.id))
    if not created.screened:
        click.echo(
            "note: without --vog and --geheimhouding this user cannot be granted access "
            "to any case (art. 13.1, 13.3)",
            err=True,
        )


@main.group()
def token() -> None:
    """API tokens (Authorization: Bearer ...)."""


@token.command("create")
@click.argument("username")
@click.option("--label", default="", help="What the token is for, e.g. a partner system.")
@_async_command
async def token_create(username: str, label: str) -> None:
    """Print a new API token for USERNAME. It is shown once; only its hash is stored."""
    from portal.services.users import create_token

    click.echo(await create_token(username=username, label=label, clock=system_clock))


@main.group()
def audit() -> None:
    """The audit log: sign its head, export a checkpoint, verify the whole chain."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of the audit chain with the portal's key now."""
    from portal.services.audit_chain import sign_checkpoint

    async def run(adapters: Adapters) -> None:
        checkpoint = await sign_checkpoint(adapters.signer, clock=system_clock)
        if checkpoint is None:
            click.echo("nothing to sign: the log is empty or its head is signed already")
        else:
            click.echo(
                f"checkpoint {checkpoint.number} signed: record {checkpoint.seq}, "
                f"head {checkpoint.head_hash}, key {checkpoint.key_fingerprint}"
            )

    _run_with_adapters(run)


@audit.command("export-checkpoint")
@click.argument("number", type=int, required=False)
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write statement.txt, statement.asc and key.asc into.",
)
def audit_export_checkpoint(number: int | None, directory: Path) -> None:
    """Write checkpoint NUMBER (default: the latest) for checking with gpg.

    \b
    Anyone can then check it without the portal:
      gpg --import key.asc
      gpg --verify statement.asc statement.txt
    """
    from portal.services.audit_chain import export_checkpoint

    exported = _run_with_database(lambda: export_checkpoint(number))
    directory.mkdir(parents=True, exist_ok=True)
    checkpoint = exported.checkpoint
    (directory / "statement.txt").write_bytes(checkpoint.statement.encode())
    (directory / "statement.asc").write_text(checkpoint.signature)
    (directory / "key.asc").write_text(exported.public_key)
    click.echo(
        f"checkpoint {checkpoint.number} (record {checkpoint.seq}) written to {directory}; "
        f"signed by {checkpoint.key_fingerprint}"
    )


@audit.command("verify")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The portal's public key as exported earlier and kept apart (pins the signer).",
)
def audit_verify(public_key: Path | None) -> None:
    """Recompute the chain and check every checkpoint; exit 1 at the first break."""
    import time

    from portal.services.audit_chain import verify_log

    pinned = public_key.read_text() if public_key else None
    started = time.monotonic()
    verdict = _run_with_adapters(
        lambda adapters: verify_log(adapters.signer, pinned_public_key=pinned)
    )
    elapsed = time.monotonic() - started
    if verdict.intact:
        click.echo(
            f"audit log intact: {verdict.records} records, {verdict.checkpoints} signed "
            f"checkpoints ({elapsed:.1f} s)"
        )
        return
    click.echo(
        f"audit log BROKEN at record {verdict.broken_seq}: {verdict.kind} ({verdict.detail})",
        err=True,
    )
    sys.exit(1)
