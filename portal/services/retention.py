"""The retention sweep: every case brought to where its timeline says (art. 9.4, 11.2c).

At +12 months after the afschaling or closing decision a case's personal data is
destroyed. :func:`destroy_case` does it in an order chosen so that a kill at any point
leaves nothing readable and the next run finishes the job:

1. **Mark** the case (``destroyed_at``): from that commit every access rule refuses it, in
   every app process, since each decision starts from the case row. Nothing of it is
   shown while the rest happens, whatever state a crash leaves the rest in.
2. **Shred the keys**: delete the ``case_key`` row and forget the cached key, and in the
   same transaction destroy the case's audit key (``portal.services.audit_sealing``), so
   a crash leaves both keys or neither. This is the step that makes every copy of the
   ciphertext useless, backups included, and the personal fields of the case's audit
   records unreadable, exports included; so it comes before anything that depends on the
   object store being reachable.
3. **Delete every object version** of the case's documents (and anything left under
   ``cases/<id>/``). The document rows still name the keys, so this comes before them.
4. **Erase the rows** in one transaction with the ``case:destroy`` record: documents,
   approvals, further-use requests, grants, admissions, assignments, the hand-over and the
   consent records only the case's documents named; the reference becomes a tombstone.
   The same transaction keeps what may be kept: the case's non-personal figures (art.
   11.3, ``portal.domain.figures``) and its destruction report, clear-signed with the
   portal's key, whose id and SHA-256 the ``case:destroy`` record names. Figures, report,
   record and erasure commit together or not at all, and only a case not yet erased gets
   there (checked under the row lock), so a rerun after a kill counts no case twice and
   loses none. gpg signs inside that transaction: a failed signature rolls it back, and
   the next sweep finishes the destruction (the case is refused and its key gone already).
5. **Clear the deleted rows** from disk (VACUUM on PostgreSQL, the WAL on SQLite).

A case under a legal hold (``portal.services.legal_holds``) is left alone and reported as
held; :func:`destroy_early` is the same destruction, decided by the case's procesregisseur
before +12 months (art. 9.4, 11.2), and refused while the case is held.

Every run also aborts the object store's stale incomplete uploads (those begun more than
``stale_upload_age`` before ``now``): a crash of the store or of the portal mid-upload
leaves their ciphertext parts behind, with no row that names them.

:func:`run_sweep` is the whole job, the same for ``portal retention sweep`` and for the
run each app process makes every ``PORTAL_RETENTION_SWEEP_SECONDS``
(:func:`sweep_periodically`): the destructions and stale uploads above, the expired
resumable uploads, the sign-in housekeeping, and the cached keys of destroyed cases.

The case row stays, as a tombstone: its id, reporting partij, phase and dates, nothing a
person can be recognised by. The audit trail's case ids then still resolve (to
"destroyed"), the id is never reused, the access rules keep answering "destroyed" rather
than "no such case", and the dates are the non-personal figures art. 11.3 allows to keep.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from crypto import CaseKeys
from portal.db import case_keys as case_keys_db
from portal.db import cases as cases_db
from portal.db import figures as figures_db
from portal.db import retention as retention_db
from portal.db.transactions import write_transaction
from portal.domain import access, figures, retention
from portal.domain.actions import Action, Outcome
from portal.domain.cases import Case, CaseId
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.audit_chain import AuditSigner, portal_signing_key
from portal.services.case_keys import destroy_case_key, forget_destroyed_case_keys
from portal.services.cases import case_facts, facts_of
from portal.services.clock import Clock
from portal.services.errors import Conflict
from portal.services.resumable_uploads import UploadSweep, sweep_expired_uploads
from portal.services.sign_in import Forgotten, SignIn
from storage import ObjectStore

logger = logging.getLogger(__name__)

DEFAULT_STALE_UPLOAD_AGE = timedelta(hours=6)
"""As ``Settings.stale_upload_seconds``: longer than any upload still running."""


@dataclass(frozen=True, kw_only=True)
class Destruction:
    """What one destruction removed: counts only, never what the case held."""

    case_id: CaseId
    objects: int
    versions: int
    rows: dict[str, int]
    key_destroyed: bool
    report_id: uuid.UUID
    """The signed destruction report (``GET /cases/{id}/destruction-report``)."""
    report_sha256: str
    """Of the report's signed text as stored and served."""

    def describe(self) -> str:
        rows = ", ".join(f"{table} {count}" for table, count in sorted(self.rows.items()))
        return (
            f"objects {self.objects}, versions {self.versions}, "
            f"case key {'destroyed' if self.key_destroyed else 'already gone'}, "
            f"rows: {rows or 'none'}; report {self.report_id} sha256 {self.report_sha256}"
        )


