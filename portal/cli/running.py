"""How every command runs: settings loaded once, the database opened and migrated, errors
shown as one line; and how results are printed (a table with ids, or JSON)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pwd
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click

from portal.services.errors import ServiceError
from portal.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from portal.app import Adapters

T = TypeVar("T")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def settings() -> Settings:
    # Everything the portal writes (SQLite file, objects, keys, GnuPG cache) is for its own
    # user only: document metadata and locked case keys are no one else's business.
    os.umask(0o077)
    try:
        loaded = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    configure_logging(loaded.log_level)
    return loaded


def run_with_database(action: Callable[[], Awaitable[T]]) -> T:
    """Run ``action`` against the configured database, migrated as ``serve`` would."""
    return run_with_adapters(lambda _: action())


def run_with_adapters(action: Callable[[Adapters], Awaitable[T]]) -> T:
    """Run ``action`` with the adapters the composition root builds, database migrated."""
    from portal.app import StartupRefused, build_adapters, prepare_database
    from portal.db.engine import DatabaseError, close_engine, open_engine

    loaded = settings()

    async def main() -> T:
        adapters = build_adapters(loaded)
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


def async_command(
    func: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        run_with_database(lambda: func(*args, **kwargs))

    return wrapper


def operator() -> str:
    """The shell account running the command: the actor of what it changes, on record.

    Read from the process's uid, not from $USER, which anyone can set to anything.
    """
    return pwd.getpwuid(os.getuid()).pw_name


def echo_rows(headers: Sequence[str], rows: Sequence[Sequence[object]], *, as_json: bool) -> None:
    """Rows as an aligned table for a terminal, or as a JSON list of objects."""
    if as_json:
        click.echo(json.dumps([dict(zip(headers, row, strict=True)) for row in rows], default=str))
        return
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(sorted(str(item) for item in value)) or "-"
    return str(value)
