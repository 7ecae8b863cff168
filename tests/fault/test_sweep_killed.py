"""The retention sweep SIGKILLed inside a destruction, at each step boundary (issue #10,
point 9): the next run completes it, and in between nothing of the case is shown.

``portal retention sweep`` runs as a real process against the fault stack's PostgreSQL
and a versioned MinIO bucket. Nothing in the portal knows it is being tested: the sweep
is held at a chosen moment from outside, by a lock it must wait for, the way the other
fault tests hold an upload at the audit append:

* a PostgreSQL table or row lock held by a psql session (``LOCK TABLE``, ``FOR UPDATE``):
  the sweep waits at its next statement on that table or row;
* the GnuPG home's keyring lock (``crypto.gnupg_home``) held exclusively: the sweep
  waits as it forgets the cached key;
* MinIO stopped with SIGSTOP: the sweep waits inside a request to the store.

A backend waiting for a lock learns that its client died only once it is granted, and
would then still run the statement; the test ends that backend (as a crashed machine's
connection ends) before letting go of the lock. Each case prints one ``FAULT`` line.
"""

from __future__ import annotations

import fcntl
import io
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from crypto import CaseKeys, GnuPGHome
from portal.domain.retention import add_months
from tests.fault.conftest import Stack
from tests.fault.state import PURPOSE, new_case, report, upload_by_carol
from tests.fault.transfers import pdf
from tests.servers import wait_until
from tests.web.live import PORTAL
from tests.web.portal_client import PDF_HEAD


@dataclass(frozen=True, kw_only=True)
class Doomed:
    """A case due for destruction, with two documents (one in two object versions)."""

    case_id: str
    documents: tuple[str, ...]
    fingerprint: str
    due: str
    """The sweep's ``--now``: a day past +12 months after the decision."""

    @property
    def prefix(self) -> str:
        return f"cases/{self.case_id}/"


