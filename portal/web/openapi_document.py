"""What Litestar cannot know about the API when it writes the OpenAPI document.

- **Who must send a token.** Every ``/api/`` operation but OPTIONS goes through
  :class:`portal.web.auth.TokenAuthentication` (Litestar's authentication middleware lets
  OPTIONS through; ``/health/`` and ``/schema`` are excluded in ``portal.app``), so each
  declares the bearer scheme. A client generator then sends the token, and a fuzzer knows
  that leaving it out must be answered 401.
- **Answers without a body.** A handler that returns ``Response[None]`` is documented as
  a JSON ``null``; the portal sends no body and no Content-Type there, so the document
  says no content.

The error answers are completed by :func:`portal.web.error_codes.with_error_codes`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

BEARER_SCHEME: Final = "BearerToken"

_NULL_BODY: Final = {"schema": {"type": "null"}}


def needs_token(path: str, method: str) -> bool:
    return path.startswith("/api/") and method != "options"


def with_bearer_security(openapi: Mapping[str, Any]) -> dict[str, Any]:
    """The document with the bearer scheme declared on every operation that needs it."""
    document = copy.deepcopy(dict(openapi))
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[BEARER_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`portal token create`), as "
        "`Authorization: Bearer <token>`. A refused token is on record.",
    }
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and needs_token(path, method):
                operation["security"] = [{BEARER_SCHEME: []}]
    return document


def without_null_bodies(openapi: Mapping[str, Any]) -> dict[str, Any]:
    """The document with no content on the successes that send no body."""
    document = copy.deepcopy(dict(openapi))
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if (
                    status[:1] == "2"
                    and content
                    and all(media == _NULL_BODY for media in content.values())
                ):
                    del response["content"]
    return document
