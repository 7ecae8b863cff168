"""Schemathesis against ``/schema/openapi.json``: no server error, nothing off the schema.

The app is the one ``create_app`` builds, in process on the embedded default (SQLite, a
local store, real gpg and libmagic) with the demo cast loaded, and one case seeded so that
generated calls reach real rows and not only 404s: Alice registered it, Dave of the police
provided a document, Bob of the GGZ holds a grant, Dave started a resumable upload.

Every operation of the document gets a bounded, derandomized run (``2 * EXAMPLES`` cases:
schema-valid and schema-breaking, the same every run), sent with a token of one of five
roles (procesregisseur, deelnemer, FG, manager, police partner), a third of them on
the seeded ids. Each answer is checked for:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: the status is one the operation documents;
- ``content_type_conformance``, ``response_headers_conformance``,
  ``response_schema_conformance``: type, headers and body are as documented (an error is
  a ``PortalError`` with a known ``code``);
- ``negative_data_rejection``: a request off the schema is refused with a 4xx;
- ``ignored_auth``: an operation that declares the bearer scheme refuses a missing or
  wrong token.

``positive_data_acceptance`` is left out on purpose: a request can fit the schema and be
refused all the same (an unknown partij or user, a purpose of another phase), with a
documented 400 or 403; that is the portal doing its job.

Not fuzzed, and why (their bad input is in ``test_bad_input.py``, ``test_documents_api.py``
and ``test_resumable_uploads_api.py``):

- ``POST /api/v1/cases/{case_id}/documents``: a streamed multipart body, parsed by hand;
  the schema can only say "two parts", so generated bodies are almost all the same refusal,
  and a valid one costs a gpg encryption per example;
- ``PATCH /api/v1/uploads/{upload_id}``: tus bytes that must continue at the upload's
  offset, raw and up to a whole document long.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.python.asgi import get_client, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.app import create_app
from portal.services.clock import system_clock
from portal.services.demo import load_demo
from portal.settings import load_settings
from tests.servers import free_port
from tests.web.conftest import MovableClock
from tests.web.portal_client import AANMELDING_METADATA, multipart_body, pdf_bytes
from tests.web.tus_client import creation_headers, upload_metadata

EXAMPLES = 10
"""Per operation and mode: under a minute for the whole document on a shared 2-core machine."""

ROLES = ("alice", "bob", "lisa", "erin", "dave")
"""procesregisseur, deelnemer (GGZ), FG of the ZVH, manager, partner at the police."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

NOT_FUZZED = {
    ("POST", "/api/v1/cases/{case_id}/documents"),
    ("PATCH", "/api/v1/uploads/{upload_id}"),
}


class DemoOnStartup:
    """The app, with the demo cast loaded once its lifespan has migrated the database.

    Schemathesis runs the app's lifespan on an event loop of its own; the demo must be
    loaded on that loop, after the migrations and before the first request.
    """

    def __init__(self, app: Any, clock: MovableClock) -> None:
        self.app = app
        self.clock = clock
        self.tokens: dict[str, str] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_after_demo(message: Any) -> None:
            if message["type"] == "lifespan.startup.complete":
                demo = await load_demo(clock=self.clock)
                self.tokens.update({login.username: login.token for login in demo.logins})
            await send(message)

        await self.app(scope, receive, send_after_demo)