class PsqlSession:
    """One psql session kept open, to hold a lock for as long as the test needs."""

    def __init__(self, stack: Stack, **variables: str) -> None:
        argv = ["psql", stack.live.database_url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            argv += ["-v", f"{name}={value}"]
        self._process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, sql: str) -> None:
        """Run ``sql`` and return once psql has answered it."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(f"{sql}\nSELECT 'answered';\n")
        self._process.stdin.flush()
        while (line := self._process.stdout.readline()) and line.strip() != "answered":
            pass
        assert line, "psql ended before answering"

    def close(self) -> None:
        """End the transaction, and with it the lock; again does nothing."""
        if self._process.poll() is not None:
            return
        self.run("ROLLBACK;")
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()


@contextmanager
def locked(stack: Stack, sql: str, **variables: str) -> Iterator[PsqlSession]:
    """``sql`` (a lock) taken in an open transaction, released at the end of the block."""
    session = PsqlSession(stack, **variables)
    try:
        session.run(f"BEGIN; {sql}")
        yield session
    finally:
        session.close()


def waiting_backend(stack: Stack, query_like: str) -> int | None:
    """The pid of the backend waiting for a lock while running a query like ``query_like``."""
    found = stack.api.psql(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query ILIKE :'pattern' LIMIT 1;\n",
        pattern=query_like,
    )
    return int(found) if found else None


def await_waiting(stack: Stack, query_like: str, sweep: subprocess.Popen[str]) -> int:
    found: list[int] = []

    def waiting() -> bool:
        assert sweep.poll() is None, f"the sweep ended first: {sweep.communicate()}"
        pid = waiting_backend(stack, query_like)
        if pid is not None:
            found.append(pid)
        return pid is not None

    wait_until(waiting, timeout=60, what=f"the sweep to wait at {query_like}")
    return found[-1]


@contextmanager
def keyring_locked(stack: Stack) -> Iterator[None]:
    """The portal's GnuPG home's keyring lock, held exclusively: no gpg may use it."""
    fd = os.open(stack.live.data_dir / "gnupg" / ".keyring.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass
class Held:
    """A sweep stopped at a moment, and the backend it left waiting there (if any)."""

    sweep: subprocess.Popen[str]
    backend: int | None = None


Stop = Callable[[Stack, Doomed], AbstractContextManager[Held]]


def start_sweep(stack: Stack, doomed: Doomed) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PORTAL, "retention", "sweep", "--now", doomed.due],
        env=stack.live.environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# The first statement of step 2 on the key row: reading its fingerprint for the
# destruction report, then deleting it. Either waits on the table lock.
KEY_ROW = '%FROM "case_key"%'
LIST_OBJECT_KEYS = '%"object_key"%FROM "document"%'


@contextmanager
def at_the_key(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """Marked (step 1 committed); the key row not yet deleted."""
    with locked(stack, "LOCK TABLE case_key IN ACCESS EXCLUSIVE MODE;"):
        sweep = start_sweep(stack, doomed)
        yield Held(sweep, await_waiting(stack, KEY_ROW, sweep))


@contextmanager
def at_the_cached_key(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """The key row deleted (committed); its copy in the GnuPG home not yet forgotten."""
    with locked(stack, "LOCK TABLE case_key IN ACCESS EXCLUSIVE MODE;") as table:
        sweep = start_sweep(stack, doomed)
        await_waiting(stack, KEY_ROW, sweep)
        with keyring_locked(stack):
            table.close()  # the delete goes on and commits; the forgetting waits for gpg
            wait_until(
                lambda: _count(stack, "case_key", doomed.case_id) == "0",
                timeout=30,
                what="the key row to go",
            )
            time.sleep(1)  # the sweep is now at the keyring lock, or on its way to it
            yield Held(sweep)


@contextmanager
def at_the_objects(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """The key shredded (row and cached copy); no object deleted yet."""
    with locked(stack, "LOCK TABLE document IN ACCESS EXCLUSIVE MODE;"):
        sweep = start_sweep(stack, doomed)
        yield Held(sweep, await_waiting(stack, LIST_OBJECT_KEYS, sweep))


@contextmanager
def inside_a_store_request(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """The key shredded; the sweep inside a request to MinIO that does not answer."""
    assert stack.minio.process is not None
    minio = stack.minio.process.pid
    with locked(stack, "LOCK TABLE document IN ACCESS EXCLUSIVE MODE;") as table:
        sweep = start_sweep(stack, doomed)
        await_waiting(stack, LIST_OBJECT_KEYS, sweep)
        os.kill(minio, signal.SIGSTOP)
        try:
            table.close()
            wait_until(
                lambda: waiting_backend(stack, LIST_OBJECT_KEYS) is None,
                timeout=30,
                what="the sweep to read the object keys",
            )
            time.sleep(1)  # now listing or deleting, against a MinIO that cannot answer
            yield Held(sweep)
        finally:
            os.kill(minio, signal.SIGCONT)


@contextmanager
def at_the_rows(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """Every object version deleted; the document rows (and the rest) not yet erased."""
    with locked(stack, "LOCK TABLE document IN ACCESS EXCLUSIVE MODE;") as table:
        sweep = start_sweep(stack, doomed)
        await_waiting(stack, LIST_OBJECT_KEYS, sweep)
        with locked(stack, "SELECT 1 FROM casus WHERE id = :'id' FOR UPDATE;", id=doomed.case_id):
            table.close()
            yield Held(sweep, await_waiting(stack, '%FROM "casus"%FOR UPDATE%', sweep))


@contextmanager
def at_the_vacuum(stack: Stack, doomed: Doomed) -> Iterator[Held]:
    """The rows erased with the ``case:destroy`` record (committed); not yet vacuumed."""
    # A vacuum waits for this lock; the sweep's deletes (ROW EXCLUSIVE) do not.
    with locked(stack, "LOCK TABLE document_approval IN SHARE UPDATE EXCLUSIVE MODE;"):
        sweep = start_sweep(stack, doomed)
        yield Held(sweep, await_waiting(stack, "VACUUM document_approval%", sweep))


# What each stop shows while the sweep is held there: the proof that it stopped where it
# says. Only what can be read past the lock held (a locked table cannot be counted, a
# stopped MinIO not listed, a locked keyring not read).
AT_THE_STOP: dict[str, dict[str, object]] = {
    "after the mark, before the key": {"marked": "t", "versions": 3, "document rows": "2"},
    "the key row gone, its cached copy not yet forgotten": {"key rows": "0", "versions": 3},
    "the key shredded, before the objects": {"key rows": "0", "versions": 3},
    "inside a request to the object store": {"key rows": "0", "document rows": "2"},
    "the objects gone, before the rows": {"key rows": "0", "versions": 0, "document rows": "2"},
    "the rows erased, before the vacuum": {"versions": 0, "document rows": "0", "case:destroy": 1},
}

STOPS: dict[str, Stop] = {
    "after the mark, before the key": at_the_key,
    "the key row gone, its cached copy not yet forgotten": at_the_cached_key,
    "the key shredded, before the objects": at_the_objects,
    "inside a request to the object store": inside_a_store_request,
    "the objects gone, before the rows": at_the_rows,
    "the rows erased, before the vacuum": at_the_vacuum,
}


def _count(stack: Stack, table: str, case_id: str) -> str:
    return stack.api.psql(
        f"SELECT count(*) FROM {table} WHERE casus = :'id';\n",  # noqa: S608 - our own names
        id=case_id,
    )


def _marked(stack: Stack, case_id: str) -> str:
    return stack.api.psql(
        "SELECT destroyed_at IS NOT NULL FROM casus WHERE id = :'id';\n", id=case_id
    )


def _versions(stack: Stack, prefix: str) -> list[str]:
    live = stack.live
    return [
        f"{item.object_name}@{item.version_id}"
        for item in live.minio.list_objects(
            bucket_name=live.bucket, prefix=prefix, recursive=True, include_version=True
        )
    ]


def _cached_case_keys(stack: Stack) -> dict[str, str]:
    return CaseKeys(GnuPGHome(stack.live.data_dir / "gnupg")).cached_case_keys()


def _actions(stack: Stack, case_id: str, action: str) -> int:
    counted = stack.api.psql(
        "SELECT count(*) FROM audit_event WHERE case_id = :'id' AND action = :'action';\n",
        id=case_id,
        action=action,
    )
    return int(counted)


def _doomed_case(stack: Stack) -> Doomed:
    live = stack.live
    # Production buckets keep versions: a destruction must remove every one of them.
    live.minio.set_bucket_versioning(
        bucket_name=live.bucket, config=VersioningConfig(status=ENABLED)
    )
    case_id = new_case(stack)
    documents = tuple(
        upload_by_carol(stack, case_id, pdf(64 * 1024, seed=seed), f"dossier-{seed}.pdf")
        for seed in (41, 42)
    )
    key = f"cases/{case_id}/{documents[0]}.pgp"
    response = live.minio.get_object(bucket_name=live.bucket, object_name=key)
    try:
        copy = bytes(response.read())
    finally:
        response.close()
        response.release_conn()
    live.minio.put_object(
        bucket_name=live.bucket, object_name=key, data=io.BytesIO(copy), length=len(copy)
    )
    read = stack.api.download(documents[0], user="alice", purpose=PURPOSE)
    assert read.status_code == 200, read.text  # what "nothing shown" is measured against
    stack.api.move_through(case_id, "triage", "rto")
    decided = datetime.now(UTC)
    moved = stack.api.move(case_id, "afschaling", decided_at=decided)
    assert moved.status_code in {200, 201}, moved.text
    fingerprint = stack.api.psql(
        "SELECT fingerprint FROM case_key WHERE casus = :'id';\n", id=case_id
    )
    assert fingerprint in _cached_case_keys(stack)  # the server made it here
    return Doomed(
        case_id=case_id,
        documents=documents,
        fingerprint=fingerprint,
        due=(add_months(decided, 12) + timedelta(days=1)).isoformat(),
    )


def _shown(stack: Stack, doomed: Doomed) -> list[str]:
    """What the API still shows of the case, to Alice (its procesregisseur) and Carol (its
    provider): every answer that is a 200, or that carries a document's bytes."""
    api = stack.api
    shown = []
    for user in ("alice", "carol"):
        answers = [
            ("case", api.case(doomed.case_id, user=user)),
            ("documents", api.case_documents(doomed.case_id, user=user)),
        ]
        for document_id in doomed.documents:
            answers.append(("document", api.document(document_id, user=user)))
            answers.append(("content", api.download(document_id, user=user, purpose=PURPOSE)))
        shown += [
            f"{user} {what} {answer.status_code}"
            for what, answer in answers
            if answer.status_code == 200 or PDF_HEAD in answer.content
        ]
    return shown


