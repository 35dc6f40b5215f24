from __future__ import annotations

import logging
import re
import time
import uuid

import falcon.asgi
from falcon.asgi import Request, Response
from prometheus_client import Counter, Histogram

from adapters.logs import request_id
from api.client_ip import Network, client_ip

access_log = logging.getLogger("api.access")

REQUESTS = Counter("http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# Label sets remembered per process, at most (methods are whatever clients send).
KNOWN_SERIES = 1024


class RequestContext:
    """Gives every request an id (the caller's X-Request-ID when sane) and logs its outcome."""

    def __init__(self, request_id_pattern: str, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self._sane = re.compile(request_id_pattern).fullmatch
        self._trusted = trusted_proxies
        # The labelled metrics of each (method, route, status) seen, looked up once: finding
        # them by their labels costs as much as counting.
        self._known: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        given = req.get_header("X-Request-ID")
        rid = given if given and self._sane(given) else uuid.uuid4().hex
        req.context.request_id = rid
        req.context.client_ip = client_ip(
            req.remote_addr, req.get_header("X-Forwarded-For"), self._trusted
        )
        req.context.started = time.perf_counter()
        request_id.set(rid)

    async def process_response(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        req_succeeded: bool,
    ) -> None:
        rid = getattr(req.context, "request_id", None)
        if rid is None:  # the request failed before our process_request ran
            rid = uuid.uuid4().hex
            req.context.request_id = rid
        resp.set_header("X-Request-ID", rid)
        started = getattr(req.context, "started", None)
        elapsed = time.perf_counter() - started if started else 0.0
        # The route template, not the path, so that labels stay few.
        route = req.uri_template or "unmatched"
        counter, histogram = self._series(req.method, route, resp.status_code)
        counter.inc()
        histogram.observe(elapsed)
        access_log.info(
            "request",
            extra={
                "method": req.method,
                "path": req.path,
                "status": resp.status_code,
                "duration_ms": round(elapsed * 1000, 2),
                "client_ip": getattr(req.context, "client_ip", req.remote_addr),
            },
        )

    def _series(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        key = (method, route, status)
        series = self._known.get(key)
        if series is None:
            series = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
            if len(self._known) < KNOWN_SERIES:
                self._known[key] = series
        return series


class SecurityHeaders:
    """Headers every response carries, errors included: browsers must not guess a media type
    other than the one sent, and nothing under /api/ (account data, tokens, and errors that
    echo what a user sent) may be kept by a browser or a shared cache."""

    async def process_response(self, req: Request, resp: Response, *_: object) -> None:
        resp.set_header("X-Content-Type-Options", "nosniff")
        if req.path.startswith("/api/"):
            resp.set_header("Cache-Control", "no-store")
