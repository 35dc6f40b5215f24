"""One Redis connection that every request of a process shares, pipelined: each command is
written as it comes and the replies are matched to the commands in the order they were sent.

What it saves on the hottest path (the rate limit of every request), against redis-py's
asyncio client: no pool to take a connection from and give it back to, no retry and command
wrappers, one reply parser fed straight from the socket, and, under load, one read for many
replies. A quarter to a third of redis-py's CPU per call (ops/bench/limiter.py).
It speaks plain TCP or a Unix socket, with AUTH and SELECT from the URL; `supports` says
whether a URL needs more (TLS, socket options), in which case callers keep redis-py.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import Sequence
from typing import cast

import hiredis
from redis.asyncio.connection import parse_url
from redis.exceptions import ConnectionError, NoScriptError, ResponseError

_PLAIN_OPTIONS = {"host", "port", "path", "db", "username", "password"}


def supports(url: str) -> bool:
    """True for redis:// and unix:// URLs without options beyond the address, db and AUTH."""
    options = parse_url(url)
    connection_class = options.get("connection_class")
    return set(options) - {"connection_class"} <= _PLAIN_OPTIONS and (
        connection_class is None or connection_class.__name__ == "UnixDomainSocketConnection"
    )


def _command(args: Sequence[str | int | bytes]) -> bytes:
    """RESP: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class _Connection(asyncio.Protocol):
    def __init__(self, stale_after: float) -> None:
        self._reader = hiredis.Reader()
        self._waiting: deque[tuple[asyncio.Future[object], float]] = deque()
        self._stale_after = stale_after
        self._transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are no subclasses of asyncio's: no isinstance check here.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while True:
            try:
                reply = self._reader.gets()
            except hiredis.ProtocolError as error:
                self._abort(ConnectionError(f"Redis protocol error: {error}"))
                return
            if reply is False:
                return
            future, _ = self._waiting.popleft()
            if future.done():  # its caller gave up waiting (a timeout): the reply is dropped
                continue
            if isinstance(reply, hiredis.ReplyError):
                message = str(reply)
                kind = NoScriptError if message.startswith("NOSCRIPT") else ResponseError
                future.set_exception(kind(message))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(ConnectionError(f"Redis connection lost: {exc!r}"))

    def usable(self) -> bool:
        if self.closed:
            return False
        if self._waiting and time.monotonic() - self._waiting[0][1] > self._stale_after:
            # Replies stopped coming (a hung server, or a peer gone without a word): start
            # over on a new connection rather than queue behind them for ever.
            self._abort(ConnectionError("Redis stopped answering"))
            return False
        return True

    def send(self, command: bytes) -> asyncio.Future[object]:
        if self.closed or self._transport is None:
            raise ConnectionError("Redis connection closed")
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((future, time.monotonic()))
        self._transport.write(command)
        return future

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _abort(self, error: Exception) -> None:
        if self._transport is not None:
            self._transport.abort()
        self.connection_lost(error)


class PipelinedRedis:
    """Connects on first use (in the serving event loop) and again after the connection breaks;
    callers bound each call with their own timeout. `stale_after`: seconds without the oldest
    reply after which the connection is given up."""

    def __init__(self, url: str, stale_after: float = 2.0) -> None:
        if not supports(url):
            raise ValueError("PipelinedRedis speaks plain TCP or a Unix socket only")
        self._options = parse_url(url)
        self._stale_after = stale_after
        self._connection: _Connection | None = None
        self._connecting = asyncio.Lock()

    async def execute(self, *args: str | int | bytes) -> object:
        connection = self._connection
        if connection is None or not connection.usable():
            connection = await self._connect()
        return await connection.send(_command(args))

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _connect(self) -> _Connection:
        async with self._connecting:  # one attempt at a time, whoever else is waiting
            if self._connection is not None and self._connection.usable():
                return self._connection
            loop = asyncio.get_running_loop()
            options = self._options

            def protocol() -> _Connection:
                return _Connection(self._stale_after)

            if "path" in options:
                _, connection = await loop.create_unix_connection(protocol, options["path"])
            else:
                host, port = options.get("host", "localhost"), options.get("port", 6379)
                _, connection = await loop.create_connection(protocol, host, port)
            try:
                if options.get("password"):
                    user = [options["username"]] if options.get("username") else []
                    await connection.send(_command(["AUTH", *user, options["password"]]))
                if options.get("db"):
                    await connection.send(_command(["SELECT", options["db"]]))
            except BaseException:
                connection.close()
                raise
            self._connection = connection
            return connection


class PipelinedScript:
    """A Lua script run with EVALSHA on a PipelinedRedis; sent whole (EVAL, which also caches
    it) when the server does not have it yet. Called like redis-py's registered scripts."""

    def __init__(self, redis: PipelinedRedis, script: str) -> None:
        self._redis = redis
        self._script = script
        self._sha = hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys: Sequence[str], args: Sequence[str | int]) -> object:
        try:
            return await self._redis.execute("EVALSHA", self._sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self._redis.execute("EVAL", self._script, len(keys), *keys, *args)
