"""A local stand-in for the email reputation API (AbstractAPI's email validation), behaving
by the address's local part: good…, undeliverable…, disposable…, risky…, slow…, quota… (429),
broken… (500), garbage… (bad JSON), flaky… (500 twice, then good); api_key=bad-key gives 401."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import serving_get


def _answer(
    deliverability: str = "DELIVERABLE", valid: bool = True, disposable: bool = False
) -> dict:
    return {
        "deliverability": deliverability,
        "quality_score": "0.90",
        "is_valid_format": {"value": valid, "text": str(valid).upper()},
        "is_free_email": {"value": False, "text": "FALSE"},
        "is_disposable_email": {"value": disposable, "text": str(disposable).upper()},
        "is_role_email": {"value": False, "text": "FALSE"},
        "is_mx_found": {"value": True, "text": "TRUE"},
        "is_smtp_valid": {"value": True, "text": "TRUE"},
    }


class FakeReputationService:
    def __init__(self, slow_seconds: float = 2.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    def calls(self, email: str) -> list[float]:
        with self._lock:
            return [at for address, at in self.requests if address == email]

    def respond(self, api_key: str, email: str) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append((email, time.monotonic()))
            seen = sum(1 for address, _ in self.requests if address == email)
        local = email.split("@")[0]
        if api_key == "bad-key":
            return 401, b'{"error": {"message": "Invalid API key"}}'
        if local.startswith("slow"):
            time.sleep(self.slow_seconds)
            return 200, json.dumps(_answer()).encode()
        if local.startswith("quota"):
            return 429, b'{"error": {"message": "Too many requests"}}'
        if local.startswith("broken") or (local.startswith("flaky") and seen <= 2):
            return 500, b"internal error"
        if local.startswith("garbage"):
            return 200, b"<html>not json{"
        if local.startswith("undeliverable"):
            return 200, json.dumps(_answer("UNDELIVERABLE")).encode()
        if local.startswith("disposable"):
            return 200, json.dumps(_answer(disposable=True)).encode()
        if local.startswith("invalid"):
            return 200, json.dumps(_answer("UNDELIVERABLE", valid=False)).encode()
        if local.startswith("risky"):
            return 200, json.dumps(_answer("RISKY")).encode()
        return 200, json.dumps(_answer()).encode()


@contextmanager
def serving(service: FakeReputationService) -> Iterator[str]:
    def answer(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        query = parse_qs(urlsplit(path).query)
        return service.respond(query.get("api_key", [""])[0], query.get("email", [""])[0])

    with serving_get(answer, "application/json") as base:
        yield f"{base}/v1/"
