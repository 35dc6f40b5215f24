"""Kafka, MailDev and the consumer fail under a stream of sign-ups: nothing fails, nothing is
lost, nothing is sent twice."""

from __future__ import annotations

import signal
import time

from tests.fault.conftest import services
from tests.processes import wait_until
from tests.system import System, register_all, unique_names, welcomes_exactly_once


def test_kafka_down_while_fifty_users_register(system: System) -> None:
    names = unique_names(50)
    services("stop", "kafka")
    try:
        started = time.monotonic()
        statuses = register_all(system, names)
        elapsed = time.monotonic() - started
        assert statuses == [201] * 50
        assert elapsed < 30, "requests do not wait for Kafka"
        wait_until(lambda: "relay cannot publish" in system.relay.output(), 30, "the relay")
    finally:
        services("start", "kafka")
    welcomes_exactly_once(system, names, timeout=90)


def test_maildev_down_for_a_while(system: System) -> None:
    names = unique_names(10)
    services("stop", "maildev")
    try:
        assert register_all(system, names) == [201] * 10
        wait_until(lambda: "mail delayed" in system.consumer.output(), 30, "the consumer to notice")
    finally:
        services("start", "maildev")
    welcomes_exactly_once(system, names, timeout=60)


def _restart_consumer_mid_batch(system: System, names: list[str], sig: int) -> None:
    assert register_all(system, names) == [201] * len(names)
    wait_until(lambda: any(n in str(system.mail.messages()) for n in names), 30, "the first mails")
    system.consumer.stop(sig)
    system.consumer.start()


def test_consumer_stopped_mid_batch_sends_each_mail_once(system: System) -> None:
    # SIGTERM, as honcho, docker or systemd stop a process: the mail in hand is finished and
    # recorded, the offset committed, and the restarted consumer carries on from there.
    names = unique_names(40)
    _restart_consumer_mid_batch(system, names, signal.SIGTERM)
    welcomes_exactly_once(system, names, timeout=60)


def test_consumer_killed_mid_batch_loses_nothing(system: System) -> None:
    # SIGKILL can land after SMTP accepted a mail and before it was recorded as sent: that one
    # event is sent again (with the same Message-ID). No mail is ever lost.
    names = unique_names(40)
    _restart_consumer_mid_batch(system, names, signal.SIGKILL)
    welcomes_exactly_once(system, names, timeout=60, in_flight=1)
