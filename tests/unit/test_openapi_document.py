"""The OpenAPI document says who must send a token and which answers have no body."""

from __future__ import annotations

from typing import Any

from portal.web.openapi_document import with_bearer_security, without_null_bodies

NULL = {"application/json": {"schema": {"type": "null"}}}


def _bare() -> dict[str, Any]:
    return {
        "paths": {
            "/api/v1/uploads": {
                "post": {"responses": {"201": {"content": NULL}}},
                "options": {"responses": {"204": {"content": NULL}}},
            },
            "/api/v1/me": {"get": {"responses": {"200": {"content": {"application/json": {}}}}}},
            "/health/live": {"get": {"responses": {"200": {}}}},
        }
    }


def test_every_api_operation_but_options_declares_the_bearer_token() -> None:
    paths = with_bearer_security(_bare())["paths"]
    token: list[dict[str, list[str]]] = [{"BearerToken": []}]
    assert paths["/api/v1/uploads"]["post"]["security"] == token
    assert paths["/api/v1/me"]["get"]["security"] == token
    assert "security" not in paths["/api/v1/uploads"]["options"]
    assert "security" not in paths["/health/live"]["get"]


def test_an_answer_documented_as_json_null_has_no_content() -> None:
    bare = _bare()
    paths = without_null_bodies(bare)["paths"]
    assert "content" not in paths["/api/v1/uploads"]["post"]["responses"]["201"]
    assert "content" not in paths["/api/v1/uploads"]["options"]["responses"]["204"]
    assert paths["/api/v1/me"]["get"]["responses"]["200"]["content"] == {"application/json": {}}
    assert bare["paths"]["/api/v1/uploads"]["post"]["responses"]["201"]["content"] == NULL