@dataclass(frozen=True, kw_only=True)
class SweepResult:
    plan: list[retention.Step]
    done: list[Destruction]
    held: list[retention.HeldBack] = field(default_factory=list)
    """Due, but under a legal hold: left alone, reported with since when, never why."""
    stale_uploads: int = 0
    """Incomplete uploads aborted (with ``dry_run``: that would be)."""


@dataclass(frozen=True, kw_only=True)
class FullSweep:
    """What one whole sweep did (:func:`run_sweep`); the housekeeping is None on a dry run."""

    retention: SweepResult
    uploads: UploadSweep | None = None
    sign_in: Forgotten | None = None
    cached_keys_forgotten: int = 0

    def summary(self) -> str:
        """One line for the server's log: counts and case ids, nothing a person is known by."""
        done = self.retention.done
        parts = [
            f"destroyed {len(done)} case(s)"
            + (f" ({', '.join(str(d.case_id) for d in done)})" if done else ""),
            f"{len(self.retention.held)} due but held",
            f"aborted {self.retention.stale_uploads} stale incomplete upload(s)",
        ]
        if self.uploads is not None:
            parts.append(
                f"resumable uploads {self.uploads.expired} expired, {self.uploads.forgotten} "
                f"forgotten, {self.uploads.orphans} stray stage objects removed"
            )
        if self.sign_in is not None:
            parts.append(f"sign-in state: {self.sign_in.describe()}")
        parts.append(f"{self.cached_keys_forgotten} cached key(s) of destroyed cases forgotten")
        return "; ".join(parts)


async def run_sweep(
    *,
    now: datetime,
    dry_run: bool,
    store: ObjectStore,
    keys: CaseKeys,
    signer: AuditSigner,
    audit: AuditLog,
    sign_in: SignIn,
    operator: str,
    stale_upload_age: timedelta = DEFAULT_STALE_UPLOAD_AGE,
) -> FullSweep:
    """Everything a sweep does at ``now``, in an order where a failure stops no shredding.

    The destructions first (:func:`sweep`); then, unless ``dry_run``, the resumable
    uploads past their expiry, the sign-in state the rules no longer use (``sign_in``'s
    clock says when that is), and the keys this process's GnuPG home still caches for
    cases whose key row is gone, a killed earlier run's included.
    """
    result = await sweep(
        now=now,
        dry_run=dry_run,
        store=store,
        keys=keys,
        signer=signer,
        audit=audit,
        operator=operator,
        stale_upload_age=stale_upload_age,
    )
    if dry_run:
        return FullSweep(retention=result)
    # Unfinished resumable uploads past their expiry hold sealed stages: gone too.
    uploads = await sweep_expired_uploads(now=now, store=store, audit=audit, operator=operator)
    forgotten = await sign_in.forget_expired()
    cached = await forget_destroyed_case_keys(keys=keys)
    return FullSweep(
        retention=result, uploads=uploads, sign_in=forgotten, cached_keys_forgotten=cached
    )


SweepRun = Callable[[datetime], Awaitable[FullSweep]]


