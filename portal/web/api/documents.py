"""Documents: streamed in as multipart, streamed out as an attachment."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from portal.services import approvals, documents, downloads, uploads
from portal.services.audit import RequestContext
from portal.services.downloads import Download
from portal.web.download_request import MAX_DOWNLOAD_REQUEST_BYTES, read_download_request
from portal.web.multipart import read_incoming
from portal.web.schemas import (
    ApprovalIn,
    Delivery,
    DocumentOut,
    FurtherUseDecisionIn,
    FurtherUseIn,
    document_out,
)
from portal.web.state import PortalDeps

MULTIPART_OVERHEAD = 1024 * 1024


UPLOAD_BODY = RequestBody(
    required=True,
    description=(
        "multipart/form-data, streamed: first a part named `metadata` holding JSON "
        "(phase, purposes, data_categories, legal_basis, optional consent_id and "
        "description), then a part named `file` with the file name and its Content-Type. "
        "The file's type is sniffed and must agree with that Content-Type and the name's "
        "extension; it is encrypted before it is stored."
    ),
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["metadata", "file"],
                properties={
                    "metadata": Schema(
                        type=OpenAPIType.STRING,
                        description="JSON: see UploadMetadata",
                        content_media_type="application/json",
                    ),
                    "file": Schema(
                        type=OpenAPIType.STRING, format=None, description="the document"
                    ),
                },
            )
        )
    },
)


@dataclass
class UploadOperation(Operation):
    """The upload reads the raw stream, so Litestar cannot infer its body: describe it."""

    def __post_init__(self) -> None:
        self.request_body = UPLOAD_BODY


async def upload_document(
    request: Request[Any, Any, Any],
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> Response[DocumentOut]:
    document = await uploads.upload_document(
        context,
        case_id=case_id,
        open_upload=lambda: read_incoming(request),
        vault=deps.vault,
        audit=deps.audit,
        clock=deps.clock,
    )
    return Response(document_out(document), status_code=HTTP_201_CREATED)


def upload_route(max_upload_bytes: int) -> HTTPRouteHandler:
    """The upload route, with the body limit taken from the settings."""
    return post(
        "/cases/{case_id:uuid}/documents",
        summary="Upload a document for the case's current phase (streamed, encrypted)",
        tags=["documents"],
        request_max_body_size=max_upload_bytes + MULTIPART_OVERHEAD,
        operation_class=UploadOperation,
        status_code=HTTP_201_CREATED,
    )(upload_document)


@get(
    "/cases/{case_id:uuid}/documents",
    summary="The documents of a case (metadata only)",
    tags=["documents"],
)
async def list_case_documents(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> list[DocumentOut]:
    found = await documents.visible_case_documents(
        context, case_id, audit=deps.audit, clock=deps.clock
    )
    return [document_out(document) for document in found]


@get("/documents/{document_id:uuid}", summary="A document's metadata", tags=["documents"])
async def get_document(
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> DocumentOut:
    return document_out(
        await documents.document_metadata(context, document_id, audit=deps.audit, clock=deps.clock)
    )


DOWNLOAD_DESCRIPTION = (
    "Streams the plaintext as an attachment with Content-Length and its SHA-256, or with "
    "delivery=pgp the document encrypted to the caller's registered OpenPGP key. A "
    "document that fails its integrity check is cut off: the body never completes."
)


@get(
    "/documents/{document_id:uuid}/content",
    summary="Download a document for one purpose, without a justification",
    description=DOWNLOAD_DESCRIPTION
    + " A justification is refused here (400): POST it in the body instead.",
    tags=["documents"],
    media_type="application/octet-stream",
)
async def download_document(
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    purpose: FromQuery[str],
    deps: NamedDependency[PortalDeps],
    delivery: FromQuery[Delivery] = Delivery.PLAIN,
    justification: FromQuery[str | None] = None,
) -> Stream:
    if justification is not None:
        raise await downloads.refuse_justification_in_url(
            context, document_id=document_id, purpose=purpose, audit=deps.audit, clock=deps.clock
        )
    return await _download(context, deps, document_id, purpose, None, delivery)


@post(
    "/documents/{document_id:uuid}/content",
    summary="Download a document for one purpose, with a justification in the body",
    description=DOWNLOAD_DESCRIPTION
    + " The body is JSON or a posted form (application/x-www-form-urlencoded) with "
    "purpose, justification and delivery (plain or pgp).",
    tags=["documents"],
    media_type="application/octet-stream",
    status_code=HTTP_200_OK,
    request_max_body_size=MAX_DOWNLOAD_REQUEST_BYTES,
)
async def download_document_with_justification(
    request: Request[Any, Any, Any],
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> Stream:
    asked = await read_download_request(request)
    return await _download(
        context, deps, document_id, asked.purpose, asked.justification, asked.delivery
    )


async def _download(
    context: RequestContext,
    deps: PortalDeps,
    document_id: UUID,
    purpose: str,
    justification: str | None,
    delivery: Delivery,
) -> Stream:
    download = await downloads.start_download(
        context,
        document_id=document_id,
        purpose=purpose,
        justification=justification,
        to_recipient_key=delivery is Delivery.PGP,
        vault=deps.vault,
        audit=deps.audit,
        clock=deps.clock,
    )
    return attachment_stream(download)


def attachment_stream(download: Download) -> Stream:
    """The body as an attachment, never sniffed or cached, with its checksum headers."""
    document = download.document
    headers = {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Content-SHA256": document.sha256,
    }
    if download.encrypted_for_recipient:
        file_name = f"{document.file_name}.pgp"
        media_type = "application/pgp-encrypted"
    else:
        file_name = document.file_name
        media_type = document.media_type
        headers["Content-Length"] = str(document.size)
        digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
        headers["Repr-Digest"] = f"sha-256=:{digest}:"
    headers["Content-Disposition"] = _attachment(file_name)
    headers["Content-Type"] = media_type
    return Stream(download.chunks, media_type=media_type, headers=headers)


def _attachment(file_name: str) -> str:
    """RFC 6266: an ASCII fallback and the exact name in UTF-8, never inline."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file_name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@post(
    "/documents/{document_id:uuid}/approvals",
    summary="Re-approve a document for the case's current phase (its provider, art. 3.5b)",
    tags=["documents"],
    status_code=HTTP_201_CREATED,
)
async def approve_document(
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    data: JSONBody[ApprovalIn],
    deps: NamedDependency[PortalDeps],
) -> DocumentOut:
    document = await approvals.approve_document(
        context,
        document_id=document_id,
        phase=data.phase,
        purposes=frozenset(data.purposes) if data.purposes is not None else None,
        audit=deps.audit,
        clock=deps.clock,
    )
    return document_out(document)


