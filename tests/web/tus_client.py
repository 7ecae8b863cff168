"""The tus 1.0.0 requests the tests send by hand, so each rule can be broken on purpose."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.web.portal_client import AANMELDING_METADATA

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = "application/offset+octet-stream"


def encode_metadata(pairs: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items()
    )


def upload_metadata(
    case_id: str,
    *,
    file_name: str = "verslag.pdf",
    file_type: str | None = "application/pdf",
    metadata: dict[str, Any] | None = None,
) -> dict[str, str]:
    """The metadata pairs of a resumable upload, as the portal documents them."""
    pairs = {
        "case_id": case_id,
        "filename": file_name,
        "metadata": json.dumps(AANMELDING_METADATA if metadata is None else metadata),
    }
    if file_type is not None:
        pairs["filetype"] = file_type
    return pairs


def creation_headers(length: int, pairs: dict[str, str]) -> dict[str, str]:
    return {**TUS, "Upload-Length": str(length), "Upload-Metadata": encode_metadata(pairs)}


def patch_headers(offset: int) -> dict[str, str]:
    return {**TUS, "Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM}