async def sweep_periodically(*, interval: float, clock: Clock, run: SweepRun) -> None:
    """Every ``interval`` seconds, ``run`` the sweep at the clock's now; never raises.

    Several app processes may each run this: the sweep's lock makes them take turns, and
    the later ones find nothing left to destroy. A failed run is logged and the next one,
    an interval later, finishes what it began (every step is idempotent).
    """
    while True:
        await asyncio.sleep(interval)
        now = clock()
        try:
            full = await run(now)
        except Exception:
            # The trace follows the line: what failed (the store, the database) is its end.
            logger.exception(
                "scheduled retention sweep at %s failed; cases it began are refused already "
                "and the next run, in %d s, finishes them",
                now.isoformat(),
                interval,
            )
            continue
        logger.info(
            "scheduled retention sweep at %s: %s; next in %d s",
            now.isoformat(),
            full.summary(),
            interval,
        )


async def sweep(
    *,
    now: datetime,
    dry_run: bool,
    store: ObjectStore,
    keys: CaseKeys,
    signer: AuditSigner,
    audit: AuditLog,
    operator: str,
    stale_upload_age: timedelta = DEFAULT_STALE_UPLOAD_AGE,
) -> SweepResult:
    """Plan the destructions due at ``now`` and, unless ``dry_run``, carry them out.

    Holds the sweep's lock from the plan to the last destruction, so two sweeps started
    at once destroy each case once: the second one plans after the first has finished.
    """
    if now.tzinfo is None:
        raise ValueError("the sweep's time must carry a time zone")
    async with retention_db.sweep_lock():
        cases = await cases_db.all_cases()
        steps = retention.plan(cases, now=now)
        held = retention.held_back(cases, now=now)
        before = now - stale_upload_age
        if dry_run:
            stale = await abort_stale_uploads(store, before=before, dry_run=True)
            return SweepResult(plan=steps, done=[], held=held, stale_uploads=stale)
        done = []
        for step in steps:
            destruction = await destroy_case(
                step,
                now=now,
                store=store,
                keys=keys,
                signer=signer,
                audit=audit,
                operator=operator,
            )
            if destruction is not None:
                done.append(destruction)
        # Every real run, not only one that destroyed something: a run killed after its
        # rows were erased left them on disk, and the next run has nothing else to redo.
        await retention_db.clear_deleted_rows()
        # Last: a store that fails here must not keep the keys above from being shredded.
        stale = await abort_stale_uploads(store, before=before, dry_run=False)
    return SweepResult(plan=steps, done=done, held=held, stale_uploads=stale)


async def abort_stale_uploads(store: ObjectStore, *, before: datetime, dry_run: bool) -> int:
    """Abort the store's incomplete uploads begun before ``before``; one log line a run."""
    count = await asyncio.to_thread(store.abort_stale_uploads, before=before, dry_run=dry_run)
    logger.info(
        "retention sweep: %s %d incomplete upload(s) begun before %s",
        "would abort" if dry_run else "aborted",
        count,
        before.isoformat(),
    )
    return count


async def destroy_case(
    step: retention.Step,
    *,
    now: datetime,
    store: ObjectStore,
    keys: CaseKeys,
    signer: AuditSigner,
    audit: AuditLog,
    operator: str,
) -> Destruction | None:
    """Destroy one case in the order of the module docstring; None if it was done already.

    Every step is idempotent, so a rerun after a kill anywhere completes the destruction.
    None also when a legal hold was placed after the plan was made: the hold wins.
    """
    async with write_transaction():
        await retention_db.lock_case_row(step.case_id)
        case = await cases_db.case_by_id(step.case_id)
        # Asked again under the row lock: a hold placed after the plan was made wins (11.1).
        if case is None or not retention.plan([case], now=now):
            return None
        began = await retention_db.mark_destroying(step.case_id, now=now)
    if began is None:
        return None

    async def record(case: Case, destruction: Destruction) -> None:
        await audit.by_operator(
            Action.CASE_DESTROY,
            f"{step.reason}; {destruction.describe()}",
            operator=operator,
            at=began,
            ended_at=now,
            case=case,
        )

    return await _complete_destruction(
        step.case_id,
        store=store,
        keys=keys,
        signer=signer,
        audit=audit,
        completed_at=now,
        record=record,
    )


