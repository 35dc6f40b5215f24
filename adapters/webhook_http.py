"""Webhooks over HTTP (httpx): POSTing to receivers, and looking host names up.

Every connection to a receiver is checked where it is made: its host is looked up, and the
connection goes to the very addresses the target rules were checked against, never to those of
a second lookup. A name that resolved to a public address when its endpoint was registered may
point into the service's own network by the time of a delivery (DNS rebinding); the check at
registration alone would not see it. Proxies from the environment are not used: through one,
the check would see the proxy's address, not the receiver's."""

from __future__ import annotations

import asyncio
import socket
import typing
from collections.abc import Mapping

import httpcore
import httpx

from core.ports.webhooks import HostResolver, WebhookUnreachable
from core.webhooks.rules import TargetRules, address_allowed

USER_AGENT = "accounts-webhooks/1"


class SystemResolver:
    """The system's resolver (getaddrinfo), as a connection would use it."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds

    async def addresses(self, host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                found = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError, UnicodeError):
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in found))


class _CheckedConnections(httpcore.AsyncNetworkBackend):
    """httpcore's own network backend, connecting only to addresses the rules allow. TLS still
    verifies the certificate against the URL's host name (httpcore takes the server name from
    the URL, not from the address connected to)."""

    def __init__(self, rules: TargetRules, resolver: HostResolver) -> None:
        self._rules = rules
        self._resolver = resolver
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolver.addresses(host)
        if not addresses:
            raise httpcore.ConnectError(f"The host {host} does not resolve.")
        if not all(address_allowed(address, self._rules) for address in addresses):
            raise httpcore.ConnectError(
                f"The host {host} resolves to an address webhooks may not go to."
            )
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Webhooks go over TCP only.")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, on a connection pool that connects through _CheckedConnections."""

    def __init__(self, connections: httpcore.AsyncNetworkBackend) -> None:
        super().__init__(trust_env=False)
        # httpx offers no parameter for the network backend: the same pool it builds, with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=connections,
        )


def webhook_client(rules: TargetRules, timeout_seconds: float) -> httpx.AsyncClient:
    """A client for receivers: each of connect, write, read and pool waits at most
    `timeout_seconds`; redirects are not followed (a 3xx is an answer like another)."""
    connections = _CheckedConnections(rules, SystemResolver(timeout_seconds))
    return httpx.AsyncClient(
        transport=_CheckedTransport(connections),
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": USER_AGENT},
    )


class HttpWebhookSender:
    """POSTs an event to a receiver. The answer's body is not read: only its status counts."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def post(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        request_headers = {**headers, "content-type": "application/json"}
        try:
            async with self._client.stream(
                "POST", url, headers=request_headers, content=body
            ) as response:
                return response.status_code
        except httpx.TimeoutException as error:
            raise WebhookUnreachable(f"No answer in time ({type(error).__name__}).") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # httpx's messages name the error and the host, never a header of the request.
            reason = str(error) or type(error).__name__
            raise WebhookUnreachable(f"No answer: {reason[:300]}") from None
