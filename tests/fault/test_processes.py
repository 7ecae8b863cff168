"""gpg killed, the client gone, the portal itself killed, each in the middle of a transfer.

gpg is found as the portal server's child by its command line (``--encrypt`` or
``--decrypt``) and killed with SIGKILL while the transfer is held in flight.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.fault.conftest import Stack
from tests.fault.state import (
    PURPOSE,
    awaited_actions,
    case_state,
    new_case,
    report,
    upload_by_carol,
)
from tests.fault.transfers import MIB, HeldDownload, HeldUpload, pdf
from tests.servers import wait_until
from tests.web.live_api import AANMELDING_UPLOAD

SIZE = 16 * MIB
"""Far more than the socket and pipe buffers hold, so a held transfer is truly mid-way."""
MULTIPART_SIZE = 40 * MIB
"""Above the 16 MiB part size: the portal dies with a multipart upload open."""


def gpg_child(parent: int, operation: str) -> int | None:
    """The pid of the gpg that ``parent`` runs for ``operation`` (``--encrypt``...)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended while we looked
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and Path(argv[0].decode()).name == "gpg" and operation.encode() in argv:
            return int(proc.name)
    return None


def kill_gpg(stack: Stack, operation: str) -> int:
    found: list[int] = []

    def running() -> bool:
        pid = gpg_child(stack.live.pid, operation)
        if pid is not None:
            found.append(pid)
        return pid is not None

    wait_until(running, timeout=30, what=f"gpg {operation} under the portal")
    os.kill(found[-1], signal.SIGKILL)
    return found[-1]


def _held_upload(
    stack: Stack, case_id: str, name: str, *, hold_at: int, size: int = SIZE
) -> HeldUpload:
    return HeldUpload(
        stack.live.base_url,
        case_id=case_id,
        token=stack.live.tokens["carol"],
        metadata=AANMELDING_UPLOAD,
        file_name=name,
        content=pdf(size, seed=21),
        hold_at=hold_at,
    )


def _held_download(stack: Stack, document_id: str) -> HeldDownload:
    download = HeldDownload(
        stack.live.base_url,
        document_id=document_id,
        token=stack.live.tokens["alice"],
        purpose=PURPOSE,
    )
    assert download.status == 200
    download.read_until(MIB)
    return download


def test_gpg_killed_mid_encrypt_refuses_the_upload_and_stores_nothing(stack: Stack) -> None:
    case_id = new_case(stack)
    upload = _held_upload(stack, case_id, "gpg-weg.pdf", hold_at=4 * MIB)
    upload.wait_held()
    kill_gpg(stack, "--encrypt")
    upload.go()
    answer = upload.result()
    state = case_state(stack, case_id)
    report(
        "gpg killed mid-encrypt",
        f"{answer.status} {answer.body[:140]!r}; rows {state.documents}, objects "
        f"{state.objects}, records {state.actions}",
    )
    # Killed, not refused: the same upload may work again, so a 503 that says when.
    assert answer.status == 503
    assert answer.headers.get("retry-after") == "10"
    assert b"%PDF" not in answer.body
    assert (state.documents, state.objects) == ({}, [])
    assert "document:upload:failed" in state.actions
    assert "document:upload" not in state.actions


def test_gpg_killed_mid_decrypt_cuts_the_download_on_record(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(SIZE, seed=22), "ontsleutel.pdf")
    download = _held_download(stack, document_id)
    kill_gpg(stack, "--decrypt")
    received = download.go()
    actions = awaited_actions(stack, document_id, "document:download:failed")
    report(
        "gpg killed mid-decrypt",
        f"client got {received.received} of {received.expected} bytes, {received.ended}; "
        f"records {actions[1:]}",
    )
    assert received.ended == "cut"
    names = [action for action, _, _ in actions]
    assert "document:download:failed" in names
    assert "document:download:complete" not in names


def test_a_client_gone_mid_upload_leaves_nothing_stored(stack: Stack) -> None:
    case_id = new_case(stack)
    upload = _held_upload(stack, case_id, "weggelopen.pdf", hold_at=4 * MIB)
    upload.wait_held()
    upload.hang_up()
    upload.result()
    wait_until(
        lambda: "document:upload:failed" in case_state(stack, case_id).actions,
        timeout=30,
        what="the broken-off upload on record",
    )
    state = case_state(stack, case_id)
    report(
        "client gone mid-upload",
        f"rows {state.documents}, objects {state.objects}, records {state.actions}",
    )
    assert (state.documents, state.objects) == ({}, [])


def test_a_client_gone_mid_download_is_recorded_as_failed(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(SIZE, seed=23), "half.pdf")
    download = _held_download(stack, document_id)
    received = download.hang_up()
    actions = awaited_actions(stack, document_id, "document:download:failed")
    report(
        "client gone mid-download",
        f"client took {received.received} of {received.expected} bytes; records {actions[1:]}",
    )
    names = [action for action, _, _ in actions]
    assert "document:download:failed" in names
    assert "document:download:complete" not in names


def test_the_portal_killed_mid_upload_leaves_no_row_and_no_object(stack: Stack) -> None:
    case_id = new_case(stack)
    multipart_before = stack.minio.multipart_uploads()
    upload = _held_upload(stack, case_id, "portal-weg.pdf", hold_at=24 * MIB, size=MULTIPART_SIZE)
    upload.wait_held()
    stack.kill_portal()
    upload.hang_up()
    stack.restart_portal()
    state = case_state(stack, case_id)
    left = sorted(set(stack.minio.multipart_uploads()) - set(multipart_before))
    report(
        "portal SIGKILLed mid-upload",
        f"after restart: rows {state.documents}, objects {state.objects}, records "
        f"{state.actions}; {len(left)} incomplete multipart upload left",
    )
    assert (state.documents, state.objects) == ({}, [])
    assert not any(action.startswith("document:upload") for action in state.actions)
    assert len(left) <= 1


def test_the_portal_killed_mid_download_leaves_the_permit_on_record(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(SIZE, seed=24), "afgekapt.pdf")
    download = _held_download(stack, document_id)
    stack.kill_portal()
    received = download.go()
    stack.restart_portal()
    actions = stack.api.psql(
        "SELECT action || '|' || outcome || '|' || reason || '|' || started_at || '|' || "
        "ended_at FROM audit_event WHERE document_id = :'id' AND action LIKE "
        "'document:download%' ORDER BY seq;\n",
        id=document_id,
    ).splitlines()
    report(
        "portal SIGKILLed mid-download",
        f"client got {received.received} of {received.expected} bytes, {received.ended}; "
        f"after restart: records {actions}",
    )
    assert received.ended == "cut"
    assert len(actions) == 1
    assert actions[0].startswith("document:download|permit|")
