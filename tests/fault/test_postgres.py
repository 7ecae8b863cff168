"""PostgreSQL stopped while an action and its audit record are being committed.

Each test holds the audit chain's lock from a psql session, so the portal's transaction
waits exactly at its audit append, then stops the cluster (``pg_ctl -m immediate``, as a
crash). Afterwards the action and its record exist together or not at all, no object is
left that no row names, the portal answered 503 meanwhile, and it serves again without a
restart once the database is back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import httpx

from tests.fault.conftest import Stack
from tests.fault.state import (
    PURPOSE,
    case_state,
    chain_lock_held,
    new_case,
    report,
    upload_by_carol,
    waiting_for_the_chain,
)
from tests.fault.transfers import MIB, pdf
from tests.servers import wait_until
from tests.web.live_api import AANMELDING_UPLOAD

T = TypeVar("T")


def crash_during_audit_append(stack: Stack, action: Callable[[], T]) -> T:
    """Run ``action`` until it waits at its audit append, stop PostgreSQL there, and
    return what ``action`` got; the cluster is left stopped."""
    result: list[T] = []
    with chain_lock_held(stack):
        worker = threading.Thread(target=lambda: result.append(action()), daemon=True)
        worker.start()
        wait_until(lambda: waiting_for_the_chain(stack), timeout=30, what="the audit append")
        stack.postgres.stop()
    worker.join(60)
    assert result, "the request got no answer"
    return result[0]


def _meanwhile(stack: Stack) -> httpx.Response:
    """Any request while the database is down."""
    return stack.http.get("/api/v1/cases", headers=stack.live.auth("alice"))


def test_postgres_stopped_during_an_upload_commit_leaves_neither_row_nor_object(
    stack: Stack,
) -> None:
    case_id = new_case(stack)

    def upload() -> httpx.Response:
        with httpx.Client(base_url=stack.live.base_url, timeout=60) as http:
            return stack.api.__class__(live=stack.live, http=http).upload(
                case_id, user="carol", metadata=AANMELDING_UPLOAD, file_name="commit.pdf",
                content=pdf(2 * MIB, seed=11),
            )  # fmt: skip

    response = crash_during_audit_append(stack, upload)
    meanwhile = _meanwhile(stack)
    stack.postgres.start()
    state = case_state(stack, case_id)
    report(
        "PostgreSQL stopped during an upload's commit",
        f"{response.status_code} Retry-After={response.headers.get('retry-after')}; "
        f"meanwhile {meanwhile.status_code}; after: rows {state.documents}, objects "
        f"{state.objects}, records {state.actions}",
    )
    assert response.status_code == 503, response.text
    assert response.headers.get("retry-after")
    assert meanwhile.status_code == 503, meanwhile.text
    assert meanwhile.headers.get("retry-after")
    assert state.documents == {}
    assert "document:upload" not in state.actions
    assert state.objects == []
    # Back without a restart: the next upload is stored, with its record.
    upload_by_carol(stack, case_id, pdf(MIB, seed=12), "daarna.pdf")
    after = case_state(stack, case_id)
    assert list(after.documents) == ["daarna.pdf"]
    assert after.actions.count("document:upload") == 1
    assert after.orphans == []


def test_postgres_stopped_during_a_grant_leaves_neither_grant_nor_record(stack: Stack) -> None:
    case_id = new_case(stack)
    stack.api.move_through(case_id, "triage")

    def grant() -> httpx.Response:
        with httpx.Client(base_url=stack.live.base_url, timeout=60) as http:
            return http.post(
                f"/api/v1/cases/{case_id}/grants",
                json={"user": "bob"},
                headers=stack.live.auth("alice"),
            )

    response = crash_during_audit_append(stack, grant)
    stack.postgres.start()
    grants = stack.api.psql("SELECT count(*) FROM access_grant WHERE casus = :'id';\n", id=case_id)
    state = case_state(stack, case_id)
    report(
        "PostgreSQL stopped during a grant",
        f"{response.status_code} Retry-After={response.headers.get('retry-after')}; after: "
        f"grants {grants}, records {state.actions}",
    )
    assert response.status_code == 503, response.text
    assert response.headers.get("retry-after")
    assert (grants, "grant:create" in state.actions) == ("0", False)
    # Back without a restart: the same grant now goes through, with its record.
    assert stack.api.grant(case_id, "bob").status_code == 201
    assert case_state(stack, case_id).actions.count("grant:create") == 1


def test_postgres_stopped_during_a_permits_audit_append_discloses_nothing(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(MIB, seed=13), "inzage.pdf")

    def download() -> httpx.Response:
        with httpx.Client(base_url=stack.live.base_url, timeout=60) as http:
            return http.get(
                f"/api/v1/documents/{document_id}/content",
                params={"purpose": PURPOSE},
                headers=stack.live.auth("alice"),
            )

    response = crash_during_audit_append(stack, download)
    stack.postgres.start()
    actions = case_state(stack, case_id).actions
    report(
        "PostgreSQL stopped during a download's audit append",
        f"{response.status_code} Retry-After={response.headers.get('retry-after')}, "
        f"{len(response.content)} body bytes; after: records {actions}",
    )
    assert response.status_code == 503, response.text
    assert response.headers.get("retry-after")
    assert b"%PDF" not in response.content
    assert not any(action.startswith("document:download") for action in actions)
    again = stack.api.download(document_id, user="alice", purpose=PURPOSE)
    assert again.status_code == 200
    assert len(again.content) == MIB