RecordDestruction = Callable[[Case, Destruction], Awaitable[None]]


async def _complete_destruction(
    case_id: CaseId,
    *,
    store: ObjectStore,
    keys: CaseKeys,
    signer: AuditSigner,
    audit: AuditLog,
    completed_at: datetime,
    record: RecordDestruction,
) -> Destruction | None:
    """Steps 2 to 4 of the module docstring, for a case marked already; None if another
    run finished it in between (nothing is then recorded, counted or reported twice)."""
    # The audit key first, then the documents' key, each committed: a kill between them
    # leaves a marked case (refused everywhere) whose rerun shreds what is left. The
    # documents' key row is deleted and committed before its cached copy is forgotten,
    # so the gpg keyring is never waited for inside a transaction.
    await audit.destroy_case_audit_key(str(case_id), now=completed_at)
    # Read before the shredding, for the report; gone if a killed run shredded it already.
    case_key = await case_keys_db.case_key(case_id)
    key_destroyed = await destroy_case_key(case_id=case_id, keys=keys)
    object_keys = await retention_db.object_keys_of_case(case_id)
    objects, versions = await asyncio.to_thread(_delete_objects, store, case_id, object_keys)
    # Outside the transaction: the first use generates and stores the key.
    signing_key = await portal_signing_key(signer, clock=lambda: completed_at)
    async with write_transaction():
        # A sweep and an early destruction of the same case meet here: the second waits
        # for the first to commit and then finds the tombstone.
        await retention_db.lock_case_row(case_id)
        case = await cases_db.case_by_id(case_id)
        if case is None or retention.destruction_finished(case):
            return None
        began = case.destroyed_at or completed_at
        # The figures' sources go with the rows: read them first, in the same transaction.
        partij_kinds = await figures_db.partij_kinds_of_case(case_id)
        phase_entries = await figures_db.phase_entries(case_id)
        downloads = await figures_db.recorded(case_id, Action.DOCUMENT_DOWNLOAD, Outcome.PERMIT)
        early = await figures_db.destroyed_early(case_id)
        rule = figures.DestructionRule.EARLY if early else figures.DestructionRule.TIMETABLE
        rows = await retention_db.erase_case_rows(
            case_id, tombstone=retention.tombstone_reference(case_id)
        )
        key_destroyed = key_destroyed or "case_key" in rows
        report_id = uuid.uuid4()
        report = figures.destruction_report(
            figures.ReportFacts(
                report_id=str(report_id),
                case_id=str(case_id),
                began_at=began,
                completed_at=completed_at,
                rule=rule,
                due_at=retention.timeline(case.decided_at).destroy_at
                if case.decided_at is not None
                else None,
                case_key_fingerprint=case_key.fingerprint if case_key is not None else None,
                key_destroyed=key_destroyed,
                objects=objects,
                versions=versions,
                rows=rows,
                signing_key_fingerprint=signing_key.fingerprint,
            )
        )
        signed = await asyncio.to_thread(signer.keys.sign_clear, signing_key, signer.secret, report)
        sha256 = hashlib.sha256(signed.encode()).hexdigest()
        await figures_db.insert_destruction_report(
            report_id=report_id,
            case_id=case_id,
            signed_text=signed,
            sha256=sha256,
            key_fingerprint=signing_key.fingerprint,
            now=completed_at,
        )
        await figures_db.insert_case_figures(
            figures.case_figures(
                case,
                began=began,
                rule=rule,
                phase_entries=phase_entries,
                partij_kinds=partij_kinds,
                documents=rows.get("document", 0),
                downloads=downloads,
                grants=rows.get("access_grant", 0),
            )
        )
        destruction = Destruction(
            case_id=case_id,
            objects=objects,
            versions=versions,
            rows=rows,
            key_destroyed=key_destroyed,
            report_id=report_id,
            report_sha256=sha256,
        )
        await record(case, destruction)
    return destruction


