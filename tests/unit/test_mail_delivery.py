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
            SendLifecycleMailHandler(self.processed, self.smtp),
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


def test_an_email_change_also_tells_the_old_address() -> None:
    event = _event(
        type="user.updated",
        email="new@example.com",
        changed=("email",),
        previous_email="old@example.com",
    )
    mails = compose(event)
    assert [(m.to, m.subject) for m in mails] == [
        ("new@example.com", "Your account changed"),
        ("old@example.com", "Your account no longer uses this address"),
    ]
    assert len({m.message_id for m in mails}) == 2


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_has_its_own_mail(event_type: str) -> None:
    (mail,) = compose(_event(type=event_type, token="secret"))
    assert mail.message_id.endswith(f".{TEMPLATE_OF[event_type]}@accounts>")


def test_an_event_type_without_a_mail_is_a_clear_error() -> None:
    with pytest.raises(NoMailForEvent) as raised:
        compose(_event(type="user.suspended"))
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
    (mail,) = compose(_event(email="a&b<script>@example.com"))
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
    h.deliver.send = SendLifecycleMailHandler(FlakyRecord(3), h.smtp)
    await h.deliver(_raw(_event()))
    assert len(h.smtp.sent) == 1


async def test_a_retry_after_a_partial_send_sends_only_what_is_missing() -> None:
    event = _event(
        type="user.updated",
        email="new@example.com",
        changed=("email",),
        previous_email="old@example.com",
    )
    h = Harness()

    class SecondFailsOnce(FakeSmtp):
        calls = 0

        async def send(self, mail: Mail) -> None:
            SecondFailsOnce.calls += 1
            if SecondFailsOnce.calls == 2:
                raise MailServerUnavailable("dropped")
            await super().send(mail)

    h.smtp = SecondFailsOnce()
    h.deliver.send = SendLifecycleMailHandler(h.processed, h.smtp)
    await h.deliver(_raw(event))
    assert sorted(m.to for m in h.smtp.sent) == ["new@example.com", "old@example.com"]
