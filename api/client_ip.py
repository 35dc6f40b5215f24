"""Which address a request comes from, behind trusted reverse proxies or not."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def client_ip(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The socket peer, unless it is a trusted proxy: then the right-most address of
    X-Forwarded-For that is not a trusted proxy (the left part can be forged by the client)."""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        if not _is_ip(hop):
            # A trusted proxy wrote something that is no address: trust the last proxy we know.
            return nearest
        if not _is_trusted(hop, trusted):
            return hop
        nearest = hop
    return nearest


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
