from __future__ import annotations

import logging
import re
import time
import uuid

import falcon.asgi

from adapters.logs import request_id

access_log = logging.getLogger("api.access")


class RequestContext:
    """Gives every request an id (the caller's X-Request-ID when sane) and logs its outcome."""

    def __init__(self, request_id_pattern: str) -> None:
        self._sane = re.compile(request_id_pattern).fullmatch

    async def process_request(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        given = req.get_header("X-Request-ID")
        rid = given if given and self._sane(given) else uuid.uuid4().hex
        req.context.request_id = rid
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
        access_log.info(
            "request",
            extra={
                "method": req.method,
                "path": req.path,
                "status": resp.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started
                else None,
                "client_ip": req.remote_addr,
            },
        )