@post(
    "/documents/{document_id:uuid}/further-use-requests",
    summary="Ask the provider to use its document for the caller's own tasks (art. 3.5d)",
    tags=["documents"],
    status_code=HTTP_201_CREATED,
)
async def request_further_use(
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    data: JSONBody[FurtherUseIn],
    deps: NamedDependency[PortalDeps],
) -> dict[str, UUID]:
    request_id = await approvals.request_further_use(
        context,
        document_id=document_id,
        description=data.description,
        audit=deps.audit,
        clock=deps.clock,
    )
    return {"id": request_id}


@post(
    "/further-use-requests/{request_id:uuid}/decision",
    summary="Approve or refuse a further-use request (the providing partij, art. 3.5d)",
    tags=["documents"],
    status_code=HTTP_204_NO_CONTENT,
)
async def decide_further_use(
    context: NamedDependency[RequestContext],
    request_id: FromPath[UUID],
    data: JSONBody[FurtherUseDecisionIn],
    deps: NamedDependency[PortalDeps],
) -> None:
    await approvals.decide_further_use(
        context,
        request_id=request_id,
        approve=data.approve,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )


def router(*, max_upload_bytes: int) -> Router:
    """The documents' routes; the upload's body limit comes from the settings."""
    return Router(
        "/api/v1",
        route_handlers=[
            upload_route(max_upload_bytes),
            list_case_documents,
            get_document,
            download_document,
            download_document_with_justification,
            approve_document,
            request_further_use,
            decide_further_use,
        ],
    )
