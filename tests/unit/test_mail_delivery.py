"""The mailer's handling of each Kafka record, with fakes of SMTP and the processed record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
import pytest

from actors.mail_delivery import MailDelivery
from core.domain import MailRejected, MailServerUnavailable, Unavailable
from core.events import EVENT_TYPES, UserEvent
from core.mail.lifecycle import NoMailForEvent, SendLifecycleMailHandler, compose
from core.ports import Mail
from tests.unit.fakes import FakeActionTokenSecrets


class FakeSmtp:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = failures or []
        self.sent: list[Mail] = []

    async def send(self, mail: Mail) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(mail)


class Processed:
    def __init__(self) -> None:
        self.ids: set[uuid.UUID] = set()

    async def seen(self, event_id: uuid.UUID) -> bool:
        return event_id in self.ids

    async def mark(self, event_id: uuid.UUID) -> None:
        self.ids.add(event_id)


class Harness:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.smtp = FakeSmtp(failures)
        self.processed = Processed()
        self.dead: list[tuple[bytes, str]] = []
        self.sleeps: list[float] = []

        async def dead_letter(raw: bytes, key: bytes | None, error: str) -> None:
            self.dead.append((raw, error))

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.deliver = MailDelivery(
            SendLifecycleMailHandler(self.processed, self.smtp, FakeActionTokenSecrets()),
            dead_letter,
            max_attempts=3,
            retry_seconds=1,
            max_backoff_seconds=8,
            sleep=sleep,
        )


def _event(**changes: object) -> UserEvent:
    base = UserEvent(
        "user.created", uuid.uuid4(), "dora@example.com", "dora", datetime(2026, 1, 1, tzinfo=UTC)
    )
    return UserEvent(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


# The one mail each event type sends (its template names its Message-ID).
TEMPLATE_OF = {
    "user.created": "welcome",
    "user.updated": "changed",
    "user.deleted": "goodbye",
    "user.verification_requested": "verify_email",
    "user.password_reset_requested": "reset_password",
    "user.email_change_requested": "email_change_requested",
    "user.email_changed": "email_changed",
    "user.email_change_cancelled": "email_change_cancelled",
    "user.passkey_added": "passkey_added",
    "user.passkey_removed": "passkey_removed",
    "user.locked_out": "locked_out",
    "user.refresh_token_reused": "refresh_token_reused",
    "user.mfa_enabled": "mfa_enabled",
    "user.mfa_disabled": "mfa_disabled",
    "user.recovery_code_used": "recovery_code_used",
    "user.new_sign_in": "new_sign_in",
}


def _raw(event: UserEvent) -> bytes:
    return orjson.dumps(event.to_json())


async def test_a_redelivered_event_sends_nothing_twice() -> None:
    h = Harness()
    event = _event()
    await h.deliver(_raw(event))
    await h.deliver(_raw(event))
    assert [m.subject for m in h.smtp.sent] == ["Welcome, dora"]


@pytest.mark.parametrize("raw", [b"\x00garbage", b"[]", b'{"type": "user.created"}', b"{}"])
async def test_poison_goes_to_the_dlq_at_once(raw: bytes) -> None:
    h = Harness()
    await h.deliver(raw)
    assert h.dead[0][0] == raw
    assert h.dead[0][1].startswith("unparseable")
    assert h.sleeps == []


async def test_an_outage_is_waited_out_however_long() -> None:
    outage = [MailServerUnavailable("down")] * 6 + [Unavailable("db down")] * 2
    h = Harness(list(outage))
    await h.deliver(_raw(_event()))
    assert len(h.smtp.sent) == 1
    assert h.dead == []
    assert h.sleeps == [1, 2, 4, 8, 8, 8, 8, 8]


async def test_an_event_that_keeps_failing_goes_to_the_dlq() -> None:
    h = Harness([MailRejected("550 no such user")] * 5)
    await h.deliver(_raw(_event()))
    assert h.smtp.sent == []
    assert len(h.dead) == 1
    assert "550 no such user" in h.dead[0][1]
    assert h.sleeps == [1, 2]


async def test_a_transient_refusal_is_retried() -> None:
    h = Harness([MailRejected("451 try later")])
    await h.deliver(_raw(_event()))
    assert len(h.smtp.sent) == 1
    assert h.dead == []


def test_a_confirmed_email_change_gives_the_old_address_a_way_back() -> None:
    token_id = uuid.uuid4()
    event = _event(
        type="user.email_changed",
        email="old@example.com",
        new_email="new@example.com",
        token_id=token_id,
    )
    (mail,) = compose(event, FakeActionTokenSecrets().secret_for)
    assert (mail.to, mail.subject) == (
        "old@example.com",
        "Your account no longer uses this address",
    )
    assert "new@example.com" in mail.text
    assert f"/cancel-email-change?token=secret-of-{token_id}-for-old%40example.com" in mail.text


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_has_its_own_mail(event_type: str) -> None:
    (mail,) = compose(_event(type=event_type, token_id=uuid.uuid4()), lambda *_: "secret")
    assert mail.message_id.endswith(f".{TEMPLATE_OF[event_type]}@accounts>")


def test_an_event_type_without_a_mail_is_a_clear_error() -> None:
    with pytest.raises(NoMailForEvent) as raised:
        compose(_event(type="user.suspended"), lambda *_: "secret")
    assert "no mail is defined for event type 'user.suspended'" in str(raised.value)


async def test_an_event_type_without_a_mail_goes_to_the_dlq_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A type added to EVENT_TYPES (so the record parses) before anyone wrote its mail.
    monkeypatch.setattr("core.events.EVENT_TYPES", (*EVENT_TYPES, "user.suspended"))
    h = Harness()
    event = _event(type="user.suspended")
    await h.deliver(_raw(event))
    assert h.smtp.sent == []
    assert h.sleeps == []
    assert len(h.dead) == 1
    assert h.dead[0][0] == _raw(event)
    assert "no mail is defined for event type 'user.suspended'" in h.dead[0][1]
    assert event.id not in h.processed.ids


def test_html_is_escaped() -> None:
    (mail,) = compose(_event(email="a&b<script>@example.com"), lambda *_: "secret")
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html


class FlakyRecord(Processed):
    """The database goes away right after the mail went out, then comes back."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def mark(self, event_id: uuid.UUID) -> None:
        if self.failures:
            self.failures -= 1
            raise Unavailable("db down")
        await super().mark(event_id)


async def test_a_mail_is_not_sent_again_when_only_recording_it_failed() -> None:
    h = Harness()
    h.deliver.send = SendLifecycleMailHandler(FlakyRecord(3), h.smtp, FakeActionTokenSecrets())
    await h.deliver(_raw(_event()))
    assert len(h.smtp.sent) == 1


def test_the_new_sign_in_mail_says_when_on_what_and_from_where_and_links_to_the_account() -> None:
    event = _event(type="user.new_sign_in", device="Safari on iPhone", ip="203.0.113.9")
    relayed = UserEvent.from_json(event.to_json())  # as the consumer reads it from Kafka

    (mail,) = compose(relayed, lambda *_: "unused", "https://accounts.example")

    assert (mail.to, mail.subject) == ("dora@example.com", "New sign-in to your account")
    for body in (mail.text, mail.html):
        assert "01 January 2026, 00:00 UTC" in body
        assert "Safari on iPhone" in body
        assert "203.0.113.9" in body
        assert "https://accounts.example/account#sessions" in body
