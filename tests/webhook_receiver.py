"""A webhook receiver for tests, on 127.0.0.1: it records every request (path, headers, body)
and answers each path with the status a test sets (204 by default); it can be stopped and
started again on the same port, to be down for a while. And the README's verification
function, read from the README itself, as a receiver would copy it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT
from tests.processes import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    """By lower-case name."""
    body: bytes
    at: float
    answered: int


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    statuses: dict[str, int] = field(default_factory=dict)
    """The status each path answers (204 for others)."""
    delays: dict[str, float] = field(default_factory=dict)
    """Seconds each path waits before it answers (none for others)."""
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.path == path]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.statuses.get(self.path, 204)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, headers, body, time.time(), status)
                    )
                time.sleep(receiver.delays.get(self.path, 0))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: connections to the port are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


def readme_verify() -> Callable[..., bool]:
    """`verify(secret, headers, body, tolerance=300)` as the README's Webhooks section prints it."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Webhooks") :]
    (code,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", section, re.DOTALL)
        if "def verify(" in block
    ][:1]
    scope: dict[str, object] = {}
    exec(code, scope)
    verify = scope["verify"]
    assert callable(verify)
    return verify  # type: ignore[no-any-return]