@pytest.mark.parametrize("moment", list(STOPS), ids=lambda moment: moment.replace(" ", "-"))
def test_art11_2c_a_sweep_killed_inside_a_destruction_is_completed_by_the_next_run(
    stack: Stack, moment: str
) -> None:
    doomed = _doomed_case(stack)

    with STOPS[moment](stack, doomed) as held:
        observe: dict[str, Callable[[], object]] = {
            "marked": lambda: _marked(stack, doomed.case_id),
            "key rows": lambda: _count(stack, "case_key", doomed.case_id),
            "document rows": lambda: _count(stack, "document", doomed.case_id),
            "versions": lambda: len(_versions(stack, doomed.prefix)),
            "case:destroy": lambda: _actions(stack, doomed.case_id, "case:destroy"),
        }
        at_the_stop = {name: observe[name]() for name in AT_THE_STOP[moment]}
        held.sweep.send_signal(signal.SIGKILL)
        held.sweep.wait(timeout=30)
        if held.backend is not None:
            # Its client is gone; granted the lock, it would still run the statement.
            stack.api.psql(f"SELECT pg_terminate_backend({held.backend});\n")
    killed = held.sweep.communicate()

    between = {
        "marked": _marked(stack, doomed.case_id),
        "key rows": _count(stack, "case_key", doomed.case_id),
        "key cached": doomed.fingerprint in _cached_case_keys(stack),
        "document rows": _count(stack, "document", doomed.case_id),
        "versions": len(_versions(stack, doomed.prefix)),
        "case:destroy": _actions(stack, doomed.case_id, "case:destroy"),
    }
    shown = _shown(stack, doomed)
    swept = stack.live.cli("retention", "sweep", "--now", doomed.due)
    verified = stack.live.cli("audit", "verify")
    report(
        f"retention sweep SIGKILLed: {moment}",
        f"exit {held.sweep.returncode}; at the stop {at_the_stop}; left {between}; shown meanwhile {shown or 'nothing'}; "
        f"next sweep exit {swept.returncode}: {swept.stdout.strip().splitlines()[-1:]}",
    )

    assert held.sweep.returncode == -signal.SIGKILL, killed
    assert at_the_stop == AT_THE_STOP[moment]
    # In between: the case is marked, so every access rule refuses it, whatever is left.
    assert between["marked"] == "t"
    assert shown == []
    assert swept.returncode == 0, swept.stderr
    assert "Traceback" not in swept.stderr
    # After: destroyed in full, recorded once, the chain intact.
    assert _versions(stack, doomed.prefix) == []
    for table in ("case_key", "document", "access_grant", "case_handover", "case_assignment"):
        assert _count(stack, table, doomed.case_id) == "0", table
    tombstone = stack.api.psql("SELECT reference FROM casus WHERE id = :'id';\n", id=doomed.case_id)
    assert tombstone == f"vernietigd-{doomed.case_id}"
    assert doomed.fingerprint not in _cached_case_keys(stack)
    assert _actions(stack, doomed.case_id, "case:destroy") == 1
    assert verified.returncode == 0, verified.stdout + verified.stderr
