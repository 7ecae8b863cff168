"""Retention from a shell: the sweep that destroys what art. 11.2c says is due, the
calendar of what comes next for every case, each destruction's signed report, and the
figures kept of destroyed cases (art. 11.3)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from portal.app import build_sign_in, sweep_with

    now = _moment(now_text) if now_text else system_clock()

    async def run(adapters: Adapters) -> FullSweep:
        # The same function the server runs on its schedule (PORTAL_RETENTION_SWEEP_SECONDS).
        return await sweep_with(
            adapters,
            now=now,
            dry_run=dry_run,
            sign_in=build_sign_in(adapters, clock=lambda: now),
            operator=operator(),
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


@retention.command("report")
@click.argument("case_id", type=click.UUID)
@click.option(
    "--dir",
    "directory",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write report.asc and the portal's public key key.asc here instead of printing.",
)
def retention_report(case_id: uuid.UUID, directory: Path | None) -> None:
    """Print the signed report of case CASE_ID's destruction (clear-signed OpenPGP).

    \b
    Anyone can then check it without the portal:
      gpg --import key.asc
      gpg --verify report.asc
    """
    from portal.services.errors import Conflict, NotFound
    from portal.services.figures import export_report

    try:
        exported = run_with_database(lambda: export_report(case_id))
    except (NotFound, Conflict) as exc:
        raise click.ClickException(str(exc)) from exc
    report = exported.report
    if directory is None:
        click.echo(report.signed_text, nl=False)
        return
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.asc").write_bytes(report.signed_text.encode())
    (directory / "key.asc").write_text(exported.public_key)
    click.echo(
        f"report of case {case_id} (sha256 {report.sha256}) written to {directory}; "
        f"signed by {report.key_fingerprint}"
    )


@click.command("figures")
@click.option(
    "--from",
    "since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="From the month of this date (YYYY-MM-DD).",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Up to and including the month of this date (YYYY-MM-DD).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")
def figures(since: datetime | None, until: datetime | None, as_json: bool) -> None:
    """Management figures of destroyed cases per month their destruction began (art. 11.3).

    Counts, mean and median days per phase, documents, downloads, grants, partij kinds,
    outcomes and rules; never a case. A month with fewer than 5 cases is merged with the
    next one (the last with the one before); fewer than 5 in all shows nothing.
    """
    from portal.services.errors import InvalidInput
    from portal.services.figures import operator_figures

    try:
        result = run_with_database(
            lambda: operator_figures(
                since=since.date() if since else None, until=until.date() if until else None
            )
        )
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), sort_keys=True))
        return
    if result.withheld:
        click.echo(f"fewer than {result.min_cases} cases in the selection: no figures shown")
    elif not result.periods:
        click.echo("no destroyed cases in the selection")
    for period in result.periods:
        months = (
            period.first_month
            if period.first_month == period.last_month
            else f"{period.first_month} to {period.last_month}"
        )
        click.echo(f"{months}: {period.cases} cases")
        for phase, days in period.days_per_phase.items():
            click.echo(
                f"  days in {phase}: mean {days.mean}, median {days.median} ({days.cases} cases)"
            )
        decided = period.days_decided_to_destroyed
        if decided is not None:
            click.echo(f"  days from decision to destruction: mean {decided.mean}, "
                       f"median {decided.median}")  # fmt: skip
        click.echo(
            f"  documents {period.documents}, downloads {period.downloads}, grants {period.grants}"
        )
        click.echo(f"  outcomes: {_counts(period.outcomes)}")
        click.echo(f"  rules: {_counts(period.rules)}")
        click.echo(f"  partij kinds (cases): {_counts(period.partij_kinds)}")


def _counts(counts: dict[str, int] | dict[Any, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "none"


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
