"""Per-IP and per-user rate limits, declared on each resource as `rate_limit_group`."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

import falcon.asgi
from prometheus_client import Counter

from api.problems import Problem
from core.domain import RateLimit
from core.ports import Admission, RateLimiter

log = logging.getLogger("api.ratelimit")

REJECTIONS = Counter(
    "rate_limit_rejections_total", "Requests refused with 429.", ["group", "scope"]
)

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


class RateLimiting:
    """Counts each request against its client IP (per route group) and, once authenticated,
    against its user. Sets RateLimit-* headers from the tighter of the two; refuses with 429."""

    def __init__(
        self,
        limiter: RateLimiter,
        per_ip: dict[str, RateLimit],
        per_user: RateLimit | None,
        trusted_proxies: tuple[Network, ...] = (),
    ) -> None:
        self._limiter = limiter
        self._per_ip = per_ip
        self._per_user = per_user
        self._trusted = trusted_proxies

    async def process_resource(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        params: dict[str, object],
    ) -> None:
        group = getattr(resource, "rate_limit_group", None)
        if group is None or group not in self._per_ip:
            return
        ip = client_ip(req.remote_addr, req.get_header("X-Forwarded-For"), self._trusted)
        checks = [("ip", f"ip:{group}:{ip}", self._per_ip[group])]
        user_id = getattr(req.context, "user_id", None)
        if user_id is not None and self._per_user is not None:
            checks.append(("user", f"user:{user_id}", self._per_user))
        # One round trip, all or nothing: a refused request is counted in no window.
        admissions = await self._limiter.acquire_all([(key, rate) for _, key, rate in checks])
        for (scope, _, _), admission in zip(checks, admissions, strict=True):
            if not admission.allowed:
                REJECTIONS.labels(group=group, scope=scope).inc()
                headers = _headers(admission)
                headers["Retry-After"] = str(max(1, admission.reset_seconds))
                raise Problem(
                    429,
                    f"Too many requests from this {'address' if scope == 'ip' else 'account'}; "
                    f"retry in {headers['Retry-After']} s.",
                    headers=headers,
                )
        resp.set_headers(_headers(min(admissions, key=lambda a: a.remaining)))


def _headers(admission: Admission) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(admission.limit),
        "RateLimit-Remaining": str(admission.remaining),
        "RateLimit-Reset": str(admission.reset_seconds),
    }
