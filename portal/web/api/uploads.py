"""Resumable uploads over tus 1.0.0 (core, creation, termination) for large documents.

``POST /api/v1/uploads`` creates an upload (``Upload-Length``; ``Upload-Metadata`` as in
``portal.web.tus``), ``HEAD`` and ``PATCH /api/v1/uploads/{id}`` resume it, ``DELETE``
ends it. ``GET /api/v1/uploads/{id}`` (not tus) tells the uploader how it ended: pending,
finalising, done with its document id, or refused with the reason. An upload is its
uploader's alone: to anyone else it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, delete, get, head, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from portal.domain.resumable import UploadStatus
from portal.services import resumable_uploads
from portal.services.audit import RequestContext
from portal.services.errors import UnsupportedMediaType
from portal.web.schemas import to_wire
from portal.web.state import PortalDeps
from portal.web.tus import (
    OFFSET_STREAM,
    TUS_EXTENSIONS,
    TUS_VERSION,
    UPLOADS_PATH,
    case_hint,
    parse_creation,
    parse_number,
    require_tus_version,
)


class UploadOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    case_id: UUID
    status: UploadStatus
    offset: int
    length: int
    document_id: UUID | None
    """Set once the upload is ``done``: the document it became."""
    outcome: str | None
    """Why it was refused, or where it was stored."""
    expires_at: datetime


PATCH_BODY = RequestBody(
    required=True,
    description=(
        "The file's bytes from Upload-Offset on (tus 1.0.0), as "
        "application/offset+octet-stream. Sealed as they arrive; what arrived before a "
        "broken-off body is kept."
    ),
    content={OFFSET_STREAM: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
)


@dataclass
class PatchOperation(Operation):
    """The PATCH reads the raw stream, so Litestar cannot infer its body: describe it."""

    def __post_init__(self) -> None:
        self.request_body = PATCH_BODY


@route(
    UPLOADS_PATH,
    http_method=[HttpMethod.OPTIONS],
    summary="What the tus server supports (no authentication needed)",
    tags=["uploads"],
    status_code=HTTP_204_NO_CONTENT,
)
async def tus_options(deps: NamedDependency[PortalDeps]) -> Response[None]:
    return Response(
        None,
        status_code=HTTP_204_NO_CONTENT,
        headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(deps.vault.max_upload_bytes),
        },
    )


@post(
    UPLOADS_PATH,
    summary="Create a resumable upload (tus creation), checked before any byte is sent",
    description=(
        "Upload-Length and Upload-Metadata (base64 values): case_id, filename, optional "
        "filetype, and metadata, the direct upload's metadata JSON. The uploader's access "
        "to the case and phase, the restrictions, consent and size are decided now."
    ),
    tags=["uploads"],
    guards=[require_tus_version],
    status_code=HTTP_201_CREATED,
)
async def create_upload(
    request: Request[Any, Any, Any],
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
) -> Response[None]:
    state = await resumable_uploads.create_upload(
        context,
        read_creation=lambda: parse_creation(request.headers),
        case_hint=case_hint(request.headers),
        vault=deps.vault,
        audit=deps.audit,
        clock=deps.clock,
        config=deps.resumable,
    )
    return Response(
        None,
        status_code=HTTP_201_CREATED,
        headers={"Location": f"{UPLOADS_PATH}/{state.id}", "Upload-Offset": "0"},
    )


@head(
    f"{UPLOADS_PATH}/{{upload_id:uuid}}",
    summary="Where a resumable upload stands (tus HEAD)",
    tags=["uploads"],
    guards=[require_tus_version],
)
async def upload_offset(
    context: NamedDependency[RequestContext],
    upload_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> Response[None]:
    state = await resumable_uploads.upload_state(
        context, upload_id, audit=deps.audit, clock=deps.clock
    )
    return Response(
        None,
        headers={
            "Upload-Offset": str(state.offset),
            "Upload-Length": str(state.length),
        },
    )


async def receive_bytes(
    request: Request[Any, Any, Any],
    context: NamedDependency[RequestContext],
    upload_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> Response[None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_STREAM:
        raise UnsupportedMediaType(f"send the bytes as {OFFSET_STREAM}")
    length = request.headers.get("content-length")
    state = await resumable_uploads.receive(
        context,
        upload_id,
        offset=parse_number(request.headers.get("upload-offset"), "Upload-Offset"),
        content_length=parse_number(length, "Content-Length") if length is not None else None,
        body=request.stream(),
        vault=deps.vault,
        audit=deps.audit,
        clock=deps.clock,
        config=deps.resumable,
    )
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, headers={"Upload-Offset": str(state.offset)}
    )


def patch_route(max_upload_bytes: int) -> HTTPRouteHandler:
    """The PATCH route; its body may be as large as a whole document, checked as it streams."""
    return patch(
        f"{UPLOADS_PATH}/{{upload_id:uuid}}",
        summary="Send bytes of a resumable upload from Upload-Offset on (tus PATCH)",
        tags=["uploads"],
        guards=[require_tus_version],
        request_max_body_size=max_upload_bytes,
        operation_class=PatchOperation,
        status_code=HTTP_204_NO_CONTENT,
    )(receive_bytes)


@delete(
    f"{UPLOADS_PATH}/{{upload_id:uuid}}",
    summary="End a resumable upload and remove what it sent (tus termination)",
    tags=["uploads"],
    guards=[require_tus_version],
    status_code=HTTP_204_NO_CONTENT,
)
async def terminate_upload(
    context: NamedDependency[RequestContext],
    upload_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> None:
    await resumable_uploads.terminate(
        context, upload_id, vault=deps.vault, audit=deps.audit, clock=deps.clock
    )


@get(
    f"{UPLOADS_PATH}/{{upload_id:uuid}}",
    summary="How a resumable upload ended: pending, finalising, done or refused",
    tags=["uploads"],
)
async def upload_status(
    context: NamedDependency[RequestContext],
    upload_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> UploadOut:
    state = await resumable_uploads.upload_state(
        context, upload_id, audit=deps.audit, clock=deps.clock
    )
    return to_wire(state, UploadOut)


def router(*, max_upload_bytes: int) -> Router:
    return Router(
        "/",
        route_handlers=[
            tus_options,
            create_upload,
            upload_offset,
            patch_route(max_upload_bytes),
            terminate_upload,
            upload_status,
        ],
    )
