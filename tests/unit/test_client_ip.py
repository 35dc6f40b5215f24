"""Which address a request is counted against, behind zero or more trusted proxies."""

from __future__ import annotations

import pytest

from api.client_ip import client_ip, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "127.0.0.1"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "expected"),
    [
        # No trusted proxies: the socket peer, whatever the header claims.
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),
        # An untrusted peer cannot speak for anyone else.
        ("203.0.113.9", "198.51.100.1", PROXIES, "203.0.113.9"),
        # A trusted proxy: the address it saw.
        ("10.0.0.2", "198.51.100.1", PROXIES, "198.51.100.1"),
        # The client forged the left part; the right-most untrusted hop is the real one.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", PROXIES, "198.51.100.1"),
        # Through two trusted proxies.
        ("127.0.0.1", "198.51.100.1, 10.1.1.1", PROXIES, "198.51.100.1"),
        # Only proxies in the chain: the farthest one.
        ("127.0.0.1", "10.1.1.1", PROXIES, "10.1.1.1"),
        # A trusted proxy without the header.
        ("10.0.0.2", None, PROXIES, "10.0.0.2"),
        # Garbage written behind a trusted hop: stop at the last proxy we trust.
        ("10.0.0.2", "198.51.100.1, not-an-ip", PROXIES, "10.0.0.2"),
        # IPv6 clients.
        ("10.0.0.2", "2001:db8::1", PROXIES, "2001:db8::1"),
    ],
)
def test_client_ip(peer: str, forwarded_for: str | None, trusted: tuple, expected: str) -> None:
    assert client_ip(peer, forwarded_for, trusted) == expected
