"""People and their standing: partijen, users and API tokens.

Every change that alters who may see what (``user update``, ``token revoke``, ``partij
set-key``) is recorded in the audit log with the shell account as its actor.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.cli.running import async_command, echo_rows, operator, run_with_adapters
from portal.domain.partijen import PartijKind, Role, vog_current
from portal.services.clock import system_clock

if TYPE_CHECKING:
    from portal.app import Adapters
    from portal.services.sign_in import SignIn

ROLES = click.Choice([role.value for role in Role])
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")


def _day(value: date | None) -> datetime | None:
    """A calendar date as the start of that day in UTC, as the VOG's date is recorded."""
    return datetime.combine(value, time(), tzinfo=UTC) if value else None


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


@click.group()
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
@async_command
async def partij_add(name: str, kind: str) -> None:
    """Register partij NAME and print its id."""
    from portal.services.partijen import add_partij

    created = await add_partij(name=name, kind=PartijKind(kind), clock=system_clock)
    click.echo(str(created.id))


@partij.command("list")
@JSON_OPTION
@async_command
async def partij_list(as_json: bool) -> None:
    """List every partij with its id, kind and status."""
    from portal.services.partijen import list_partijen

    rows = [(p.id, p.name, p.kind, p.status) for p in await list_partijen()]
    echo_rows(("id", "name", "kind", "status"), rows, as_json=as_json)


@partij.command("set-key")
@click.argument("name")
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The partij's ASCII-armored OpenPGP public key; it must be able to encrypt.",
)
def partij_set_key(name: str, key_file: Path) -> None:
    """Register partij NAME's own OpenPGP key: documents it uploads are encrypted to it too.

    Art. 2.1: the partij can then always read what it provided, outside the portal.
    Recorded in the audit log.
    """
    from portal.services.partijen import set_partij_key

    armored = key_file.read_text()

    async def run(adapters: Adapters) -> str:
        return await set_partij_key(
            name,
            armored=armored,
            keys=adapters.case_keys,
            operator=operator(),
            audit=adapters.audit,
            clock=system_clock,
        )

    click.echo(f"partij {name}: OpenPGP key {run_with_adapters(run)} registered")


@click.group()
def user() -> None:
    """Accounts of the people using the portal."""


@user.command("add")
@click.argument("username")
@click.option("--partij", "partij_name", required=True, help="Name of the user's partij.")
@click.option("--role", "roles", required=True, multiple=True, type=ROLES, help="Role; repeat.")
@click.option("--vog", is_flag=True, help="A positive VOG/screening is on record (art. 13.3).")
@click.option(
    "--vog-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date of the VOG on record, YYYY-MM-DD (implies --vog; default: today).",
)
@click.option(
    "--geheimhouding",
    is_flag=True,
    help="A signed confidentiality statement is on record (art. 13.1).",
)
@click.option(
    "--enrolment-link",
    is_flag=True,
    help="Print a one-time link (PORTAL_ENROLMENT_LINK_HOURS, default 72 h) with which the "
    "user chooses a password and sets up TOTP for the web pages.",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A first password for the web pages, read from this file (first line); the user "
    "sets up TOTP at the first sign-in.",
)
def user_add(
    username: str,
    partij_name: str,
    roles: tuple[str, ...],
    vog: bool,
    vog_date: datetime | None,
    geheimhouding: bool,
    enrolment_link: bool,
    password_file: Path | None,
) -> None:
    """Create user USERNAME in a partij, and print their id (and an enrolment link)."""
    from portal.services.users import add_user

    password = _first_line(password_file) if password_file else None

    async def run(adapters: Adapters) -> None:
        created = await add_user(
            username=username,
            partij_name=partij_name,
            roles=frozenset(Role(role) for role in roles),
            vog=vog,
            vog_recorded_at=_day(vog_date.date() if vog_date else None),
            geheimhouding=geheimhouding,
            clock=system_clock,
        )
        click.echo(str(created.id))
        if password is not None:
            await _sign_in(adapters).set_password(username, password, operator=operator())
        if enrolment_link:
            await _print_enrolment_link(adapters, username)
        if not created.screened:
            click.echo(
                "note: without --vog and --geheimhouding this user cannot be granted access "
                "to any case (art. 13.1, 13.3)",
                err=True,
            )

    run_with_adapters(run)


@user.command("enrolment-link")
@click.argument("username")
def user_enrolment_link(username: str) -> None:
    """Print a new one-time link for USERNAME to choose a password and set up TOTP.

    Using it replaces the account's password, TOTP and recovery codes, and ends its
    sessions (for a lost phone or a forgotten password). Only its hash is stored; an
    earlier link stops working. Recorded in the audit log, with you as the operator.
    """

    async def run(adapters: Adapters) -> None:
        await _print_enrolment_link(adapters, username)

    run_with_adapters(run)


@user.command("totp-code")
@click.argument("username")
def user_totp_code(username: str) -> None:
    """Print USERNAME's current TOTP code: for the embedded demo only, refused in production."""

    async def run(adapters: Adapters) -> str:
        if adapters.settings.is_production:
            raise click.ClickException("totp-code is for the embedded demo; refused in production")
        return await _sign_in(adapters).current_totp_code(username)

    click.echo(run_with_adapters(run))


