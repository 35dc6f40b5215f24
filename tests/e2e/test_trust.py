"""Trust, black-box against the running processes: a stranger's guesses do not lock the owner
out, and nothing secret reaches the logs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.settings import Settings
from tests.fakes.email_reputation import FakeReputationService, serving
from tests.system import System, running_system

pytestmark = pytest.mark.e2e


def _from(system: System, address: str) -> httpx.Client:
    """A client whose connections leave from `address`: the whole 127/8 is this machine, so
    the server sees another client address."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=system.base, transport=transport, timeout=15)


def _login(client: httpx.Client, name: str, password: str) -> int:
    response = client.post("/api/v1/token/access", json={"username": name, "password": password})
    return response.status_code


def test_strangers_cannot_lock_the_owner_out(system: System) -> None:
    name = f"owner{uuid.uuid4().hex[:8]}"
    email = f"{name}@example.com"
    with _from(system, "127.0.0.1") as owner, _from(system, "127.0.0.2") as stranger:
        created = owner.post(
            "/api/v1/users", json={"username": name, "email": email, "password": "owner-pass-1"}
        )
        assert created.status_code == 201
        assert _login(owner, name, "owner-pass-1") == 200  # 127.0.0.1 is familiar now

        answers = [_login(stranger, name, f"guess-{n}") for n in range(20)]
        assert answers == [401] * 5 + [429] * 15

        assert _login(owner, name, "owner-pass-1") == 200
    with _from(system, "127.0.0.3") as newcomer:
        assert _login(newcomer, name, "owner-pass-1") == 429, "a first-time address waits"
        assert newcomer.post("/api/v1/password/forgot", json={"email": email}).status_code == 202
        (mail,) = system.mail.wait_for(email, "Reset your password")
        token = system.mail.link(mail, "reset-password")
        reset = newcomer.post(
            "/api/v1/password/reset", json={"token": token, "new_password": "owner-pass-2"}
        )
        assert reset.status_code == 204
        assert _login(newcomer, name, "owner-pass-2") == 200, "a reset lifts every lock"


API_KEY = "sk-test-reputation-key-7f3a9c"


@pytest.fixture(scope="module")
def checked_system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with (
        serving(FakeReputationService()) as url,
        running_system(
            settings,
            tmp_path_factory.mktemp("checked"),
            EMAIL_CHECK_ENABLED="true",
            EMAIL_CHECK_URL=url,
            EMAIL_CHECK_API_KEY=API_KEY,
            LOG_LEVEL="DEBUG",
        ) as running,
    ):
        yield running


def test_no_secret_reaches_the_logs(checked_system: System, tmp_path: Path) -> None:
    system = checked_system
    name = f"quiet{uuid.uuid4().hex[:8]}"
    email = f"good.{name}@example.com"
    password, new_password = "first-secret-pw-1", "second-secret-pw-2"
    unknown_login = f"nobody-{uuid.uuid4().hex[:8]}"
    with system.client() as client:
        body = {"username": name, "email": email, "password": password}
        assert client.post("/api/v1/users", json=body).status_code == 201
        assert _login(client, unknown_login, password) == 401
        assert _login(client, name, password) == 200
        client.post("/api/v1/password/forgot", json={"email": email})
        (mail,) = system.mail.wait_for(email, "Reset your password")
        reset_token = system.mail.link(mail, "reset-password")
        reset = client.post(
            "/api/v1/password/reset", json={"token": reset_token, "new_password": new_password}
        )
        assert reset.status_code == 204
        (confirm,) = system.mail.wait_for(email, "Confirm your email address")
        confirm_token = system.mail.link(confirm, "verify-email")
        tokens = client.post(
            "/api/v1/token/access", json={"username": name, "password": new_password}
        ).json()
        system.mail.wait_for(email, "Your account changed")

    logs = "\n".join(process.output() for process in system.processes)
    assert logs, "the processes logged"
    for secret in (
        password,
        new_password,
        reset_token,
        confirm_token,
        tokens["access_token"],
        tokens["refresh_token"],
        API_KEY,
        unknown_login,
        email,
    ):
        assert secret not in logs, f"{secret[:6]}… is in the logs"
