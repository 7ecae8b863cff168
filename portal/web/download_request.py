"""The body of a download with a justification: JSON from an API client, or a posted form.

Art. 8: a justification is free text about a person, so it travels in a body and never in a
URL, where proxies, browser histories and access logs would keep it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from portal.services.errors import InvalidInput
from portal.web.schemas import DownloadIn

MAX_DOWNLOAD_REQUEST_BYTES = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
FIELDS = ", ".join(DownloadIn.__struct_fields__)


async def read_download_request(request: Request[Any, Any, Any]) -> DownloadIn:
    """The purpose, justification and delivery the caller sent; InvalidInput otherwise."""
    media_type = request.content_type[0]
    body = await request.body()
    if media_type == JSON:
        return _from_json(body)
    if media_type == FORM:
        return _from_form(body)
    raise InvalidInput(
        f"send {FIELDS} in the body as {JSON} or {FORM}, not as {media_type or 'nothing'}"
    )


def _from_json(body: bytes) -> DownloadIn:
    try:
        return msgspec.json.decode(body, type=DownloadIn)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InvalidInput(f"the download request is not valid: {exc}") from None


def _from_form(body: bytes) -> DownloadIn:
    try:
        pairs = parse_qsl(
            body.decode(), keep_blank_values=True, strict_parsing=bool(body), errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "the form is not valid UTF-8 application/x-www-form-urlencoded"
        ) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInput(f"send each of {FIELDS} at most once")
    # A browser sends an empty text field as an empty value: no justification given.
    if not fields.get("justification", "").strip():
        fields.pop("justification", None)
    if fields.get("delivery") == "":
        fields.pop("delivery")
    try:
        return msgspec.convert(fields, DownloadIn)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"the download request is not valid: {exc}") from None
