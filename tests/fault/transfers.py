"""Uploads and downloads over a bare socket, paused where a fault test strikes.

httpx cannot say what a fault did to a transfer: it hides a server that answers before
the body is sent, and a body cut off at a chunk boundary. Here the test holds the
transfer at a byte count of its choosing, injects the fault, lets it go on, and then
reads exactly what came back: a status and headers, or how many body bytes arrived and
whether the body ended as promised or was cut.
"""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.web.portal_client import PDF_HEAD, multipart_body

MIB = 1024 * 1024
_SEND_CHUNK = 256 * 1024


def pdf(size: int, seed: int) -> bytes:
    """A PDF-headed, incompressible document of ``size`` bytes."""
    return PDF_HEAD + random.Random(seed).randbytes(size - len(PDF_HEAD))  # noqa: S311 - test data


@dataclass
class Answer:
    """What came back on a connection: a status and headers, or nothing (``error``)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None


def _read_answer(connection: socket.socket, *, max_body: int = MIB) -> Answer:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return Answer(error="connection closed before an answer")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        length = min(int(headers.get("content-length", "0")), max_body)
        while len(rest) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            rest += chunk
        return Answer(status=int(lines[0].split()[1]), headers=headers, body=rest[:length])
    except OSError as exc:
        return Answer(error=f"{type(exc).__name__}: {exc}")


def _request_head(method: str, path: str, *, host: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class HeldUpload:
    """An upload sent from a thread, held after ``hold_at`` body bytes until :meth:`go`.

    ``hang_up`` instead of :meth:`go` closes the connection there: a client that went away.
    """

    def __init__(
        self,
        base_url: str,
        *,
        case_id: str,
        token: str,
        metadata: dict[str, Any],
        file_name: str,
        content: bytes,
        hold_at: int,
    ) -> None:
        body, content_type = multipart_body(metadata, file_name, content, "application/pdf")
        self._host, port = base_url.removeprefix("http://").split(":")
        self._port = int(port)
        self._head = _request_head(
            "POST",
            f"/api/v1/cases/{case_id}/documents",
            host=self._host,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Content-Length": str(len(body)),
            },
        )
        self._body = body
        self._hold_at = hold_at
        self.held = threading.Event()
        self._released = threading.Event()
        self._hang_up = False
        self.sent = 0
        self.answer: Answer | None = None
        self._thread = threading.Thread(target=self._run, name="held-upload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with socket.create_connection((self._host, self._port)) as connection:
            try:
                connection.sendall(self._head)
                while self.sent < len(self._body):
                    if self.sent >= self._hold_at and not self._released.is_set():
                        self.held.set()
                        self._released.wait()
                        if self._hang_up:
                            connection.close()
                            self.answer = Answer(error="the client hung up")
                            return
                    chunk = self._body[self.sent : self.sent + _SEND_CHUNK]
                    connection.sendall(chunk)
                    self.sent += len(chunk)
            except OSError:
                pass  # the server answered early and closed: read what it said
            self.held.set()
            self.answer = _read_answer(connection)

    def wait_held(self, timeout: float = 60) -> None:
        if not self.held.wait(timeout):
            raise TimeoutError("the upload never reached its hold point")

    def go(self) -> None:
        self._released.set()

    def hang_up(self) -> None:
        self._hang_up = True
        self._released.set()

    def result(self, timeout: float = 60) -> Answer:
        self._thread.join(timeout)
        if self._thread.is_alive() or self.answer is None:
            raise TimeoutError("the upload got no answer")
        return self.answer


@dataclass
class Received:
    """How a download ended, as its client saw it."""

    status: int
    headers: dict[str, str]
    received: int
    ended: str
    """``complete`` (every byte of Content-Length), ``cut`` (the connection ended before
    that), or ``hung up`` (the client itself closed)."""

    @property
    def expected(self) -> int | None:
        length = self.headers.get("content-length")
        return int(length) if length is not None else None


class HeldDownload:
    """A download read after its headers up to ``hold_at`` body bytes, then held until
    :meth:`go` (read on to the end) or :meth:`hang_up` (close the connection)."""

    def __init__(self, base_url: str, *, document_id: str, token: str, purpose: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self._connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive buffer, set before connecting so the window is small from the
        # start: the server cannot run far ahead of the held reader.
        self._connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        self._connection.settimeout(60)
        self._connection.connect((host, int(port)))
        self._connection.sendall(
            _request_head(
                "GET",
                f"/api/v1/documents/{document_id}/content?purpose={purpose}",
                host=host,
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._connection.recv(65536)
            if not chunk:
                raise ConnectionError("the download was closed before its headers")
            data += chunk
        head, _, self._pending = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        self.received = len(self._pending)

    def read_until(self, hold_at: int) -> None:
        while self.received < hold_at:
            chunk = self._connection.recv(65536)
            if not chunk:
                return
            self.received += len(chunk)

    def go(self) -> Received:
        expected = int(self.headers["content-length"])
        ended = "cut"
        try:
            while self.received < expected:
                chunk = self._connection.recv(1024 * 1024)
                if not chunk:
                    break
                self.received += len(chunk)
            else:
                ended = "complete"
        except OSError:
            pass
        self._connection.close()
        return Received(self.status, self.headers, self.received, ended)

    def hang_up(self) -> Received:
        self._connection.close()
        return Received(self.status, self.headers, self.received, "hung up")
