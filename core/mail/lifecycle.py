from __future__ import annotations

import html
from dataclasses import dataclass

from core.events import UserEvent
from core.mail.templates import render
from core.ports import Mail, MailSender, ProcessedEvents


def compose(event: UserEvent) -> list[Mail]:
    """The mails an event sends: welcome, changed (and a note to the old address), goodbye."""
    values = {"username": event.username, "email": event.email, "changed": ", ".join(event.changed)}
    recipients: list[tuple[str, str]] = []
    if event.type == "user.created":
        recipients.append(("welcome", event.email))
    elif event.type == "user.updated":
        recipients.append(("changed", event.email))
        if event.previous_email:
            recipients.append(("email_moved", event.previous_email))
    else:
        recipients.append(("goodbye", event.email))
    mails = []
    for template, to in recipients:
        subject, text, body = render(template, values, html.escape)
        message_id = f"<{event.id}.{template}@accounts>"
        mails.append(Mail(to=to, subject=subject, text=text, html=body, message_id=message_id))
    return mails


@dataclass(frozen=True, slots=True)
class SendLifecycleMailHandler:
    """Send the mails of one lifecycle event, once: a redelivered event sends nothing.

    Returns False when the event had already been handled.
    """

    processed: ProcessedEvents
    mailer: MailSender

    async def __call__(self, event: UserEvent, sent: set[str] | None = None) -> bool:
        """`sent` carries, across retries of one delivery, the Message-IDs already accepted
        by the server: a retry after a failure (of a later mail, or of recording the event)
        sends none of them again."""
        sent = set() if sent is None else sent
        if await self.processed.seen(event.id):
            return False
        for mail in compose(event):
            if mail.message_id not in sent:
                await self.mailer.send(mail)
                sent.add(mail.message_id)
        await self.processed.mark(event.id)
        return True
