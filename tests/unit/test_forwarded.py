"""X-Forwarded-* are believed only from a trusted proxy, read from the right (issue #12)."""

from __future__ import annotations

import pytest

from portal.web.forwarded import Origin, TrustedProxies, origin

PROXIES = TrustedProxies(["10.0.0.1", "10.1.0.0/16"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "forwarded_proto", "expected"),
    [
        pytest.param(
            "203.0.113.7",
            "1.2.3.4",
            "https",
            Origin(client_address="203.0.113.7", scheme="http"),
            id="untrusted peer: headers ignored",
        ),
        pytest.param(
            None,
            "1.2.3.4",
            "https",
            Origin(client_address=None, scheme="http"),
            id="no peer at all",
        ),
        pytest.param(
            "10.0.0.1",
            None,
            None,
            Origin(client_address="10.0.0.1", scheme="http"),
            id="trusted proxy without headers",
        ),
        pytest.param(
            "10.0.0.1",
            "198.51.100.20",
            "https",
            Origin(client_address="198.51.100.20", scheme="https"),
            id="one trusted hop",
        ),
        pytest.param(
            "10.0.0.1",
            "6.6.6.6, 198.51.100.20, 10.1.2.3",
            "http, https",
            Origin(client_address="198.51.100.20", scheme="https"),
            id="a forged left part is skipped",
        ),
        pytest.param(
            "10.0.0.1",
            "10.1.2.3",
            "gopher",
            Origin(client_address="10.1.2.3", scheme="http"),
            id="only proxies; an odd scheme is ignored",
        ),
        pytest.param(
            "10.0.0.1",
            "not-an-ip",
            None,
            Origin(client_address="not-an-ip", scheme="http"),
            id="garbage is not a proxy",
        ),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    peer: str | None, forwarded_for: str | None, forwarded_proto: str | None, expected: Origin
) -> None:
    seen = origin(
        peer=peer,
        scheme="http",
        forwarded_for=forwarded_for,
        forwarded_proto=forwarded_proto,
        trusted=PROXIES,
    )
    assert seen == expected