def _first_line(path: Path) -> str:
    lines = path.read_text().splitlines()
    return lines[0] if lines else ""


def _sign_in(adapters: Adapters) -> SignIn:
    from portal.app import build_sign_in

    return build_sign_in(adapters, clock=system_clock)


async def _print_enrolment_link(adapters: Adapters, username: str) -> None:
    token = await _sign_in(adapters).issue_enrolment_link(username, operator=operator())
    hours = adapters.settings.enrolment_link_hours
    click.echo(f"enrolment link (shown once, valid {hours} hours, usable once):")
    # The token goes in the query string: the portal's access log never prints one.
    click.echo(f"  {adapters.settings.public_url}/welkom?t={token}")


@user.command("list")
@click.option("--partij", "partij_name", default=None, help="Only the users of this partij.")
@JSON_OPTION
def user_list(partij_name: str | None, as_json: bool) -> None:
    """List users with their id, partij, roles, VOG and confidentiality dates, and standing.

    "screened" applies PORTAL_VOG_MAX_AGE_DAYS: a VOG older than that does not count.
    """
    from portal.services.partijen import list_partijen
    from portal.services.users import list_users

    async def run(adapters: Adapters) -> list[tuple[object, ...]]:
        names = {p.id: p.name for p in await list_partijen()}
        now, bound = system_clock(), adapters.settings.vog_max_age_days
        return [
            (
                u.id,
                u.username,
                names.get(u.partij_id, u.partij_id),
                u.roles,
                _date(u.vog_recorded_at),
                _date(u.geheimhouding_recorded_at),
                u.active,
                u.screened and vog_current(u.vog_recorded_at, now=now, max_age_days=bound),
            )
            for u in await list_users()
            if partij_name is None or names.get(u.partij_id) == partij_name
        ]

    headers = ("id", "username", "partij", "roles", "vog", "geheimhouding", "active", "screened")
    echo_rows(headers, run_with_adapters(run), as_json=as_json)


@user.command("update")
@click.argument("username")
@click.option(
    "--vog-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Record a VOG of this date, YYYY-MM-DD (art. 13.3).",
)
@click.option("--no-vog", is_flag=True, help="Remove the VOG on record.")
@click.option(
    "--geheimhouding/--no-geheimhouding",
    default=None,
    help="A signed confidentiality statement is on record, or no longer (art. 13.1).",
)
@click.option(
    "--role", "roles", multiple=True, type=ROLES, help="Role; repeat. Replaces every role."
)
@click.option(
    "--deactivate/--activate",
    "deactivate",
    default=None,
    help="Deactivate the account (its tokens stop at once), or activate it again.",
)
def user_update(
    username: str,
    vog_date: datetime | None,
    no_vog: bool,
    geheimhouding: bool | None,
    roles: tuple[str, ...],
    deactivate: bool | None,
) -> None:
    """Change USERNAME's VOG, confidentiality statement, roles or activation.

    Only what is given changes. Recorded in the audit log, with you as the operator.
    """
    from portal.services.users import update_user

    async def run(adapters: Adapters) -> None:
        updated = await update_user(
            username,
            operator=operator(),
            audit=adapters.audit,
            clock=system_clock,
            vog_recorded_at=_day(vog_date.date() if vog_date else None),
            clear_vog=no_vog,
            geheimhouding=geheimhouding,
            roles=frozenset(Role(role) for role in roles) if roles else None,
            active=None if deactivate is None else not deactivate,
        )
        click.echo(
            f"{updated.username}: roles {','.join(sorted(updated.roles))}, "
            f"vog {_date(updated.vog_recorded_at) or '-'}, "
            f"geheimhouding {_date(updated.geheimhouding_recorded_at) or '-'}, "
            f"{'active' if updated.active else 'deactivated'}"
        )

    run_with_adapters(run)


@click.group()
def token() -> None:
    """API tokens (Authorization: Bearer ...)."""


@token.command("create")
@click.argument("username")
@click.option("--label", default="", help="What the token is for, e.g. a partner system.")
@async_command
async def token_create(username: str, label: str) -> None:
    """Print a new API token for USERNAME. It is shown once; only its hash is stored."""
    from portal.services.users import create_token

    click.echo(await create_token(username=username, label=label, clock=system_clock))


@token.command("list")
@click.argument("username", required=False)
@JSON_OPTION
@async_command
async def token_list(username: str | None, as_json: bool) -> None:
    """List API tokens (of USERNAME) with their ids; never the tokens themselves."""
    from portal.services.users import list_tokens

    rows = [
        (t.id, t.username, t.label, t.created_at, t.last_used_at, t.revoked_at)
        for t in await list_tokens(username=username)
    ]
    headers = ("id", "user", "label", "created", "last used", "revoked")
    echo_rows(headers, rows, as_json=as_json)


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: uuid.UUID) -> None:
    """Revoke the API token with id TOKEN_ID (see `portal token list`) at once.

    Recorded in the audit log, with you as the operator.
    """
    from portal.services.users import revoke_token

    async def run(adapters: Adapters) -> None:
        revoked = await revoke_token(
            token_id, operator=operator(), audit=adapters.audit, clock=system_clock
        )
        click.echo(f"token {revoked.id} of {revoked.username} revoked")

    run_with_adapters(run)
