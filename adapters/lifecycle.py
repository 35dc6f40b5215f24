"""What a process closes when it stops."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Lifecycle:
    """Closers registered by the providers that opened something (pools, clients, threads), run
    in order when the process stops."""

    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in self.closers:
            await close()
