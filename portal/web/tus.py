"""The tus 1.0.0 wire (core, creation, termination): what its headers carry, checked.

``Upload-Metadata`` is a comma-separated list of ``key base64(value)`` pairs. The portal
takes exactly these keys, and refuses any other (deny by default):

| key        | value                                                                  |
| ---------- | ---------------------------------------------------------------------- |
| `case_id`  | the case's id (UUID); required                                         |
| `filename` | the file's name, as the direct upload's file part names it; required   |
| `filetype` | the file's Content-Type; required, as for the direct upload: it must be |
|            | an accepted type that the name's extension goes by (checked at once)  |
|            | and agree with the type sniffed from the bytes (checked at the end)   |
| `metadata` | JSON, the direct upload's `metadata` part: phase, purposes,            |
|            | data_categories, legal_basis, optional consent_id and description;     |
|            | required                                                               |

Everything is decoded and checked before the upload exists, so a bad upload is refused
before its first byte is sent.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.status_codes import HTTP_412_PRECONDITION_FAILED
from litestar.types import Message, Scope

from portal.domain.refusal_codes import RefusalCode
from portal.services.errors import InvalidInput
from portal.services.resumable_uploads import Creation
from portal.web.limits import NUL_REFUSED
from portal.web.multipart import decode_metadata, upload_of

TUS_VERSION: Final = "1.0.0"
TUS_EXTENSIONS: Final = "creation,termination"
OFFSET_STREAM: Final = "application/offset+octet-stream"
UPLOADS_PATH: Final = "/api/v1/uploads"

REQUIRED_KEYS: Final = frozenset({"case_id", "filename", "filetype", "metadata"})
OPTIONAL_KEYS: Final = frozenset[str]()
_KEY: Final = re.compile(r"[a-z_]{1,32}")
_NUMBER: Final = re.compile(r"[0-9]{1,19}")


def require_tus_version(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A guard: every tus request names the protocol version; only 1.0.0 is spoken here."""
    if connection.headers.get("tus-resumable") != TUS_VERSION:
        raise HTTPException(
            status_code=HTTP_412_PRECONDITION_FAILED,
            detail=f"send Tus-Resumable: {TUS_VERSION}; it is the only version served",
            headers={"Tus-Version": TUS_VERSION},
        )


async def tus_resumable_header(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: every answer under the uploads' path, refusals by the
    authentication included, carries ``Tus-Resumable`` as the protocol asks."""
    if message["type"] != "http.response.start":
        return
    if str(scope.get("path", "")).startswith(UPLOADS_PATH):
        MutableScopeHeaders.from_message(message)["Tus-Resumable"] = TUS_VERSION


def parse_number(value: str | None, header: str) -> int:
    """A non-negative integer header (``Upload-Length``, ``Upload-Offset``)."""
    if value is None:
        raise InvalidInput(f"the {header} header is required")
    if not _NUMBER.fullmatch(value.strip()):
        raise InvalidInput(f"{header} must be a whole number of bytes")
    return int(value)


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata`` as text values; InvalidInput for anything but the keys above."""
    if not header:
        raise InvalidInput(
            "Upload-Metadata is required: " + ", ".join(sorted(REQUIRED_KEYS)) + " (base64)"
        )
    found: dict[str, str] = {}
    for pair in header.split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not _KEY.fullmatch(key):
            raise InvalidInput("Upload-Metadata keys are lower-case names, comma-separated")
        if key not in REQUIRED_KEYS | OPTIONAL_KEYS:
            raise InvalidInput(f"Upload-Metadata key {key!r} is not one the portal takes")
        if key in found:
            raise InvalidInput(f"Upload-Metadata names {key!r} twice")
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Upload-Metadata {key!r} is not base64 of UTF-8 text") from exc
        if "\x00" in value:
            raise InvalidInput(NUL_REFUSED, code=RefusalCode.NUL_CHARACTER)
        found[key] = value
    missing = REQUIRED_KEYS - found.keys()
    if missing:
        raise InvalidInput("Upload-Metadata lacks " + ", ".join(sorted(missing)))
    return found


def parse_creation(headers: Mapping[str, str]) -> Creation:
    """A creation request: its length, its case, and the upload as the direct path takes it."""
    if headers.get("upload-defer-length") is not None:
        raise InvalidInput("Upload-Defer-Length is not supported: send Upload-Length")
    if parse_number(headers.get("content-length") or "0", "Content-Length") != 0:
        raise InvalidInput("create the upload with an empty body, then PATCH the bytes")
    length = parse_number(headers.get("upload-length"), "Upload-Length")
    if length == 0:
        raise InvalidInput("an empty file is not a document")
    metadata = parse_metadata(headers.get("upload-metadata"))
    try:
        case_id = uuid.UUID(metadata["case_id"])
    except ValueError as exc:
        raise InvalidInput("Upload-Metadata case_id is not a case id") from exc
    return Creation(
        case_id=case_id,
        upload=upload_of(
            decode_metadata(metadata["metadata"].encode()),
            file_name=metadata["filename"],
            declared_type=metadata["filetype"],
        ),
        length=length,
    )


def case_hint(headers: Mapping[str, str]) -> uuid.UUID | None:
    """The case a creation request names, if that much of it can be read (for its record)."""
    for pair in (headers.get("upload-metadata") or "").split(","):
        key, _, encoded = pair.strip().partition(" ")
        if key == "case_id":
            try:
                return uuid.UUID(base64.b64decode(encoded.strip(), validate=True).decode())
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
    return None
