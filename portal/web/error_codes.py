"""What each refusal code means and with which HTTP status it comes: the API's reference.

The table here is the one source for the OpenAPI document (an enum schema on every error
response) and for the table in ``docs/refusal-codes.md``, which a test holds equal to it.
The Dutch texts for the pages are in :mod:`portal.web.dutch`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin

from portal.domain.refusal_codes import RefusalCode
from portal.web.openapi_document import with_bearer_security, without_null_bodies


@dataclass(frozen=True, kw_only=True)
class CodeDoc:
    statuses: tuple[int, ...]
    """The HTTP statuses this code comes with; empty for "any other 4xx"."""
    meaning: str


def _doc(meaning: str, *statuses: int) -> CodeDoc:
    return CodeDoc(statuses=statuses, meaning=meaning)


# Where a code comes with two statuses, the refusal path decides: a refused download or
# approval is always 403; the same rule refused elsewhere is answered as REFUSAL_OF says.
CODE_DOCS: Final[Mapping[RefusalCode, CodeDoc]] = {
    RefusalCode.NOT_AUTHENTICATED: _doc("No valid API token came with the request.", 401),
    RefusalCode.ACCOUNT_DEACTIVATED: _doc("The caller's account is deactivated.", 403),
    RefusalCode.PARTIJ_WITHDRAWN: _doc(
        "The caller's partij has withdrawn from the covenant (art. 27.3).", 403
    ),
    RefusalCode.SCREENING_MISSING: _doc(
        "No VOG and signed confidentiality statement are on record for the caller "
        "(art. 13.1, 13.3).",
        403,
    ),
    RefusalCode.ZVH_ROLE_ELSEWHERE: _doc(
        "The caller's account holds a ZVH role at a partij that is not the ZVH.", 403
    ),
    RefusalCode.TOO_MANY_REQUESTS: _doc(
        "Too many refused API tokens came from this address; wait for Retry-After.", 429
    ),
    RefusalCode.NOT_ALLOWED: _doc("The caller may not do this.", 403),
    RefusalCode.ROLE_NOT_ALLOWED: _doc("The caller's role does not do this.", 403),
    RefusalCode.NOT_ASSIGNED: _doc(
        "Only a procesregisseur assigned to the case does this (art. 1.22).", 403
    ),
    RefusalCode.NO_PART_IN_CASE: _doc("The caller has no part in the case (art. 9.6).", 403),
    RefusalCode.CONTROLLER_ONLY: _doc(
        "The providing partij stays controller of its document, but reading its contents "
        "needs a part in the case (art. 2.1, 9.6).",
        403,
    ),
    RefusalCode.DOCUMENT_NOT_IN_GRANT: _doc(
        "The caller's grant is limited to other documents of the case.", 403
    ),
    RefusalCode.NOT_PROVIDER: _doc(
        "Only the partij that provided the document (or recorded the consent) decides this "
        "(art. 3.5c, 3.5d, 7.2).",
        403,
    ),
    RefusalCode.OWN_DOCUMENT: _doc(
        "A partij needs no approval to use its own document (art. 3.5d).", 403
    ),
    RefusalCode.OUTSIDE_SUPERVISION: _doc(
        "An FG reads only the records in which its own partij acts or provides (art. 24.4).",
        403,
    ),
    RefusalCode.GRANT_ENDED: _doc(
        "The grant ended: revoked, expired, or at afschaling (art. 11.2a).", 403, 409
    ),
    RefusalCode.ADMISSION_ENDED: _doc(
        "The admission to the archived case has ended (art. 11.2b).", 403, 409
    ),
    RefusalCode.CASE_RESTRICTED: _doc(
        "In the six months after the decision only the case's procesregisseurs and the "
        "administratief medewerker have access (art. 11.2a).",
        403,
    ),
    RefusalCode.CASE_ARCHIVED: _doc(
        "The case is archived; only users the manager admits have access (art. 11.2b).", 403
    ),
    RefusalCode.CASE_DESTROYED: _doc("The case's personal data is destroyed (art. 11.2c).", 403),
    RefusalCode.CASE_HELD: _doc(
        "A legal hold keeps the case: nothing is destroyed or removed.", 409
    ),
    RefusalCode.CASE_STILL_OPEN: _doc(
        "The case is not decided yet (afschaling or closing), so it cannot be destroyed.", 409
    ),
    RefusalCode.DESTRUCTION_DUE: _doc(
        "The case is destroyed, or its destruction is due: a hold comes too late.", 409
    ),
    RefusalCode.NO_HOLD: _doc("The case has no legal hold to lift.", 409),
    RefusalCode.CASE_KEY_DESTROYED: _doc(
        "The case's key is destroyed: its documents can no longer be read or added.", 409
    ),
    RefusalCode.CASE_CLOSED: _doc("The case was closed.", 409),
    RefusalCode.CASE_NOT_CLOSABLE: _doc(
        "A case is closed in aanmelding or triage; later it ends by afschaling.", 409
    ),
    RefusalCode.CASE_NOT_ARCHIVED: _doc(
        "Only an archived case (six to twelve months after the decision) takes admissions.",
        409,
    ),
    RefusalCode.CASE_ARCHIVED_NO_ASSIGNMENT: _doc(
        "An archived case is opened by the manager's admission, not by assignment (11.2b).",
        409,
    ),
    RefusalCode.AFTER_AFSCHALING: _doc(
        "After the afschaling or closing decision no access is granted and no documents are "
        "provided (art. 11.2).",
        409,
    ),
    RefusalCode.BEFORE_TRIAGE: _doc(
        "Participants are granted access from triage on (art. 1.18, 1.19, 9.2).", 409
    ),
    RefusalCode.PHASE_FINAL: _doc("Afschaling is the last phase.", 409),
    RefusalCode.PHASE_ORDER: _doc("A case moves one phase at a time, forwards only.", 400),
    RefusalCode.WRONG_PHASE: _doc(
        "This is done in another phase of the case than its current one.", 403, 409
    ),
    RefusalCode.NOT_CURRENT_PHASE: _doc(
        "Documents are provided for the case's current phase only (art. 3.5a).", 400
    ),
    RefusalCode.REPORTING_PARTIJ_WITHDRAWN: _doc(
        "The reporting partij has withdrawn from the covenant (art. 27.3).", 409
    ),
    RefusalCode.SELF_ADMISSION: _doc("The manager does not admit themselves.", 409),
    RefusalCode.PURPOSE_NOT_ALLOWED: _doc(
        "The purpose is not one the provider allowed for the document, or not one of the "
        "case's current phase (art. 3.5).",
        403,
    ),
    RefusalCode.PURPOSES_NOT_OF_PHASE: _doc(
        "An approval names purposes of the phase it approves for (Bijlage 2).", 400, 403
    ),
    RefusalCode.REAPPROVAL_REQUIRED: _doc(
        "The document was provided for an earlier phase; its provider has not approved it "
        "for the current one (art. 3.5b).",
        403,
    ),
    RefusalCode.PROVIDED_FOR_THIS_PHASE: _doc(
        "The document was provided for this phase; it needs no approval for it.", 403, 409
    ),
    RefusalCode.CONSENT_WITHDRAWN: _doc(
        "The consent the document was provided on has been withdrawn (art. 7.2d, 13.7).", 403
    ),
    RefusalCode.CONSENT_NOT_USABLE: _doc(
        "The consent named is not the providing partij's, or was withdrawn (art. 7.2).", 400
    ),
    RefusalCode.JUSTIFICATION_REQUIRED: _doc(
        "Police and OM documents are disclosed only with a justification (art. 8).", 403
    ),
    RefusalCode.JUSTIFICATION_IN_URL: _doc(
        "A justification goes in the request body, never in the URL.", 400
    ),
    RefusalCode.HANDOVER_WINDOW_CLOSED: _doc("The hand-over window has closed.", 403),
    RefusalCode.HANDOVER_NOT_APPROVED: _doc(
        "The providing partij has not approved the document for overdracht (art. 3.5c).",
        403,
        409,
    ),
    RefusalCode.OPENPGP_KEY_MISSING: _doc(
        "Delivery to an OpenPGP key needs a key registered for the user.", 409
    ),
    RefusalCode.OPENPGP_KEY_UNUSABLE: _doc(
        "The registered OpenPGP key cannot be encrypted to.", 409
    ),
    RefusalCode.OPENPGP_KEY_INVALID: _doc(
        "The text is not an OpenPGP public key that can encrypt.", 400
    ),
    RefusalCode.RESTRICTIONS_INVALID: _doc(
        "The purposes, data categories, legal basis or consent declared for the document "
        "do not fit its phase (art. 3.5, 7.2).",
        400,
    ),
    RefusalCode.LEGAL_BASIS_NOT_ALLOWED: _doc(
        "The legal basis is not one a partij of the provider's kind may provide on (6.4).",
        400,
    ),
    RefusalCode.DATA_CATEGORY_NOT_ALLOWED: _doc(
        "A partij of the provider's kind does not provide this data category (art. 6.4).",
        400,
    ),
    RefusalCode.FILE_TYPE_NOT_ALLOWED: _doc(
        "The file's type is not accepted, or does not match its declared type or name.", 415
    ),
    RefusalCode.FILE_NAME_NOT_ALLOWED: _doc("The file name has no usable characters.", 400),
    RefusalCode.TOO_LARGE: _doc("The request or document is larger than the limit.", 413),
    RefusalCode.MALFORMED_UPLOAD: _doc(
        "The upload is not a multipart body of a metadata part and then a file part.", 400
    ),
    RefusalCode.VALIDATION_FAILED: _doc(
        "A parameter or field is missing, of the wrong type, or out of range; ``extra`` "
        "names it where the framework found it.",
        400,
    ),
    RefusalCode.NUL_CHARACTER: _doc("The request contains a NUL character.", 400),
    RefusalCode.TEXT_NOT_ACCEPTED: _doc(
        "A free-text field is too long or holds control or format characters.", 400
    ),
    RefusalCode.REASON_REQUIRED: _doc("Give the reason (or description) this asks for.", 400),
    RefusalCode.INVALID_DATE: _doc(
        "A date lacks a time zone, or lies outside the range allowed.", 400
    ),
    RefusalCode.UNKNOWN_USER: _doc("No user has the username given.", 400),
    RefusalCode.UNKNOWN_PARTIJ: _doc("No partij has the id given.", 400),
    RefusalCode.PERSON_NOT_ELIGIBLE: _doc(
        "The person named cannot take this part: their role, account, partij or screening "
        "does not allow it.",
        400,
    ),
    RefusalCode.DOCUMENTS_NOT_IN_CASE: _doc("Name one or more of the case's documents.", 400),
    RefusalCode.ROLE_ZVH_ONLY: _doc("The role exists only at the ZVH.", 400),
    RefusalCode.NOT_FOUND: _doc(
        "It does not exist, or the caller may not learn that it does (art. 9.6).", 404
    ),
    RefusalCode.METHOD_NOT_ALLOWED: _doc("The path does not take this HTTP method.", 405),
    RefusalCode.HEADERS_TOO_LARGE: _doc("A request header is larger than the limit.", 431),
    RefusalCode.BAD_REQUEST: _doc("Another refusal of the request; its status says which."),
    RefusalCode.CONFLICT: _doc("The current state forbids the change.", 409),
    RefusalCode.ALREADY_EXISTS: _doc("It exists already.", 409),
    RefusalCode.ALREADY_DECIDED: _doc("It was decided already.", 409),
    RefusalCode.BUSY: _doc("Another request is changing the same thing right now.", 423),
    RefusalCode.TIMED_OUT: _doc(
        "The client stopped sending before the request was complete; what arrived is kept.", 408
    ),
    RefusalCode.SERVICE_UNAVAILABLE: _doc(
        "The database or the document store cannot be reached; nothing was done. Retry after "
        "``Retry-After`` seconds.",
        503,
    ),
    RefusalCode.STORE_FULL: _doc(
        "The document store is full; nothing was stored until the operator makes room.", 507
    ),
    RefusalCode.AUDIT_UNAVAILABLE: _doc(
        "The audit record could not be written, so nothing was done; try again later.", 503
    ),
    RefusalCode.INTERNAL_ERROR: _doc("The portal failed; quote ``trace_id`` to the operator.", 500),
}


def statuses_text(doc: CodeDoc) -> str:
    return ", ".join(str(status) for status in doc.statuses) or "4xx"


def codes_table() -> str:
    """The Markdown table of codes in ``docs/refusal-codes.md``."""
    rows = [
        f"| `{code}` | {statuses_text(doc)} | {doc.meaning} |" for code, doc in CODE_DOCS.items()
    ]
    return "\n".join(["| code | HTTP status | meaning |", "| --- | --- | --- |", *rows])


ERROR_SCHEMA_NAME = "PortalError"
CODE_SCHEMA_NAME = "RefusalCode"
_CODE_REF = f"#/components/schemas/{CODE_SCHEMA_NAME}"
_ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA_NAME}"


def code_schema() -> dict[str, Any]:
    described = "\n".join(
        f"- `{code}` ({statuses_text(doc)}): {doc.meaning}" for code, doc in CODE_DOCS.items()
    )
    return {
        "type": "string",
        "enum": [str(code) for code in RefusalCode],
        "description": "Why the request was refused: stable, for programs and pages.\n\n"
        + described,
    }


def error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["status_code", "detail", "code"],
        "properties": {
            "status_code": {"type": "integer"},
            "detail": {"type": "string", "description": "Why, in English, for people."},
            "code": {"$ref": _CODE_REF},
            "extra": {
                "type": ["null", "object", "array"],
                "description": "For validation-failed: the fields the framework refused.",
            },
            "trace_id": {"type": "string", "description": "For internal-error only."},
        },
    }


ERROR_ANSWERS: Final[Mapping[int, str]] = {
    400: "The request is malformed or a value is refused; `code` says which.",
    401: "No valid API token came with the request.",
    403: "The caller may not do this; `code` names the rule that refused.",
    404: "It does not exist, or the caller may not learn that it does (art. 9.6).",
    408: "The client stopped sending before the body was complete.",
    409: "The current state forbids this; `code` says which.",
    412: "The request lacks `Tus-Resumable: 1.0.0`.",
    413: "The request or the document is larger than the limit.",
    415: "The body's or the file's type is not accepted.",
    423: "Another request is changing the same upload right now; try again shortly.",
    429: "Too many refused API tokens came from this address; wait for `Retry-After`.",
    431: "A request header is larger than the limit.",
    500: "The portal failed; quote `trace_id` to the operator.",
    503: "The database, the document store or the audit log cannot be reached; nothing was "
    "done. Retry after `Retry-After` seconds.",
    507: "The document store is full; nothing was stored.",
}
"""Every error status the API answers with, each a ``PortalError``."""

# What any API call can be answered, whatever it does: a malformed or NUL-bearing request,
# no or a refused token, the caller's standing, a flood of refused tokens, headers over the
# limit (``portal.web.limits.HeaderLimit``), a fault, an outage of what the token lookup
# and every audit record need.
_ANY_CALL: Final = frozenset({400, 401, 403, 429, 431, 500, 503})
# OPTIONS needs no token (Litestar's authentication middleware lets it through) and reads
# nothing: only its query and headers can be refused.
_WITHOUT_TOKEN: Final = frozenset({400, 431, 500})
_WRITES: Final = frozenset({"post", "put", "patch", "delete"})
# The streamed uploads: their bodies are timed, sniffed, sized and stored as they arrive.
_UPLOADS: Final[Mapping[tuple[str, str], frozenset[int]]] = {
    ("post", "/api/v1/cases/{case_id}/documents"): frozenset({408, 413, 415, 507}),
    ("post", "/api/v1/uploads"): frozenset({412, 413, 415}),
    ("head", "/api/v1/uploads/{upload_id}"): frozenset({412}),
    ("patch", "/api/v1/uploads/{upload_id}"): frozenset({408, 412, 413, 415, 423, 507}),
    ("delete", "/api/v1/uploads/{upload_id}"): frozenset({412, 423}),
}


def error_statuses(path: str, method: str, operation: Mapping[str, Any]) -> list[int]:
    """The error statuses an API operation answers with (see :data:`ERROR_ANSWERS`)."""
    if method == "options":
        return sorted(_WITHOUT_TOKEN)
    statuses = set(_ANY_CALL) | _UPLOADS.get((method, path), frozenset())
    if "{" in path:
        statuses.add(404)  # an id that is unknown, or not the caller's to know of
    if method in _WRITES or _is_download(operation):
        # A download can conflict too: a destroyed case key, no registered OpenPGP key.
        statuses.add(409)
    if "requestBody" in operation:
        statuses.add(413)  # Litestar's body limit, or the route's own
    return sorted(statuses)


def _is_download(operation: Mapping[str, Any]) -> bool:
    success = operation.get("responses", {}).get("200", {})
    return "application/octet-stream" in success.get("content", {})


def with_error_codes(openapi: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error answer described as a ``PortalError``: each
    error response of an operation refers to it, and each API operation lists every
    error status it answers with (:func:`error_statuses`), so a client, and the fuzzing
    test, can tell an undocumented answer."""
    document = copy.deepcopy(dict(openapi))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[CODE_SCHEMA_NAME] = code_schema()
    schemas[ERROR_SCHEMA_NAME] = error_schema()
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if path.startswith("/api/"):
                for status in error_statuses(path, method, operation):
                    responses.setdefault(str(status), {"description": ERROR_ANSWERS[status]})
            for status, response in responses.items():
                if status[:1] in {"4", "5"}:
                    response["content"] = {"application/json": {"schema": {"$ref": _ERROR_REF}}}
    return document


class JsonWithErrorCodes(JsonRenderPlugin):
    """``/schema/openapi.json`` with the error answers and their codes documented.

    Litestar documents only the errors a handler declares, with a body without ``code``;
    the portal's answers all carry one, so the document is completed as it is served,
    with the token requirement and the bodiless answers too (``portal.web.openapi_document``).
    """

    def __init__(self) -> None:
        super().__init__()
        self._documented: dict[str, Any] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar builds the schema once per app, and create_app makes a plugin per app.
        if self._documented is None:
            self._documented = with_error_codes(
                with_bearer_security(without_null_bodies(openapi_schema))
            )
        return self.render_json(request, self._documented)
