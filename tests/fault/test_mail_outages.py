"""Kafka, MailDev and the consumer fail under a stream of sign-ups: nothing fails, nothing is
lost, nothing is sent twice."""

from __future__ import annotations

import concurrent.futures
import signal
import time
import uuid
from collections.abc import Iterator

import pytest

from adapters.settings import Settings
from tests.fault.conftest import services
from tests.processes import wait_until
from tests.system import System, running_system


@pytest.fixture(scope="module")
def system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with running_system(settings, tmp_path_factory.mktemp("system")) as running:
        yield running


def _names(count: int) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"f{run}_{i}" for i in range(count)]


def _register_all(system: System, names: list[str]) -> list[int]:
    def one(name: str) -> int:
        with system.client() as client:
            return system.register(client, name).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, names))


def _welcomes_exactly_once(
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


def test_kafka_down_while_fifty_users_register(system: System) -> None:
    names = _names(50)
    services("stop", "kafka")
    try:
        started = time.monotonic()
        statuses = _register_all(system, names)
        elapsed = time.monotonic() - started
        assert statuses == [201] * 50
        assert elapsed < 30, "requests do not wait for Kafka"
        wait_until(lambda: "relay cannot publish" in system.relay.output(), 30, "the relay")
    finally:
        services("start", "kafka")
    _welcomes_exactly_once(system, names, timeout=90)


def test_maildev_down_for_a_while(system: System) -> None:
    names = _names(10)
    services("stop", "maildev")
    try:
        assert _register_all(system, names) == [201] * 10
        wait_until(lambda: "mail delayed" in system.consumer.output(), 30, "the consumer to notice")
    finally:
        services("start", "maildev")
    _welcomes_exactly_once(system, names, timeout=60)


def _restart_consumer_mid_batch(system: System, names: list[str], sig: int) -> None:
    assert _register_all(system, names) == [201] * len(names)
    wait_until(lambda: any(n in str(system.mail.messages()) for n in names), 30, "the first mails")
    system.consumer.stop(sig)
    system.consumer.start()


def test_consumer_stopped_mid_batch_sends_each_mail_once(system: System) -> None:
    # SIGTERM, as honcho, docker or systemd stop a process: the mail in hand is finished and
    # recorded, the offset committed, and the restarted consumer carries on from there.
    names = _names(40)
    _restart_consumer_mid_batch(system, names, signal.SIGTERM)
    _welcomes_exactly_once(system, names, timeout=60)


def test_consumer_killed_mid_batch_loses_nothing(system: System) -> None:
    # SIGKILL can land after SMTP accepted a mail and before it was recorded as sent: that one
    # event is sent again (with the same Message-ID). No mail is ever lost.
    names = _names(40)
    _restart_consumer_mid_batch(system, names, signal.SIGKILL)
    _welcomes_exactly_once(system, names, timeout=60, in_flight=1)
