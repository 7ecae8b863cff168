"""Who the client is and whether it came over TLS, believing a proxy only if trusted.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are plain request headers: any client can
send them. Believed from anyone, they would let a caller choose the network address in
its own audit records and dodge the refused-token throttle by inventing a new address
per request. So they count only when the connection itself comes from an address in
``PORTAL_TRUSTED_PROXIES``, and then ``X-Forwarded-For`` is read from the right: the
first address that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, kw_only=True)
class Origin:
    client_address: str | None
    scheme: str


class TrustedProxies:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/24``); raises ``ValueError``."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries
        )

    def trust(self, address: str | None) -> bool:
        if address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def origin(
    *,
    peer: str | None,
    scheme: str,
    forwarded_for: str | None,
    forwarded_proto: str | None,
    trusted: TrustedProxies,
) -> Origin:
    if not trusted.trust(peer):
        return Origin(client_address=peer, scheme=scheme)
    client = peer
    for hop in reversed([h.strip() for h in (forwarded_for or "").split(",") if h.strip()]):
        client = hop[:64]
        if not trusted.trust(hop):
            break
    proto = (forwarded_proto or "").split(",")[-1].strip().lower()
    return Origin(client_address=client, scheme=proto if proto in {"http", "https"} else scheme)


NO_PROXIES = TrustedProxies()
