"""What a fault left behind, read from the database and the bucket after it is back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from portal.db.audit_log import AUDIT_CHAIN_LOCK
from tests.fault.conftest import Stack
from tests.web.live_api import AANMELDING_UPLOAD

PURPOSE = "screening"
"""Alice, the procesregisseur, reads Carol's aanmelding for the screening."""


def new_case(stack: Stack) -> str:
    """A case Carol reported for Gemeente Venlo, in aanmelding: she provides, Alice reads."""
    case = stack.api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    return str(case["id"])


def upload_by_carol(stack: Stack, case_id: str, content: bytes, file_name: str) -> str:
    return stack.api.uploaded(
        case_id, user="carol", metadata=AANMELDING_UPLOAD, file_name=file_name, content=content
    )


@dataclass(frozen=True, kw_only=True)
class CaseState:
    """Rows, records and objects of one case: what a fault must leave consistent."""

    documents: dict[str, str]
    """file name → object key, of every document row."""
    objects: list[str]
    actions: list[str]
    """The case's audit actions, oldest first."""

    @property
    def orphans(self) -> list[str]:
        return sorted(set(self.objects) - set(self.documents.values()))


def case_state(stack: Stack, case_id: str) -> CaseState:
    api = stack.api
    rows = api.psql(
        "SELECT file_name || '|' || object_key FROM document WHERE casus = :'id';\n", id=case_id
    )
    actions = api.psql(
        "SELECT action FROM audit_event WHERE case_id = :'id' ORDER BY seq;\n", id=case_id
    )
    prefix = f"cases/{case_id}/"
    return CaseState(
        documents=dict(line.split("|", 1) for line in rows.splitlines() if line),
        objects=stack.live.object_keys(prefix),
        actions=[line for line in actions.splitlines() if line],
    )


def document_actions(stack: Stack, document_id: str) -> list[tuple[str, str, str]]:
    """(action, outcome, reason) of each record about the document, oldest first."""
    rows = stack.api.psql(
        "SELECT action || '|' || outcome || '|' || coalesce(reason, '') FROM audit_event "
        "WHERE document_id = :'id' ORDER BY seq;\n",
        id=document_id,
    )
    return [tuple(line.split("|", 2)) for line in rows.splitlines() if line]  # type: ignore[misc]


def awaited_actions(
    stack: Stack, document_id: str, until: str, *, within: float = 15
) -> list[tuple[str, str, str]]:
    """As :func:`document_actions`, waiting until ``until`` is among them: a download's
    ending is written after its connection is gone."""
    deadline = time.monotonic() + within
    while True:
        found = document_actions(stack, document_id)
        if any(action == until for action, _, _ in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def report(case: str, outcome: str) -> None:
    """The outcome of one fault case, in the test's output (``pytest -s`` or -rA)."""
    print(f"FAULT {case}: {outcome}")


@contextmanager
def chain_lock_held(stack: Stack) -> Iterator[None]:
    """The audit chain's advisory lock, held by another session until the crash ends it."""
    with subprocess.Popen(
        ["psql", stack.live.database_url, "-X", "-A", "-t", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as session:
        assert session.stdin is not None
        assert session.stdout is not None
        session.stdin.write(f"SELECT 'locked' FROM pg_advisory_lock({AUDIT_CHAIN_LOCK});\n")  # noqa: S608 - an integer constant of ours
        session.stdin.flush()
        assert session.stdout.readline().strip() == "locked"
        try:
            yield
        finally:
            session.kill()


def waiting_for_the_chain(stack: Stack) -> bool:
    waiting = stack.api.psql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted;\n"
    )
    return int(waiting) > 0
