"""The end-of-session scan for justifications and reasons in server logs (issue #9).

It fails the run when a marked text is in any kept log, and when it could not have seen
one: secrets sent but no log kept, or a portal log without access lines.
"""

from __future__ import annotations

from pathlib import Path

from tests.servers.logs import SECRET_MARKER, ServerLogs, scan_logs

ACCESS = b'INFO:     127.0.0.1:50412 - "GET /health/ready HTTP/1.1" 200 OK\n'


def _log(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def test_a_justification_in_an_access_line_is_found_with_its_place(tmp_path: Path) -> None:
    # Not secret(): that counts toward this session's own scan, which has no server here.
    leaked = f"{SECRET_MARKER}in-de-url-5c1f"
    log = _log(
        tmp_path / "001-portal.log",
        ACCESS,
        f'INFO:     127.0.0.1:50413 - "GET /api/v1/documents/x/content?purpose=screening'
        f'&justification={leaked} HTTP/1.1" 400 Bad Request\n'.encode(),
    )
    scan = scan_logs([log], secrets_sent=1)
    assert not scan.clean
    assert [(f.log, f.line) for f in scan.findings] == [(log, 2)]
    assert leaked in scan.findings[0].excerpt


def test_a_reason_in_a_postgres_error_detail_is_found(tmp_path: Path) -> None:
    log = _log(
        tmp_path / "002-postgres.log",
        b'ERROR:  invalid byte sequence for encoding "UTF8": 0x00\n',
        f"DETAIL:  Failing row contains ({SECRET_MARKER}intrekking-1a2b).\n".encode(),
        b"\xff\xfe not even UTF-8\n",
    )
    assert [f.line for f in scan_logs([log], secrets_sent=1).findings] == [2]


def test_logs_without_a_marker_are_clean(tmp_path: Path) -> None:
    logs = [
        _log(tmp_path / "001-portal.log", ACCESS),
        _log(tmp_path / "002-postgres.log", b"LOG:  database system is ready\n"),
    ]
    assert scan_logs(logs, secrets_sent=3).clean


def test_secrets_sent_with_no_log_kept_fail_the_scan() -> None:
    scan = scan_logs([], secrets_sent=2)
    assert not scan.clean
    assert not scan.findings
    assert scan.problems


def test_the_portals_own_access_line_counts_as_one(tmp_path: Path) -> None:
    log = _log(
        tmp_path / "001-portal.log",
        b"2026-12-01 21:54:10,001 INFO portal.access: GET /health/ready 200 0.4 ms 127.0.0.1\n",
    )
    assert scan_logs([log], secrets_sent=1).clean


def test_a_portal_log_without_access_lines_fails_the_scan(tmp_path: Path) -> None:
    log = _log(tmp_path / "001-portal.log", b"WARNING portal: started\n")
    assert scan_logs([log], secrets_sent=0).problems


def test_a_kept_log_outlives_its_server_directory(tmp_path: Path) -> None:
    keeper = ServerLogs()
    server_dir = tmp_path / "server"
    server_dir.mkdir()
    log = _log(server_dir / "server.log", ACCESS, f"{SECRET_MARKER}x\n".encode())
    keeper.keep("portal", log)
    log.unlink()
    try:
        assert [path.name for path in keeper.kept()] == ["001-portal.log"]
        assert [f.line for f in keeper.scan().findings] == [2]
    finally:
        keeper.discard()
