"""The simulated users of ``bench_load``: RTO participants signing in, looking, sharing files.

Run by ``bench_load`` as ``locust --headless -f tests/bench/locustfile.py`` with
``LOAD_PLAN`` naming a JSON file that holds the portal processes' base URLs, one account
and API token per simulated user, the cases they are all granted in (in the RTO phase)
and the documents already there. Each user works on one app process, alternately, as a
load balancer would spread them, and mixes:

- **sign-in** through the web pages (password, then a TOTP code; a code is usable once, so
  again only once a new 30 s step has begun), then the start page and a case page;
- **listing**: the case list and a case's documents through the API;
- **uploads** of 1 to 20 MB (each file's bytes differ, so each is a new document);
- **downloads** of any document of the case, read to the end and checked against the
  SHA-256 the upload answered.

Every upload and download carries a W3C ``traceparent`` of its own; each one that ended
well is written to ``LOAD_PLAN``'s ``results`` file when the run stops, so ``bench_load``
can check that the audit trail holds its records (zero audit gaps).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import random
import re
import secrets
import time
from pathlib import Path
from typing import Any

import pyotp
from locust import HttpUser, between, events, task

from portal.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.web.live_api import RTO_UPLOAD
from tests.web.portal_client import PDF_HEAD, multipart_body

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
MB = 1_000_000
# One random block to cut every upload from: generating 20 MB per upload would cost the
# load generator more CPU than the portal it shares the two cores with.
BLOCK = random.Random(7).randbytes(20 * MB)  # noqa: S311 - test data, not a secret
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOTP = pyotp.TOTP(DEMO_TOTP_SECRET)
PURPOSE = "toestandsbeeld"

_accounts = itertools.cycle(sorted(PLAN["accounts"]))
_documents: list[dict[str, Any]] = list(PLAN["documents"])
_completed: list[dict[str, str]] = []


def _traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01", trace_id


class Participant(HttpUser):
    wait_time = between(0.5, 2.0)
    # Each user names its app process in full, so the host is only the default.
    host = PLAN["hosts"][0]

    def on_start(self) -> None:
        self.username = next(_accounts)
        number = int(self.username.rsplit("-", 1)[1])
        self.base = PLAN["hosts"][number % len(PLAN["hosts"])]
        self.bearer = {"Authorization": f"Bearer {PLAN['accounts'][self.username]}"}
        self.last_step = -1
        self.sign_in()

    # --- the web pages -------------------------------------------------------------

    def _csrf(self, path: str, name: str) -> str:
        page = self.client.get(self.base + path, name=name)
        found = CSRF.search(page.text)
        return html.unescape(found.group(1)) if found else ""

    def sign_in(self) -> None:
        step = int(time.time()) // 30
        if step <= self.last_step:
            return
        self.last_step = step
        token = self._csrf("/aanmelden", "GET /aanmelden")
        self.client.post(
            self.base + "/aanmelden",
            data={"username": self.username, "password": DEMO_PASSWORD, "csrf_token": token},
            name="POST /aanmelden (password)",
            allow_redirects=False,
        )
        token = self._csrf("/tweede-factor", "GET /tweede-factor")
        with self.client.post(
            self.base + "/tweede-factor",
            data={"code": TOTP.now(), "csrf_token": token},
            name="POST /tweede-factor (TOTP)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 303 or answer.headers.get("location") != "/":
                answer.failure(f"sign-in ended at {answer.headers.get('location')!r}")

    @task(1)
    def sign_out_and_in(self) -> None:
        if int(time.time()) // 30 <= self.last_step:
            self.pages()
            return
        token = self._csrf("/", "GET / (start page)")
        self.client.post(
            self.base + "/afmelden",
            data={"csrf_token": token},
            name="POST /afmelden",
            allow_redirects=False,
        )
        self.sign_in()

    @task(2)
    def pages(self) -> None:
        self.client.get(self.base + "/", name="GET / (start page)")
        case = random.choice(PLAN["cases"])  # noqa: S311 - load mix, not security
        self.client.get(f"{self.base}/casussen/{case}", name="GET /casussen/{id} (case page)")

    # --- the API ---------------------------------------------------------------------

    @task(4)
    def listing(self) -> None:
        self.client.get(self.base + "/api/v1/cases", headers=self.bearer, name="GET /api/v1/cases")
        case = random.choice(PLAN["cases"])  # noqa: S311 - load mix, not security
        self.client.get(
            f"{self.base}/api/v1/cases/{case}/documents",
            headers=self.bearer,
            name="GET /api/v1/cases/{id}/documents",
        )

    @task(1)
    def upload(self) -> None:
        size = random.randint(1 * MB, 20 * MB)  # noqa: S311 - load mix, not security
        unique = secrets.token_bytes(16)
        content = PDF_HEAD + unique + BLOCK[: size - len(PDF_HEAD) - len(unique)]
        body, content_type = multipart_body(RTO_UPLOAD, "bijdrage.pdf", content, "application/pdf")
        case = random.choice(PLAN["cases"])  # noqa: S311 - load mix, not security
        header, trace_id = _traceparent()
        with self.client.post(
            f"{self.base}/api/v1/cases/{case}/documents",
            data=body,
            headers={**self.bearer, "Content-Type": content_type, "traceparent": header},
            name="POST /api/v1/cases/{id}/documents (1-20 MB)",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            document = answer.json()
            digest = hashlib.sha256(content).hexdigest()
            if document["sha256"] != digest or document["size"] != size:
                answer.failure("the answered digest or size differs from what was sent")
                return
        _documents.append({"id": document["id"], "sha256": digest, "size": size})
        _completed.append({"kind": "upload", "trace_id": trace_id, "document_id": document["id"]})

    @task(3)
    def download(self) -> None:
        document = random.choice(_documents)  # noqa: S311 - load mix, not security
        header, trace_id = _traceparent()
        with self.client.get(
            f"{self.base}/api/v1/documents/{document['id']}/content",
            params={"purpose": PURPOSE},
            headers={**self.bearer, "traceparent": header},
            name="GET /api/v1/documents/{id}/content",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            if hashlib.sha256(answer.content).hexdigest() != document["sha256"]:
                answer.failure("the body's digest differs from the upload's")
                return
        _completed.append({"kind": "download", "trace_id": trace_id, "document_id": document["id"]})


def _write_results(**_: Any) -> None:
    Path(PLAN["results"]).write_text(json.dumps(_completed))


events.quitting.add_listener(_write_results)  # type: ignore[no-untyped-call]
