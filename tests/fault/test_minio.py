"""MinIO killed while a document is on its way in or out.

The portal must say so (503 with Retry-After) or cut the connection of a body already
under way, never show half a document, keep every started download on record, and serve
again by itself once MinIO is back.
"""

from __future__ import annotations

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
from tests.web.live_api import AANMELDING_UPLOAD

SIZE = 40 * MIB
"""Above the 16 MiB part size, so the object is a multipart upload when MinIO dies."""


def test_minio_killed_mid_upload_answers_503_and_stores_nothing(stack: Stack) -> None:
    case_id = new_case(stack)
    upload = HeldUpload(
        stack.live.base_url,
        case_id=case_id,
        token=stack.live.tokens["carol"],
        metadata=AANMELDING_UPLOAD,
        file_name="minio-weg.pdf",
        content=pdf(SIZE, seed=1),
        hold_at=24 * MIB,
    )
    multipart_before = stack.minio.multipart_uploads()
    upload.wait_held()
    stack.minio.kill()
    upload.go()
    answer = upload.result()
    stack.minio.start()
    state = case_state(stack, case_id)
    left = sorted(set(stack.minio.multipart_uploads()) - set(multipart_before))
    report(
        "MinIO killed mid-upload",
        f"{answer.status} Retry-After={answer.headers.get('retry-after')} {answer.body[:120]!r}; "
        f"rows {state.documents}, objects {state.objects}, records {state.actions}; "
        f"{len(left)} incomplete multipart upload left (its abort failed: MinIO was down)",
    )
    assert answer.status == 503, answer
    assert answer.headers.get("retry-after")
    assert state.documents == {}
    assert state.objects == []
    assert "document:upload:failed" in state.actions
    # Ciphertext parts, never an object: the next retention sweep aborts them once older
    # than PORTAL_STALE_UPLOAD_SECONDS (MinIO's own stale-upload expiry is the backstop).
    assert len(left) <= 1
    # Back by itself: the same portal process stores the next upload.
    document_id = upload_by_carol(stack, case_id, pdf(MIB, seed=2), "daarna.pdf")
    assert case_state(stack, case_id).documents == {
        "daarna.pdf": f"cases/{case_id}/{document_id}.pgp"
    }


def test_upload_while_minio_is_down_answers_503(stack: Stack) -> None:
    case_id = new_case(stack)
    stack.minio.kill()
    response = stack.api.upload(
        case_id, user="carol", metadata=AANMELDING_UPLOAD, content=pdf(MIB, seed=3)
    )
    stack.minio.start()
    state = case_state(stack, case_id)
    report(
        "upload while MinIO is down",
        f"{response.status_code} Retry-After={response.headers.get('retry-after')}; "
        f"rows {len(state.documents)}, objects {len(state.objects)}",
    )
    assert response.status_code == 503, response.text
    assert response.headers.get("retry-after")
    assert "Traceback" not in response.text
    assert (state.documents, state.objects) == ({}, [])


def test_minio_killed_mid_download_cuts_the_body_and_records_the_failure(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(SIZE, seed=4), "groot.pdf")
    download = HeldDownload(
        stack.live.base_url,
        document_id=document_id,
        token=stack.live.tokens["alice"],
        purpose=PURPOSE,
    )
    assert download.status == 200
    download.read_until(MIB)
    stack.minio.kill()
    received = download.go()
    stack.minio.start()
    actions = awaited_actions(stack, document_id, "document:download:failed")
    report(
        "MinIO killed mid-download",
        f"client got {received.received} of {received.expected} bytes, {received.ended}; "
        f"records {actions[1:]}",
    )
    assert received.ended == "cut"
    assert received.received < SIZE
    names = [action for action, _, _ in actions]
    assert names.count("document:download") == 1
    assert "document:download:failed" in names
    assert "document:download:complete" not in names
    # Back by itself: the same document downloads in full from the same process.
    again = stack.api.download(document_id, user="alice", purpose=PURPOSE)
    assert again.status_code == 200
    assert len(again.content) == SIZE


def test_download_while_minio_is_down_is_refused_on_record(stack: Stack) -> None:
    case_id = new_case(stack)
    document_id = upload_by_carol(stack, case_id, pdf(MIB, seed=5), "klein.pdf")
    stack.minio.kill()
    response = stack.api.download(document_id, user="alice", purpose=PURPOSE)
    stack.minio.start()
    actions = awaited_actions(stack, document_id, "document:download:failed")
    report(
        "download while MinIO is down",
        f"{response.status_code} Retry-After={response.headers.get('retry-after')}, "
        f"{len(response.content)} body bytes; records {actions[1:]}",
    )
    assert response.status_code == 503
    assert response.headers.get("retry-after")
    names = [action for action, _, _ in actions]
    assert "document:download:failed" in names
    assert "document:download:complete" not in names
