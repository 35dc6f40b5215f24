"""PostgreSQL or Redis stops under a trickle of sign-ups. PostgreSQL: a clear 503 while it is
down and no half-done work; Redis: requests go on (the limiter fails open). Either way, every
account that was created gets its welcome mail exactly once."""

from __future__ import annotations

import time

import httpx

from tests.fault.conftest import services
from tests.processes import wait_until
from tests.system import System, register_all, unique_names, welcomes_exactly_once


def test_postgres_down_is_a_503_and_nothing_is_lost(system: System) -> None:
    before = unique_names(5)
    assert register_all(system, before) == [201] * 5

    services("stop", "postgres")
    try:
        refused = unique_names(5)
        with system.client() as client:
            for name in refused:
                response = system.register(client, name)
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"]
                assert "database" in response.json()["detail"]
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert "postgres" in ready.json()["errors"]
    finally:
        services("start", "postgres")

    # Connections broken by the restart are replaced; a request may meet one and get a 503.
    after = unique_names(5)
    with system.client() as client:
        for name in after:
            wait_until(
                lambda name=name: system.register(client, name).status_code in (201, 409),
                30,
                f"sign-up of {name} after the restart",
            )
    welcomes_exactly_once(system, before + after, timeout=60)
    time.sleep(1)
    mailed = {to["address"].split("@")[0] for m in system.mail.messages() for to in m["to"]}
    assert not mailed & set(refused), "no account, no mail"
    assert system.relay.running()
    assert system.consumer.running()
    assert httpx.get(f"{system.base}/readyz", timeout=5).status_code == 200


def test_redis_down_sign_ups_go_on_and_every_mail_arrives_once(system: System) -> None:
    """Redis holds only the rate limiter here (and Dramatiq, unused with the check off): while
    it is away the limiter fails open, sign-ups succeed, and their mail is unaffected."""
    before = unique_names(5)
    services("stop", "redis")
    try:
        during = unique_names(10)
        assert register_all(system, during) == [201] * 10
    finally:
        services("start", "redis")
    after = unique_names(5)
    assert register_all(system, before + after) == [201] * 10
    welcomes_exactly_once(system, before + during + after, timeout=60)