@dataclass(frozen=True, kw_only=True)
class Fuzzed:
    schema: BaseSchema
    tokens: dict[str, str]
    ids: dict[str, str]
    """Seeded path parameters by name: ``case_id``, ``document_id``, ``grant_id``, ..."""

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _seed(app: DemoOnStartup, auth: Any) -> dict[str, str]:
    """One case with a document, a grant, a further-use request and a resumable upload."""
    with get_client(app) as http:
        partijen = {
            p["name"]: p["id"] for p in http.get("/api/v1/partijen", headers=auth("alice")).json()
        }
        case = http.post(
            "/api/v1/cases",
            json={
                "reference": "ZVH-FUZZ-1",
                "reported_by": partijen["Politie Eenheid Limburg"],
                "aanmelder": "dave",
            },
            headers=auth("alice"),
        )
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        body, content_type = multipart_body(
            AANMELDING_METADATA, "verslag.pdf", pdf_bytes(), "application/pdf"
        )
        document = http.post(
            f"/api/v1/cases/{case_id}/documents",
            data=body,
            headers={**auth("dave"), "Content-Type": content_type},
        )
        assert document.status_code == 201, document.text
        moved = http.post(
            f"/api/v1/cases/{case_id}/phase",
            json={"to": "triage", "reason": "besloten in het overleg"},
            headers=auth("alice"),
        )
        assert moved.status_code == 201, moved.text
        grant = http.post(
            f"/api/v1/cases/{case_id}/grants", json={"user": "bob"}, headers=auth("alice")
        )
        assert grant.status_code == 201, grant.text
        further_use = http.post(
            f"/api/v1/documents/{document.json()['id']}/further-use-requests",
            json={"description": "voor het eigen zorgplan"},
            headers=auth("bob"),
        )
        triage = {**AANMELDING_METADATA, "phase": "triage", "purposes": ["beeldvorming"]}
        upload = http.post(
            "/api/v1/uploads",
            headers={
                **auth("dave"),
                **creation_headers(4096, upload_metadata(case_id, metadata=triage)),
            },
        )
        assert upload.status_code == 201, upload.text
    ids = {
        "case_id": case_id,
        "document_id": document.json()["id"],
        "grant_id": grant.json()["id"],
        "partij_id": partijen["Gemeente Beesel"],  # no one of the cast: withdrawing it is harmless
        "upload_id": upload.headers["Location"].rsplit("/", 1)[1],
    }
    if further_use.status_code == 201:
        ids["request_id"] = further_use.json()["id"]
    return ids


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    # Short and outside pytest's tmp tree: the GnuPG home inside must stay under 80 chars.
    data_dir = Path(f"/tmp/portal-fuzz-{os.getpid()}-{free_port()}")
    clock = MovableClock(system_clock().replace(microsecond=0))
    app = DemoOnStartup(
        create_app(
            load_settings(
                {
                    "PORTAL_DATA_DIR": str(data_dir),
                    # Every generated call comes from one address, and many carry a broken
                    # token on purpose: blocking it would answer the rest 429 unseen.
                    "PORTAL_LOGIN_FAILURES_BLOCK_AFTER": "1000000",
                }
            ),
            clock=clock,
        ),
        clock,
    )
    try:
        schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
        # The token is the test's to send, per role; leaving it out or breaking it is what
        # ignored_auth checks. Unknown query parameters are ignored, as HTTP APIs do.
        schema.config.generation.update(
            with_security_parameters=False, allow_extra_parameters=False
        )
        ids = _seed(app, lambda user: {"Authorization": f"Bearer {app.tokens[user]}"})
        yield Fuzzed(schema=schema, tokens=app.tokens, ids=ids)
    finally:
        shutdown_lifespans()
        subprocess.run(
            ["gpgconf", "--homedir", str(data_dir / "gnupg"), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


Operation = APIOperation[Any, Any, Any, Any]


def _operations(schema: BaseSchema) -> list[Operation]:
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(f"the OpenAPI document is not valid: {result.err()}")
        operations.append(result.ok())
    return operations


def _key(operation: Operation) -> tuple[str, str]:
    return operation.method.upper(), operation.path


def test_every_operation_is_fuzzed_but_the_streamed_bodies(fuzzed: Fuzzed) -> None:
    """A new route is fuzzed without anyone adding it here; the exclusions stay real."""
    documented = {_key(operation) for operation in _operations(fuzzed.schema)}
    assert documented >= NOT_FUZZED
    assert len(documented - NOT_FUZZED) >= 40


def _cases(operation: Operation, ids: dict[str, str]) -> st.SearchStrategy[Case[Any]]:
    """Schema-valid and schema-breaking cases, and valid ones on the seeded rows."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = [parameter.name for parameter in operation.path_parameters]
    if names and all(name in ids for name in names):
        seeded = {name: ids[name] for name in names}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=seeded))
    return st.one_of(strategies)


def test_no_operation_answers_a_server_error_or_off_its_schema(fuzzed: Fuzzed) -> None:
    failures: list[str] = []
    for operation in _operations(fuzzed.schema):
        if _key(operation) in NOT_FUZZED:
            continue

        @settings(
            max_examples=EXAMPLES * 2,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_cases(operation, fuzzed.ids), user=st.sampled_from(ROLES))
        def call(case: Case[Any], user: str) -> None:
            case.call_and_validate(headers=fuzzed.auth(user), checks=CHECKS)

        try:
            call()
        except (AssertionError, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
