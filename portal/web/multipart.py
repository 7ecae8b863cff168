"""The upload body, parsed as it arrives: a small ``metadata`` part, then the ``file`` part.

Litestar's own form parsing spools file parts over 1 MiB to a temporary file, which would
put plaintext on disk; this reads the request stream with the same push parser instead,
hands the metadata over once complete, and the file's bytes as an async iterator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from multipart import (  # type: ignore[import-untyped]  # the package ships no type hints
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
    parse_options_header,
)

from portal.domain.documents import ConsentId, Restrictions
from portal.domain.refusal_codes import RefusalCode
from portal.services.errors import InvalidInput, PayloadTooLarge
from portal.services.uploads import Incoming, Upload
from portal.web.limits import NUL_IN_JSON, NUL_REFUSED, has_nul
from portal.web.schemas import UploadMetadata

MAX_METADATA_BYTES = 64 * 1024
MAX_HEADER_BYTES = 8 * 1024
MALFORMED = RefusalCode.MALFORMED_UPLOAD


@dataclass(frozen=True, kw_only=True)
class UploadStream:
    metadata: UploadMetadata
    file_name: str
    declared_type: str | None
    body: AsyncIterator[bytes]

    def incoming(self) -> Incoming:
        return Incoming(upload=self.upload(), body=self.body)

    def upload(self) -> Upload:
        """What the upload use case needs to know before the first byte of the file."""
        return upload_of(self.metadata, file_name=self.file_name, declared_type=self.declared_type)


def upload_of(metadata: UploadMetadata, *, file_name: str, declared_type: str | None) -> Upload:
    """An upload's description as the use case takes it, from the wire's metadata (the
    multipart upload's ``metadata`` part, or a resumable upload's ``metadata`` value)."""
    return Upload(
        phase=metadata.phase,
        restrictions=Restrictions(
            purposes=frozenset(metadata.purposes),
            data_categories=frozenset(metadata.data_categories),
            legal_basis=metadata.legal_basis,
            consent_id=ConsentId(metadata.consent_id) if metadata.consent_id else None,
        ),
        description=metadata.description,
        file_name=file_name,
        declared_type=declared_type,
    )


async def _events(
    request: Request[Any, Any, Any], parser: PushMultipartParser
) -> AsyncIterator[Any]:
    try:
        async for chunk in request.stream():
            for event in parser.parse(chunk):
                yield event
    except MultipartError as exc:
        raise InvalidInput(f"malformed multipart body: {exc}", code=MALFORMED) from exc
    except HTTPException as exc:
        if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
            raise PayloadTooLarge("the upload is larger than the size limit") from exc
        raise


async def read_incoming(request: Request[Any, Any, Any]) -> Incoming:
    return (await read_upload(request)).incoming()


async def read_upload(request: Request[Any, Any, Any]) -> UploadStream:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if content_type != "multipart/form-data" or not boundary:
        raise InvalidInput(
            "send the upload as multipart/form-data: a metadata part, then file", code=MALFORMED
        )
    try:
        parser = PushMultipartParser(
            boundary, max_header_size=MAX_HEADER_BYTES, max_segment_count=3, strict=True
        )
    except MultipartError as exc:
        raise InvalidInput(f"malformed multipart body: {exc}", code=MALFORMED) from exc
    events = _events(request, parser)

    segment = await _next_segment(events)
    if segment.name != "metadata" or segment.filename is not None:
        raise InvalidInput(
            "the first part must be 'metadata' (JSON), before the file", code=MALFORMED
        )
    raw = b""
    async for event in events:
        if event is None:
            break
        raw += event
        if len(raw) > MAX_METADATA_BYTES:
            raise InvalidInput(
                f"the metadata part is larger than {MAX_METADATA_BYTES} bytes", code=MALFORMED
            )
    metadata = decode_metadata(raw)

    segment = await _next_segment(events)
    if segment.name != "file" or segment.filename is None:
        raise InvalidInput("the second part must be 'file', with a file name", code=MALFORMED)

    async def body() -> AsyncIterator[bytes]:
        async for event in events:
            if event is None:
                break
            yield event
        async for _ in events:
            raise InvalidInput("nothing may follow the file part", code=MALFORMED)
        if not parser.closed:
            raise InvalidInput(
                "the multipart body ended before its closing boundary", code=MALFORMED
            )

    return UploadStream(
        metadata=metadata,
        file_name=segment.filename,
        declared_type=segment.content_type,
        body=body(),
    )


def decode_metadata(raw: bytes) -> UploadMetadata:
    """An upload's metadata JSON, checked as every upload's is; InvalidInput if it is not."""
    if has_nul(raw, NUL_IN_JSON):
        raise InvalidInput(NUL_REFUSED, code=RefusalCode.NUL_CHARACTER)
    try:
        return msgspec.json.decode(raw, type=UploadMetadata)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"metadata: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise InvalidInput("metadata must be a JSON object") from exc


async def _next_segment(events: AsyncIterator[Any]) -> MultipartSegment:
    async for event in events:
        if isinstance(event, MultipartSegment):
            return event
        raise InvalidInput("malformed multipart body", code=MALFORMED)  # pragma: no cover - order
    raise InvalidInput("the upload needs a metadata part and a file part", code=MALFORMED)
