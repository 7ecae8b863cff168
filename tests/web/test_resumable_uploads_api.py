"""Resumable uploads (tus 1.0.0) in process on the embedded default (SQLite, local store).

The cast: Alice the procesregisseur; Dave, a police partner who reported the case and
provides; Bob, a GGZ deelnemer with no part in it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from crypto import MasterKey
from portal.db.tables import AuditEvent, Document, ResumableUpload, ResumableUploadPart
from portal.services.audit import PSEUDONYM_KEY_PURPOSE, AuditLog
from portal.services.audit_sealing import AUDIT_KEY_PURPOSE
from portal.services.resumable_uploads import sweep_expired_uploads
from storage import LocalObjectStore
from tests.web.conftest import MovableClock
from tests.web.portal_client import PortalClient, pdf_bytes
from tests.web.tus_client import (
    OFFSET_STREAM,
    TUS,
    creation_headers,
    patch_headers,
    upload_metadata,
)

MARKER = b"marker-tus-5e7a11-bsn-123456782"
UPLOADS = "/api/v1/uploads"


async def _actions(after: int = 0) -> list[str]:
    rows = (
        await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
    )
    return [row["action"] for row in rows]


async def _last_seq() -> int:
    rows = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False)
    return int(rows[0]["seq"]) if rows else 0


def _marker_in(paths: list[Path]) -> list[Path]:
    return [path for path in paths if MARKER in path.read_bytes()]


def _database_files(data_dir: Path) -> list[Path]:
    return list(data_dir.glob("portal.sqlite3*"))


def _stored_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "objects").rglob("*") if p.is_file()]


def _stage_files(data_dir: Path) -> list[Path]:
    stage = data_dir / "objects" / "uploads"
    return [p for p in stage.rglob("*") if p.is_file()] if stage.exists() else []


async def _create(
    portal: PortalClient,
    case_id: str,
    length: int,
    *,
    user: str = "dave",
    file_name: str = "verslag.pdf",
    file_type: str | None = "application/pdf",
    metadata: dict[str, Any] | None = None,
) -> httpx.Response:
    pairs = upload_metadata(case_id, file_name=file_name, file_type=file_type, metadata=metadata)
    return await portal.http.post(
        UPLOADS, headers={**portal.auth(user), **creation_headers(length, pairs)}
    )


async def _created(portal: PortalClient, case_id: str, length: int) -> str:
    response = await _create(portal, case_id, length)
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert location.startswith(f"{UPLOADS}/")
    return str(location)


async def _patch(
    portal: PortalClient, url: str, offset: int, chunk: bytes, *, user: str = "dave"
) -> httpx.Response:
    return await portal.http.patch(
        url, content=chunk, headers={**portal.auth(user), **patch_headers(offset)}
    )


async def _head(portal: PortalClient, url: str, *, user: str = "dave") -> httpx.Response:
    return await portal.http.head(url, headers={**portal.auth(user), **TUS})


async def test_options_tells_the_version_extensions_and_the_size_limit(
    portal: PortalClient, upload_limit: int
) -> None:
    response = await portal.http.options(UPLOADS)
    assert response.status_code == 204
    assert response.headers["tus-resumable"] == "1.0.0"
    assert response.headers["tus-version"] == "1.0.0"
    assert response.headers["tus-extension"] == "creation,termination"
    assert response.headers["tus-max-size"] == str(upload_limit)


async def test_a_file_sent_in_two_patches_becomes_the_same_document_as_a_direct_upload(
    portal: PortalClient, data_dir: Path
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0001")
    content = pdf_bytes(MARKER * 40_000)
    half = len(content) // 2
    before = await _last_seq()
    url = await _created(portal, case_id, len(content))

    first = await _patch(portal, url, 0, content[:half])
    assert first.status_code == 204, first.text
    assert first.headers["upload-offset"] == str(half)
    assert first.headers["tus-resumable"] == "1.0.0"
    head = await _head(portal, url)
    assert head.status_code == 200
    assert head.headers["upload-offset"] == str(half)
    assert head.headers["upload-length"] == str(len(content))
    assert head.headers["cache-control"] == "no-store"
    # Mid-upload the stage is sealed: the marker is nowhere on disk.
    staged = _stage_files(data_dir)
    assert len(staged) == 1
    assert _marker_in([*staged, *_database_files(data_dir)]) == []

    last = await _patch(portal, url, half, content[half:])
    assert last.status_code == 204, last.text
    assert last.headers["upload-offset"] == str(len(content))
    status = await portal.http.get(url, headers=portal.auth("dave"))
    assert status.status_code == 200, status.text
    outcome = status.json()
    assert outcome["status"] == "done"
    document_id = outcome["document_id"]

    document = (
        await portal.http.get(f"/api/v1/documents/{document_id}", headers=portal.auth("dave"))
    ).json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content)
    assert document["file_name"] == "verslag.pdf"
    assert document["media_type"] == "application/pdf"
    assert document["purposes"] == ["screening"]
    downloaded = await portal.download(document_id)
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == content

    assert _stage_files(data_dir) == []
    assert await ResumableUploadPart.count() == 0
    assert (await ResumableUpload.select(ResumableUpload.wrapped_key).first() or {})[
        "wrapped_key"
    ] is None
    assert _marker_in([*_stored_files(data_dir), *_database_files(data_dir)]) == []
    actions = await _actions(before)
    assert actions[:2] == ["upload:create", "document:upload"]


async def test_a_patch_at_the_wrong_offset_is_409_and_changes_nothing(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0002")
    content = pdf_bytes(b"x" * 10_000)
    url = await _created(portal, case_id, len(content))
    assert (await _patch(portal, url, 0, content[:100])).status_code == 204
    for wrong in (0, 50, 200):
        response = await _patch(portal, url, wrong, content[wrong : wrong + 10])
        assert response.status_code == 409, response.text
    assert (await _head(portal, url)).headers["upload-offset"] == "100"


async def test_a_request_without_tus_1_0_0_is_412_naming_the_version(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0003")
    pairs = upload_metadata(case_id)
    for version in (None, "0.2.2", "2.0.0"):
        headers = {**portal.auth("dave"), **creation_headers(100, pairs)}
        del headers["Tus-Resumable"]
        if version:
            headers["Tus-Resumable"] = version
        response = await portal.http.post(UPLOADS, headers=headers)
        assert response.status_code == 412, response.text
        assert response.headers["tus-version"] == "1.0.0"
        assert response.headers["tus-resumable"] == "1.0.0"
    assert await ResumableUpload.count() == 0


async def test_another_user_cannot_see_resume_or_end_an_upload_and_is_on_record(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0004")
    content = pdf_bytes(b"y" * 5000)
    url = await _created(portal, case_id, len(content))
    before = await _last_seq()
    for user in ("bob", "alice"):
        assert (await _head(portal, url, user=user)).status_code == 404
        assert (await _patch(portal, url, 0, content, user=user)).status_code == 404
        deleted = await portal.http.delete(url, headers={**portal.auth(user), **TUS})
        assert deleted.status_code == 404
        assert (await portal.http.get(url, headers=portal.auth(user))).status_code == 404
    assert await _actions(before) == ["upload:access:denied"] * 8
    # The uploader's upload is untouched.
    assert (await _head(portal, url)).headers["upload-offset"] == "0"
    unknown = await _head(portal, f"{UPLOADS}/{uuid.uuid4()}")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("metadata_header", "detail"),
    [
        pytest.param(None, "Upload-Metadata is required", id="no-metadata"),
        pytest.param("case_id", "lacks", id="no-values"),
        pytest.param("case_id !!!notbase64", "base64", id="bad-base64"),
        pytest.param("bsn MTIz", "not one the portal takes", id="unknown-key"),
    ],
)
async def test_malformed_upload_metadata_is_refused_on_record_before_any_byte(
    portal: PortalClient, metadata_header: str | None, detail: str
) -> None:
    await portal.create_case("ZVH-TUS-0005")
    before = await _last_seq()
    headers = {**portal.auth("dave"), **TUS, "Upload-Length": "100"}
    if metadata_header is not None:
        headers["Upload-Metadata"] = metadata_header
    response = await portal.http.post(UPLOADS, headers=headers)
    assert response.status_code == 400, response.text
    assert detail in response.json()["detail"]
    assert await _actions(before) == ["document:upload:denied"]
    assert await ResumableUpload.count() == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param({"metadata": {"phase": "aanmelding"}}, 400, id="metadata-incomplete"),
        pytest.param(
            {
                "metadata": {
                    "phase": "rto",
                    "purposes": ["screening"],
                    "data_categories": ["personalia"],
                    "legal_basis": "avg_6_1_e",
                }
            },
            400,
            id="art3.5-not-the-cases-phase",
        ),
        pytest.param(
            {
                "metadata": {
                    "phase": "aanmelding",
                    "purposes": ["monitoring"],
                    "data_categories": ["personalia"],
                    "legal_basis": "avg_6_1_e",
                }
            },
            400,
            id="art3.5-a-purpose-of-another-phase",
        ),
        pytest.param({"file_name": "../.."}, 400, id="a-name-with-nothing-usable"),
        pytest.param({"user": "bob"}, 404, id="art9.6-no-part-in-the-case"),
    ],
)
async def test_an_upload_the_direct_path_would_refuse_is_refused_at_creation(
    portal: PortalClient, change: dict[str, Any], status: int
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0006")
    before = await _last_seq()
    response = await _create(portal, case_id, 1000, **change)
    assert response.status_code == status, response.text
    assert await _actions(before) == ["document:upload:denied"]
    assert await ResumableUpload.count() == 0


async def test_a_case_id_that_is_no_case_is_404_and_a_zero_length_400(
    portal: PortalClient,
) -> None:
    assert (await _create(portal, str(uuid.uuid4()), 1000)).status_code == 404
    assert (await _create(portal, "not-a-uuid", 1000)).status_code == 400
    case_id = await portal.create_case("ZVH-TUS-0007")
    assert (await _create(portal, case_id, 0)).status_code == 400
    assert await ResumableUpload.count() == 0


async def test_an_upload_over_the_size_limit_is_413_at_creation_before_any_byte(
    portal: PortalClient, upload_limit: int
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0008")
    before = await _last_seq()
    response = await _create(portal, case_id, upload_limit + 1)
    assert response.status_code == 413, response.text
    assert await _actions(before) == ["document:upload:denied"]
    assert await ResumableUpload.count() == 0
    assert (await _create(portal, case_id, upload_limit)).status_code == 201


async def test_bytes_past_upload_length_are_refused_and_a_wrong_content_type_is_415(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0009")
    content = pdf_bytes(b"z" * 1000)
    url = await _created(portal, case_id, len(content))
    too_long = await _patch(portal, url, 0, content + b"extra")
    assert too_long.status_code == 413, too_long.text
    wrong_type = await portal.http.patch(
        url,
        content=content,
        headers={
            **portal.auth("dave"),
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/pdf",
        },
    )
    assert wrong_type.status_code == 415
    no_offset = await portal.http.patch(
        url, content=content, headers={**portal.auth("dave"), **TUS, "Content-Type": OFFSET_STREAM}
    )
    assert no_offset.status_code == 400
    assert (await _head(portal, url)).headers["upload-offset"] == "0"
    assert (await _patch(portal, url, 0, content)).status_code == 204


async def test_a_renamed_executable_is_refused_at_finalisation_and_leaves_nothing(
    portal: PortalClient, data_dir: Path
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0010")
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256)) * 40
    url = await _created(portal, case_id, len(elf))
    before = await _last_seq()
    response = await _patch(portal, url, 0, elf)
    assert response.status_code == 415, response.text
    status = (await portal.http.get(url, headers=portal.auth("dave"))).json()
    assert status["status"] == "refused"
    assert status["document_id"] is None
    assert status["outcome"]
    assert _stage_files(data_dir) == []
    assert await ResumableUploadPart.count() == 0
    assert await Document.count() == 0
    assert _stored_files(data_dir) == []
    assert await _actions(before) == ["document:upload:denied"]


async def test_termination_removes_the_stage_and_the_upload(
    portal: PortalClient, data_dir: Path
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0011")
    content = pdf_bytes(b"w" * 10_000)
    url = await _created(portal, case_id, len(content))
    assert (await _patch(portal, url, 0, content[:5000])).status_code == 204
    assert len(_stage_files(data_dir)) == 1
    before = await _last_seq()
    deleted = await portal.http.delete(url, headers={**portal.auth("dave"), **TUS})
    assert deleted.status_code == 204, deleted.text
    assert _stage_files(data_dir) == []
    assert await ResumableUpload.count() == 0
    assert await ResumableUploadPart.count() == 0
    assert (await _head(portal, url)).status_code == 404
    assert await _actions(before) == ["upload:terminate"]


async def test_a_stale_upload_expires_and_the_sweep_removes_its_stage(
    portal: PortalClient, data_dir: Path, clock: MovableClock
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0012")
    content = pdf_bytes(b"v" * 10_000)
    url = await _created(portal, case_id, len(content))
    assert (await _patch(portal, url, 0, content[:5000])).status_code == 204
    clock.advance(hours=23)
    store = LocalObjectStore(data_dir / "objects")
    master = MasterKey.load(data_dir / "master.key")
    audit = AuditLog(
        pseudonym_key=master.key_for(PSEUDONYM_KEY_PURPOSE),
        sealing_key=master.key_for(AUDIT_KEY_PURPOSE),
    )
    swept = await sweep_expired_uploads(now=clock(), store=store, audit=audit, operator="test")
    assert swept.expired == 0
    assert len(_stage_files(data_dir)) == 1
    clock.advance(hours=2)
    assert (await _head(portal, url)).status_code == 404
    before = await _last_seq()
    swept = await sweep_expired_uploads(now=clock(), store=store, audit=audit, operator="test")
    assert swept.expired == 1
    assert _stage_files(data_dir) == []
    assert await ResumableUpload.count() == 0
    assert await _actions(before) == ["upload:expire"]


@pytest.mark.parametrize(
    ("file_name", "file_type", "status"),
    [
        pytest.param("verslag.pdf", None, 400, id="no-filetype"),
        pytest.param("verslag.pdf", "application/octet-stream", 415, id="no-real-type"),
        pytest.param("verslag.exe", "application/pdf", 415, id="extension-of-another-type"),
        pytest.param("pagina.html", "text/html", 415, id="a-type-not-accepted"),
    ],
)
async def test_the_declared_type_is_checked_at_creation_before_any_byte(
    portal: PortalClient, file_name: str, file_type: str | None, status: int
) -> None:
    case_id = await portal.create_case("ZVH-TUS-0013")
    before = await _last_seq()
    response = await _create(portal, case_id, 1000, file_name=file_name, file_type=file_type)
    assert response.status_code == status, response.text
    assert await _actions(before) == ["document:upload:denied"]
    assert await ResumableUpload.count() == 0