async def destroy_early(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    reason: str,
    store: ObjectStore,
    keys: CaseKeys,
    signer: AuditSigner,
    audit: AuditLog,
    clock: Clock,
) -> Destruction:
    """The case's procesregisseur destroys a decided case before +12 months (art. 9.4, 11.2).

    The decision and the mark commit together, with the ``case:destroy-early`` record: from
    then on the case is refused everywhere, and a kill before the end is finished by the
    next sweep. The ``case:destroy`` record with the counts follows, as for the sweep.
    """
    now = clock()
    facts = await facts_of(case_id)
    record = audit.about(context, at=now, case=facts.case)
    sight = access.may_see_register_entry(context.actor, facts, now=now)
    if not sight.allowed:
        raise await record.hide(Action.CASE_READ_DENIED, sight, f"case {case_id}")
    decision: Decision
    async with write_transaction():
        await retention_db.lock_case_row(case_id)
        facts = await facts_of(case_id)
        decision = access.may_destroy_early(context.actor, facts, reason=reason, now=now)
        if decision.allowed:
            await retention_db.mark_destroying(case_id, now=now)
            await record.succeed(Action.CASE_DESTROY_EARLY, f"{decision.reason}: {reason.strip()}")
    if not decision.allowed:
        raise await record.refuse(Action.CASE_DESTROY_EARLY_DENIED, decision)

    async def record_done(case: Case, destruction: Destruction) -> None:
        await audit.about(context, at=now, case=case).succeed(
            Action.CASE_DESTROY,
            f"destroyed before +12 months on the procesregisseur's decision (art. 9.4, 11.2); "
            f"{destruction.describe()}",
            ended_at=clock(),
        )

    destruction = await _complete_destruction(
        facts.case.id,
        store=store,
        keys=keys,
        signer=signer,
        audit=audit,
        completed_at=clock(),
        record=record_done,
    )
    await retention_db.clear_deleted_rows()
    if destruction is None:  # pragma: no cover - a sweep finished it at the same moment
        raise Conflict("the case was destroyed meanwhile by the retention sweep")
    return destruction


# --- the calendar (art. 9.4) -------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in UTC: ``until`` a date includes that whole day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


async def retention_calendar(
    context: RequestContext, *, until: date | None, clock: Clock
) -> list[retention.CalendarEntry]:
    """The cases the actor oversees, next event first (art. 9.4).

    As the case list: only what the actor may oversee, and nothing recorded for the rest;
    every case on it is one whose register entry the actor sees already.
    """
    now = clock()
    overseen = []
    for case in await cases_db.all_cases():
        if not retention.on_calendar(case, now=now):
            continue  # a tombstone: its facts (five queries) would be loaded for nothing
        facts = await case_facts(case)
        if access.may_oversee_retention(context.actor, facts, now=now).allowed:
            overseen.append(case)
    return retention.calendar(overseen, now=now, until=end_of_day(until) if until else None)


async def operator_calendar(*, now: datetime, until: date | None) -> list[retention.CalendarEntry]:
    """Every case's next event, for the operator's shell (``portal retention calendar``)."""
    cases = await cases_db.all_cases()
    return retention.calendar(cases, now=now, until=end_of_day(until) if until else None)


def _delete_objects(store: ObjectStore, case_id: CaseId, object_keys: list[str]) -> tuple[int, int]:
    """Every version of the documents' objects and of anything else under the case's prefix.

    Returns (objects that had versions, versions removed).
    """
    # Objects no row names (a crashed upload) are the case's too: the prefix catches them.
    listed = {info.key for info in store.list(f"cases/{case_id}/")}
    objects = versions = 0
    for key in sorted({*object_keys, *listed}):
        removed = store.delete(key)
        if removed:
            objects += 1
            versions += removed
    return objects, versions
