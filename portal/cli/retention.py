"""Retention from a shell: the sweep that destroys what art. 11.2c says is due, and the
calendar of what comes next for every case."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import click

from portal.cli.running import echo_rows, operator, run_with_adapters, run_with_database
from portal.services.clock import system_clock

if TYPE_CHECKING:
    from portal.app import Adapters
    from portal.services.retention import FullSweep

NOW_OPTION = click.option(
    "--now",
    "now_text",
    default=None,
    help="The moment to sweep for, ISO 8601 with a time zone (default: the clock's now).",
)


@click.group()
def retention() -> None:
    """Retention after afschaling (art. 11.2): destroy what is due."""


@retention.command("sweep")
@NOW_OPTION
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
def retention_sweep(now_text: str | None, dry_run: bool) -> None:
    """Bring every case to where its timeline says: destroy those 12 months past decision.

    Also removes resumable uploads left unfinished past PORTAL_UPLOAD_EXPIRY_SECONDS,
    aborts the object store's incomplete uploads begun more than
    PORTAL_STALE_UPLOAD_SECONDS ago (what a crash mid-upload leaves), and deletes ended
    sessions, sign-in failure counts and refusal windows the rules no longer use, and
    the keys this machine's GnuPG home caches for cases already destroyed. Each app
    process runs the same sweep every PORTAL_RETENTION_SWEEP_SECONDS.

    Safe to run from several processes at once, and after an interrupted run: the next
    run finishes any destruction that was begun. A case under a legal hold is left alone
    and printed as held, with since when (never the hold's reason).
    """
    from portal.app import build_sign_in
    from portal.services.retention import run_sweep

    now = _moment(now_text) if now_text else system_clock()

    async def run(adapters: Adapters) -> FullSweep:
        # The same function the server runs on its schedule (PORTAL_RETENTION_SWEEP_SECONDS).
        return await run_sweep(
            now=now,
            dry_run=dry_run,
            store=adapters.object_store,
            keys=adapters.case_keys,
            audit=adapters.audit,
            sign_in=build_sign_in(adapters, clock=lambda: now),
            operator=operator(),
            stale_upload_age=timedelta(seconds=adapters.settings.stale_upload_seconds),
        )

    from storage import StorageError

    try:
        full = run_with_adapters(run)
    except StorageError as exc:
        # Step 2 (the key) comes before the store is needed: what was begun is unreadable
        # already, and the next run finishes it (portal.services.retention).
        raise click.ClickException(
            f"the object store failed, so the sweep stopped: {exc}. Cases it began are "
            "refused and their keys destroyed; run the sweep again once the store is back."
        ) from exc
    result = full.retention
    uploads = full.uploads
    if uploads is not None and (uploads.expired or uploads.forgotten or uploads.orphans):
        click.echo(
            f"resumable uploads: {uploads.expired} expired unfinished, "
            f"{uploads.forgotten} finished ones forgotten, "
            f"{uploads.orphans} stray stage objects removed"
        )
    if full.sign_in is not None:
        click.echo(f"sign-in state: {full.sign_in.describe()}")
    if full.cached_keys_forgotten:
        click.echo(
            f"forgot {full.cached_keys_forgotten} cached key(s) of destroyed cases in this "
            "process's GnuPG home"
        )
    if result.stale_uploads or dry_run:
        verb = "would abort" if dry_run else "aborted"
        click.echo(f"{verb} {result.stale_uploads} stale incomplete upload(s)")
    for held in result.held:
        click.echo(
            f"held case {held.case_id}: due {held.due_at:%Y-%m-%d}, under a legal hold since "
            f"{held.held_since:%Y-%m-%d %H:%M} UTC; not destroyed"
        )
    if not result.plan:
        click.echo(f"nothing due at {now.isoformat()}")
        return
    if dry_run:
        for step in result.plan:
            click.echo(f"would destroy case {step.case_id}: {step.reason}")
        return
    for destruction in result.done:
        click.echo(f"destroyed case {destruction.case_id}: {destruction.describe()}")


@retention.command("calendar")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="The moment to look from, ISO 8601 with a time zone (default: the clock's now).",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only cases whose next event falls on or before this date (YYYY-MM-DD).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")
def retention_calendar(now_text: str | None, until: datetime | None, as_json: bool) -> None:
    """Every case with its regime, decision, archive and destruction dates and hold, next
    event first; open cases last (art. 9.4, 11.2)."""
    from portal.services.retention import operator_calendar

    now = _moment(now_text) if now_text else system_clock()
    day: date | None = until.date() if until else None
    entries = run_with_database(lambda: operator_calendar(now=now, until=day))
    rows = [
        (
            entry.case_id,
            entry.reference,
            entry.regime,
            _day(entry.decided_at),
            _day(entry.archived_from),
            _day(entry.destroy_at),
            _day(entry.held_since),
            entry.next_event,
            _day(entry.next_event_at),
        )
        for entry in entries
    ]
    headers = (
        "id",
        "reference",
        "regime",
        "decided",
        "archived_from",
        "destroy_at",
        "held_since",
        "next",
        "next_at",
    )
    echo_rows(headers, rows, as_json=as_json)


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 time: {text!r}", param_hint="--now") from exc
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2027-03-01T00:00:00Z", param_hint="--now")
    return moment
