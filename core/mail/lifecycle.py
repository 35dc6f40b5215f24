from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Never, NoReturn
from urllib.parse import quote

from core.events import UserEvent
from core.mail.templates import render
from core.ports import ActionTokenSecrets, Mail, MailSender, ProcessedEvents

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"

# Token events -> (template, page of the public site the mailed link opens).
_TOKEN_MAILS = {
    "user.verification_requested": ("verify_email", "verify-email"),
    "user.password_reset_requested": ("reset_password", "reset-password"),
    "user.email_change_requested": ("email_change_requested", "cancel-email-change"),
    "user.email_changed": ("email_changed", "cancel-email-change"),
}


class NoMailForEvent(Exception):
    """An event type that `compose` has no mail for: a type was added to EVENT_TYPES and not
    here. Retrying cannot help, so the consumer sets the record aside at once."""


def compose(
    event: UserEvent,
    secret_for: Callable[[uuid.UUID, str], str],
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
) -> list[Mail]:
    """The mails an event sends: welcome, changed, goodbye, the notices of a cancelled email
    change, of a new passkey, of a locked account, of a refresh token used twice, of a sign-in
    from a new device (with a link to the account page, where the session ends), of two-step
    sign-in turned on or off and of a recovery code used, and the mails that carry a single-use
    token (confirm an address, reset the password, cancel or revert an email change), whose
    secret `secret_for` derives from the token id the event carries.

    Raises NoMailForEvent for an event type it does not know."""
    values = {
        "username": event.username,
        "email": event.email,
        "changed": ", ".join(event.changed),
        "new_email": event.new_email or "",
        "codes_left": str(event.recovery_codes_left or 0),
        "when": event.occurred_at.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC"),
        "device": event.device or "unknown",
        "ip": event.ip or "unknown",
    }
    recipients: list[tuple[str, str]] = []
    match event.type:
        case "user.created":
            recipients.append(("welcome", event.email))
        case "user.updated":
            # The address an email change left gets its own mail (user.email_changed).
            recipients.append(("changed", event.email))
        case "user.email_change_cancelled":
            recipients.append(("email_change_cancelled", event.email))
        case "user.deleted":
            recipients.append(("goodbye", event.email))
        case "user.passkey_added":
            recipients.append(("passkey_added", event.email))
        case "user.passkey_removed":
            recipients.append(("passkey_removed", event.email))
        case "user.locked_out":
            recipients.append(("locked_out", event.email))
        case "user.refresh_token_reused":
            recipients.append(("refresh_token_reused", event.email))
        case "user.new_sign_in":
            values["link"] = f"{public_base_url.rstrip('/')}/account#sessions"
            recipients.append(("new_sign_in", event.email))
        case "user.mfa_enabled":
            recipients.append(("mfa_enabled", event.email))
        case "user.mfa_disabled":
            recipients.append(("mfa_disabled", event.email))
        case "user.recovery_code_used":
            recipients.append(("recovery_code_used", event.email))
        case (
            "user.verification_requested"
            | "user.password_reset_requested"
            | "user.email_change_requested"
            | "user.email_changed"
        ):
            template, page = _TOKEN_MAILS[event.type]
            assert event.token_id is not None  # from_json refuses a token event without one
            token = secret_for(event.token_id, event.email)
            values["token"] = token
            values["link"] = f"{public_base_url.rstrip('/')}/{page}?token={quote(token, safe='')}"
            recipients.append((template, event.email))
        case _:
            _no_mail_for(event.type)
    mails = []
    for template, to in recipients:
        subject, text, body = render(template, values, html.escape)
        message_id = f"<{event.id}.{template}@accounts>"
        mails.append(Mail(to=to, subject=subject, text=text, html=body, message_id=message_id))
    return mails


def _no_mail_for(event_type: Never) -> NoReturn:
    # Typed Never so that mypy points here when EventType gains a member compose() lacks.
    raise NoMailForEvent(
        f"no mail is defined for event type {event_type!r}: add it to core.mail.lifecycle.compose"
    )


@dataclass(frozen=True, slots=True)
class SendLifecycleMailHandler:
    """Send the mails of one lifecycle event, once: a redelivered event sends nothing.

    Returns False when the event had already been handled.
    """

    processed: ProcessedEvents
    mailer: MailSender
    secrets: ActionTokenSecrets
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    """Where the links in mails point: the site that serves /verify-email and /reset-password."""

    async def __call__(self, event: UserEvent, sent: set[str] | None = None) -> bool:
        """`sent` carries, across retries of one delivery, the Message-IDs already accepted
        by the server: a retry after a failure (of a later mail, or of recording the event)
        sends none of them again."""
        sent = set() if sent is None else sent
        if await self.processed.seen(event.id):
            return False
        for mail in compose(event, self.secrets.secret_for, self.public_base_url):
            if mail.message_id not in sent:
                await self.mailer.send(mail)
                sent.add(mail.message_id)
        await self.processed.mark(event.id)
        return True
