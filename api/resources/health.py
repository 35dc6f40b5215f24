from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

import falcon.asgi

from adapters.health import Readiness
from api.openapi import Operations, problem
from api.problems import Problem

log = logging.getLogger("api.health")


class Health:
    """/healthz: the process is alive and serving."""

    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["operations"],
            "summary": "Liveness",
            "operationId": "healthz",
            "responses": {"200": {"description": "Alive"}},
        }
    }

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"status": "ok"}


class Ready:
    """/readyz: every service the API needs answers within the readiness timeout."""

    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["operations"],
            "summary": "Readiness of Postgres, Redis, Kafka",
            "operationId": "readyz",
            "responses": {
                "200": {"description": "Ready"},
                "503": problem("A dependency is unreachable"),
            },
        }
    }

    def __init__(self, readiness: Readiness) -> None:
        self._readiness = readiness

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        names = list(self._readiness.probes)
        results = await asyncio.gather(
            *(self._check(name) for name in names), return_exceptions=False
        )
        down = [name for name, ok in zip(names, results, strict=True) if not ok]
        if down:
            raise Problem(
                503,
                f"Not ready: {', '.join(down)} unreachable.",
                errors={name: ["unreachable"] for name in down},
                headers={"Retry-After": "5"},
            )
        resp.media = {"status": "ready", "checks": {name: "ok" for name in names}}

    async def _check(self, name: str) -> bool:
        try:
            async with asyncio.timeout(self._readiness.timeout_seconds):
                await self._readiness.probes[name]()
            return True
        except Exception as error:
            log.warning("readiness probe failed", extra={"service": name, "error": repr(error)})
            return False
