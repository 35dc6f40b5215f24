"""The whole system (web, relay, consumer) started from the Procfile against the real services,
on a Kafka topic and consumer group of its own, and MailDev read through its REST API."""

from __future__ import annotations

import concurrent.futures
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from adapters.settings import Settings
from tests.processes import (
    Process,
    environment,
    free_port,
    key_files,
    wait_for_http,
    wait_until,
)

MAILDEV = "http://127.0.0.1:1080"


class MailDev:
    def url(self, mail: dict, page: str) -> str:
        """The link to `page` in a mail."""
        for word in mail["text"].split():
            if f"/{page}?token=" in word:
                return word
        raise AssertionError(f"no /{page} link in {mail['subject']!r}")

    def link(self, mail: dict, page: str) -> str:
        """The token of the link to `page` in a mail, as a person clicking it would send it."""
        return parse_qs(urlsplit(self.url(mail, page)).query)["token"][0]

    def html_view(self, mail: dict) -> str:
        """Where MailDev shows the mail as its recipient sees it, links and all."""
        return f"{MAILDEV}/api/email/{mail['id']}/html"

    def messages(self) -> list[dict]:
        response = httpx.get(f"{MAILDEV}/api/email", timeout=5)
        response.raise_for_status()
        return response.json()

    def to(self, address: str, subject: str | None = None) -> list[dict]:
        return [
            m
            for m in self.messages()
            if any(t["address"] == address for t in m["to"])
            and (subject is None or m["subject"] == subject)
        ]

    def wait_for(
        self, address: str, subject: str, count: int = 1, timeout: float = 30
    ) -> list[dict]:
        return wait_until(
            lambda: (found := self.to(address, subject)) and len(found) >= count and found,
            timeout,
            f"{count} mail(s) '{subject}' to {address}",
            interval=0.3,
        )


@dataclass
class System:
    base: str
    web_metrics: str
    consumer_metrics: str
    relay_metrics: str
    """The first consumer's and the first relay's metrics."""
    topic: str
    public_topic: str
    web: Process
    relays: list[Process]
    consumers: list[Process]
    mail: MailDev

    @property
    def relay(self) -> Process:
        return self.relays[0]

    @property
    def consumer(self) -> Process:
        return self.consumers[0]

    @property
    def processes(self) -> tuple[Process, ...]:
        return (self.web, *self.relays, *self.consumers)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=15)

    def register(self, client: httpx.Client, name: str) -> httpx.Response:
        return client.post(
            "/api/v1/users",
            json={"username": name, "email": f"{name}@example.com", "password": "system-pass"},
        )


@contextmanager
def running_system(
    settings: Settings, logs: Path, *, relays: int = 1, consumers: int = 1, **more_env: str
) -> Iterator[System]:
    """web, `relays` relay and `consumers` consumer processes (one group) as the Procfile starts
    them, each with its own log and metrics port, with test settings (and `more_env` on top)."""
    run = uuid.uuid4().hex[:8]
    port = free_port()
    web_metrics_port = free_port()
    consumer_ports = [free_port() for _ in range(consumers)]
    relay_ports = [free_port() for _ in range(relays)]
    topic = f"email_notifications_test_{run}"
    public_topic = f"accounts.events.test_{run}"
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        **key_files(settings),
        WEB_PORT=str(port),
        # The links in mails open this web process's pages.
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        EVENTS_TOPIC=topic,
        PUBLIC_EVENTS_TOPIC=public_topic,
        MAIL_CONSUMER_GROUP=f"mailer_test_{run}",
        WEBHOOK_CONSUMER_GROUP=f"webhooks_test_{run}",
        RATE_LIMIT_USERS_PER_IP="100000/60",
        RATE_LIMIT_TOKEN_PER_IP="100000/60",
        RATE_LIMIT_PAGES_PER_IP="100000/60",
        MAIL_RETRY_SECONDS="0.2",
        MAIL_MAX_BACKOFF_SECONDS="2",
        RELAY_POLL_SECONDS="0.1",
        WEB_METRICS_PORT=str(web_metrics_port),
        RELAY_PUBLISH_TIMEOUT_SECONDS="3",
        **more_env,
    )
    system = System(
        base=f"http://127.0.0.1:{port}",
        web_metrics=f"http://127.0.0.1:{web_metrics_port}/metrics",
        consumer_metrics=f"http://127.0.0.1:{consumer_ports[0]}/metrics",
        relay_metrics=f"http://127.0.0.1:{relay_ports[0]}/metrics",
        topic=topic,
        public_topic=public_topic,
        web=Process("web", env, logs / "web.log"),
        relays=[
            Process("relay", {**env, "RELAY_METRICS_PORT": str(port)}, logs / f"relay{n or ''}.log")
            for n, port in enumerate(relay_ports)
        ],
        consumers=[
            Process(
                "consumer",
                {**env, "CONSUMER_METRICS_PORT": str(metrics_port)},
                logs / f"consumer{n or ''}.log",
            )
            for n, metrics_port in enumerate(consumer_ports)
        ],
        mail=MailDev(),
    )
    try:
        for process in system.processes:
            process.start()
        wait_for_http(system.base, system.web)
        for consumer in system.consumers:
            wait_until(lambda c=consumer: "started successfully" in c.output(), 60, "consumer")
        for relay in system.relays:
            wait_until(lambda r=relay: "connected to kafka" in r.output(), 60, "relay")
        yield system
    finally:
        for process in system.processes:
            process.stop()


def unique_names(count: int) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"f{run}_{i}" for i in range(count)]


def register_all(system: System, names: list[str]) -> list[int]:
    def one(name: str) -> int:
        with system.client() as client:
            return system.register(client, name).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, names))


def welcomes_exactly_once(
    system: System, names: list[str], timeout: float, in_flight: int = 0
) -> None:
    """Every user gets a welcome; none gets two, except at most `in_flight` events that were
    between "accepted by SMTP" and "recorded as sent" when the consumer died."""

    def all_arrived() -> bool:
        messages = system.mail.messages()
        counts = {name: 0 for name in names}
        for message in messages:
            for to in message["to"]:
                name = to["address"].split("@")[0]
                if name in counts and message["subject"] == f"Welcome, {name}":
                    counts[name] += 1
        twice = {n: c for n, c in counts.items() if c > 1}
        assert len(twice) <= in_flight, twice
        assert all(c == 2 for c in twice.values()), twice
        return all(c >= 1 for c in counts.values())

    wait_until(all_arrived, timeout, f"one welcome mail for each of {len(names)} users", 0.5)
    time.sleep(2)  # anything sent twice would show up now
    all_arrived()
