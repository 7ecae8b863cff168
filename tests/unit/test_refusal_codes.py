"""The refusal codes: every rule has one, each code has one way it is answered, and the
documentation (OpenAPI and docs/refusal-codes.md) names every code with its status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.domain.refusal_codes import CODE_OF_RULE, RULES_BY_CODE, RefusalCode, code_of
from portal.domain.rules import REFUSAL_OF, Refusal, Rule, deny, refusal_of
from portal.services import errors
from portal.web.error_codes import CODE_DOCS, codes_table, error_statuses, with_error_codes
from portal.web.errors import CODE_BY_STATUS, STATUS_BY_ERROR, code_for_status

DOCS = Path(__file__).parents[2] / "docs" / "refusal-codes.md"
STATUS_OF_REFUSAL = {Refusal.FORBIDDEN: 403, Refusal.CONFLICT: 409, Refusal.INVALID: 400}


def test_every_rule_is_listed_under_exactly_one_code() -> None:
    listed = [rule for rules in RULES_BY_CODE.values() for rule in rules]
    assert sorted(listed) == sorted(Rule)
    assert set(CODE_OF_RULE) == set(Rule)


@pytest.mark.parametrize("code", list(RULES_BY_CODE), ids=str)
def test_the_rules_of_one_code_are_answered_alike(code: RefusalCode) -> None:
    """A page explains a code one way, so its rules are all 403s, 409s or 400s."""
    kinds = {REFUSAL_OF.get(rule, Refusal.FORBIDDEN) for rule in RULES_BY_CODE[code]}
    assert len(kinds) == 1, (code, kinds)


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (Rule.GRANT_ENDED, RefusalCode.GRANT_ENDED),
        (Rule.DOCUMENT_DOWNLOAD_CONSENT, RefusalCode.CONSENT_WITHDRAWN),
        (Rule.DOCUMENT_DOWNLOAD_JUSTIFICATION, RefusalCode.JUSTIFICATION_REQUIRED),
        (Rule.DOCUMENT_DOWNLOAD_REAPPROVAL, RefusalCode.REAPPROVAL_REQUIRED),
        (Rule.ACCESS_SCREENING, RefusalCode.SCREENING_MISSING),
        (Rule.GRANT_ROLE, RefusalCode.ROLE_NOT_ALLOWED),
        (Rule.GRANT_ACCESS_SCREENING, RefusalCode.PERSON_NOT_ELIGIBLE),
        (Rule.PROVISION_LEGAL_BASIS, RefusalCode.LEGAL_BASIS_NOT_ALLOWED),
    ],
    ids=str,
)
def test_a_refusal_is_coded_by_the_rule_that_refused(rule: Rule, code: RefusalCode) -> None:
    assert code_of(deny(rule, "why")) is code


def test_codes_are_lowercase_words_joined_by_hyphens() -> None:
    for code in RefusalCode:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code), code


def test_every_code_is_documented() -> None:
    assert list(CODE_DOCS) == list(RefusalCode)
    assert all(doc.meaning.endswith(".") for doc in CODE_DOCS.values())


@pytest.mark.parametrize("rule", list(Rule), ids=str)
def test_a_rules_code_is_documented_with_the_status_it_is_answered_with(rule: Rule) -> None:
    status = STATUS_OF_REFUSAL[refusal_of(deny(rule, "why"))]
    assert status in CODE_DOCS[CODE_OF_RULE[rule]].statuses


@pytest.mark.parametrize("error", list(STATUS_BY_ERROR), ids=lambda e: e.__name__)
def test_a_service_errors_own_code_is_documented_with_its_status(
    error: type[errors.ServiceError],
) -> None:
    assert STATUS_BY_ERROR[error] in CODE_DOCS[error.code].statuses


@pytest.mark.parametrize(("status", "code"), list(CODE_BY_STATUS.items()), ids=str)
def test_a_framework_refusal_is_coded_by_its_status(status: int, code: RefusalCode) -> None:
    assert code_for_status(status) is code
    assert status in CODE_DOCS[code].statuses


def test_an_unlisted_status_still_gets_a_code() -> None:
    assert code_for_status(418) is RefusalCode.BAD_REQUEST
    assert code_for_status(502) is RefusalCode.INTERNAL_ERROR


def test_a_raise_may_name_a_more_specific_code_than_its_class() -> None:
    assert errors.Conflict("taken").code is RefusalCode.CONFLICT
    specific = errors.Conflict("taken", code=RefusalCode.ALREADY_EXISTS)
    assert specific.code is RefusalCode.ALREADY_EXISTS
    assert errors.Conflict("again").code is RefusalCode.CONFLICT


@pytest.mark.parametrize(
    ("method", "path", "operation", "added"),
    [
        pytest.param("options", "/api/v1/uploads", {}, set(), id="options-needs-no-token"),
        pytest.param("get", "/api/v1/cases/{case_id}", {}, {404}, id="an-id-may-be-unknown"),
        pytest.param(
            "post", "/api/v1/cases", {"requestBody": {}}, {409, 413}, id="a-write-with-a-body"
        ),
        pytest.param(
            "get",
            "/api/v1/documents/{document_id}/content",
            {"responses": {"200": {"content": {"application/octet-stream": {}}}}},
            {404, 409},
            id="a-download-can-conflict",
        ),
        pytest.param(
            "patch",
            "/api/v1/uploads/{upload_id}",
            {},
            {404, 408, 409, 412, 413, 415, 423, 507},
            id="tus-bytes",
        ),
    ],
)
def test_each_api_operation_documents_the_error_statuses_it_answers(
    method: str, path: str, operation: dict[str, object], added: set[int]
) -> None:
    base = {400, 431, 500} if method == "options" else {400, 401, 403, 429, 431, 500, 503}
    assert set(error_statuses(path, method, operation)) == base | added


def test_the_docs_table_is_the_code_table() -> None:
    assert codes_table() in DOCS.read_text()


def test_the_openapi_document_describes_every_error_answer_with_its_codes() -> None:
    bare = {
        "paths": {
            "/api/v1/cases": {
                "get": {"responses": {"200": {}, "400": {"description": "Bad Request"}}}
            },
            "/health/live": {"get": {"responses": {"200": {}}}},
        }
    }
    documented = with_error_codes(bare)
    schemas = documented["components"]["schemas"]
    assert schemas["RefusalCode"]["enum"] == [str(code) for code in RefusalCode]
    assert "code" in schemas["PortalError"]["required"]
    api = documented["paths"]["/api/v1/cases"]["get"]["responses"]
    ref = {"$ref": "#/components/schemas/PortalError"}
    assert api["400"]["content"]["application/json"]["schema"] == ref
    assert api["400"]["description"] == "Bad Request"
    assert sorted(api) == ["200", "400", "401", "403", "429", "431", "500", "503"]
    assert api["503"]["content"]["application/json"]["schema"] == ref
    assert documented["paths"]["/health/live"]["get"]["responses"] == {"200": {}}
    assert "components" not in bare  # the served document is completed, not Litestar's own
