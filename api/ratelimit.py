"""Per-IP and per-user rate limits, declared on each resource as `rate_limit_group`."""

from __future__ import annotations

import logging

import falcon.asgi
from prometheus_client import Counter

from api.problems import Problem
from core.domain import RateLimit
from core.ports import Admission, RateLimiter

log = logging.getLogger("api.ratelimit")

REJECTIONS = Counter(
    "rate_limit_rejections_total", "Requests refused with 429.", ["group", "scope"]
)


class RateLimiting:
    """Counts each request against its client IP (per route group) and, once authenticated,
    against its user. Sets RateLimit-* headers from the tighter of the two; refuses with 429."""

    def __init__(
        self,
        limiter: RateLimiter,
        per_ip: dict[str, RateLimit],
        per_user: RateLimit | None,
    ) -> None:
        self._limiter = limiter
        self._per_ip = per_ip
        self._per_user = per_user

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
        ip = req.context.client_ip
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
