"""The bare baseline for GET /api/v1/users: one Falcon ASGI responder doing the same work with
no layers: verify the RS256 JWT (joserfc), the two limiter checks (the same Lua script on
Redis), one SELECT by id through a psycopg pool. Run it like the web process:

    uvicorn --factory ops.bench.baseline:create --port 8100
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import falcon
import falcon.asgi
import orjson
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from adapters.ratelimit import SLIDING_WINDOW
from adapters.tokens import load_keys


class Profile:
    def __init__(self) -> None:
        keys = load_keys(Path(os.environ.get("JWT_KEY_DIR", ".keys")))
        self.keys = KeySet(list(keys))
        self.registry = JWSRegistry(algorithms=["RS256"])
        self.claims = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": os.environ.get("JWT_ISSUER", "accounts")},
            aud={"essential": True, "value": os.environ.get("JWT_AUDIENCE", "accounts-api")},
        )
        self.redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        self.script = self.redis.register_script(SLIDING_WINDOW)
        dsn = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        self.pool = AsyncConnectionPool(dsn, min_size=10, max_size=10, open=False)

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if not self.pool._opened:
            await self.pool.open()
        token = (req.auth or "").partition(" ")[2]
        try:
            decoded = jwt.decode(token, self.keys, registry=self.registry)
            self.claims.validate(decoded.claims)
            user_id = uuid.UUID(decoded.claims["sub"])
        except Exception:
            raise falcon.HTTPUnauthorized() from None
        now = int(time.time() * 1000)
        for key in (f"bl:ip:{req.remote_addr}", f"bl:user:{user_id}"):
            reply = await self.script(
                keys=[key], args=[now, f"{now}:{uuid.uuid4().hex[:8]}", 60000, 1_000_000_000]
            )
            allowed = reply[0]
            if not allowed:
                raise falcon.HTTPTooManyRequests()
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, username, email, email_verified, email_status, created_at, updated_at"
                " FROM users WHERE id = %s",
                (user_id,),
            )
            row = await cur.fetchone()
        if row is None:
            raise falcon.HTTPUnauthorized()
        resp.data = orjson.dumps(
            dict(
                zip(
                    (
                        "id",
                        "username",
                        "email",
                        "email_verified",
                        "email_status",
                        "created_at",
                        "updated_at",
                    ),
                    row,
                    strict=True,
                )
            )
        )
        resp.content_type = "application/json"


def create() -> falcon.asgi.App:  # type: ignore[type-arg]
    app = falcon.asgi.App()
    app.add_route("/api/v1/users", Profile())
    return app
