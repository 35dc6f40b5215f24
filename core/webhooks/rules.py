"""What an endpoint may be: the URL rules and the event types, checked when an endpoint is
registered or changed; and the address rule, checked again on every connection to a receiver
(a name may resolve elsewhere by then)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.domain import InvalidInput
from core.ports.webhooks import HostResolver
from core.public_events import PUBLIC_EVENT_TYPES

MAX_URL_LENGTH = 2048
MAX_EVENT_TYPES = 32

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class TargetRules:
    """Where webhooks may go. Both are off in production: a webhook is a request the service
    makes on an administrator's behalf, and must not reach into its own network (SSRF)."""

    allow_http: bool = False
    """Plain http:// URLs too (local development and tests)."""
    allow_private: bool = False
    """Private, loopback, link-local and other non-public addresses too."""


def url_problem(url: str, rules: TargetRules) -> str | None:
    """What keeps `url` from being a webhook target, before anyone looks its host up."""
    if len(url) > MAX_URL_LENGTH:
        return f"Must be at most {MAX_URL_LENGTH} characters."
    if any(char.isspace() or not char.isprintable() for char in url):
        return "Must not contain spaces or control characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        return "Not a URL."
    schemes = ("https", "http") if rules.allow_http else ("https",)
    if parts.scheme.lower() not in schemes:
        return "Must be an https:// URL." if not rules.allow_http else "Must be an http(s):// URL."
    if "@" in parts.netloc:
        return "Must not carry credentials (user:password@): the signature authenticates."
    if not parts.hostname:
        return "Must name a host."
    return None


def address_allowed(address: str, rules: TargetRules) -> bool:
    """Whether a receiver at `address` (an IP address) may be connected to: a globally
    reachable unicast address, or any with `allow_private`. IPv4 addresses carried inside IPv6
    (mapped, 6to4, NAT64) are judged as themselves."""
    if rules.allow_private:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


async def check_target(url: str, rules: TargetRules, resolver: HostResolver) -> None:
    """InvalidInput (on `url`) unless `url` follows the rules and every address its host
    resolves to may be connected to."""
    problem = url_problem(url, rules)
    if problem is None and not rules.allow_private:
        host = urlsplit(url).hostname or ""
        addresses = await resolver.addresses(host)
        if not addresses:
            problem = f"The host {host} does not resolve."
        elif not all(address_allowed(address, rules) for address in addresses):
            problem = (
                f"The host {host} resolves to a private, loopback or link-local address: "
                "webhooks go to public addresses only."
            )
    if problem is not None:
        raise InvalidInput({"url": [problem]})


def checked_event_types(event_types: Iterable[str]) -> tuple[str, ...]:
    """The event types, each once, in the order given; InvalidInput naming those that are not
    types of the public topic's events."""
    chosen = tuple(dict.fromkeys(event_types))
    unknown = [name for name in chosen if name not in PUBLIC_EVENT_TYPES]
    if unknown:
        known = ", ".join(PUBLIC_EVENT_TYPES)
        raise InvalidInput(
            {"event_types": [f"Unknown event type: {name}. Known: {known}." for name in unknown]}
        )
    if not chosen:
        raise InvalidInput({"event_types": ["Name at least one event type."]})
    if len(chosen) > MAX_EVENT_TYPES:
        raise InvalidInput({"event_types": [f"At most {MAX_EVENT_TYPES} event types."]})
    return chosen
