"""When each mail reaches MailDev, to the millisecond, read from its socket.io feed.

MailDev's own `time` of a mail is the mail's Date header, which has whole seconds only: fine for
a 5 s latency, too coarse for a 1 s one. MailDev announces every mail it accepts on socket.io
(`newMail`); this listens there (Engine.IO 4 over a WebSocket) in a thread of its own, so that
the benchmark's load does not delay the clock reading.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict

import websockets

FEED = "ws://127.0.0.1:1080/socket.io/?EIO=4&transport=websocket"


class MailArrivals:
    """(subject, arrival time) by recipient address, every arrival kept (a duplicate shows as
    two)."""

    def __init__(self) -> None:
        self.mails: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)

    def __enter__(self) -> MailArrivals:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"cannot follow MailDev at {FEED}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    async def _listen(self) -> None:
        async with websockets.connect(FEED, max_size=None) as feed:
            await feed.recv()  # the Engine.IO handshake
            await feed.send("40")  # join the default namespace
            await feed.recv()
            self._ready.set()
            while not self._stop.is_set():
                try:
                    packet = await asyncio.wait_for(feed.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                arrived = time.time()
                if packet == "2":  # Engine.IO ping
                    await feed.send("3")
                elif isinstance(packet, str) and packet.startswith("42"):
                    name, mail = json.loads(packet[2:])[:2]
                    if name == "newMail":
                        for to in mail["to"]:
                            self.mails[to["address"]].append((mail["subject"], arrived))
