"""Steps several account operations share, each run inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from core.domain import ActionPurpose, ActionToken, User
from core.events import EventType, UserEvent
from core.ports import ActionTokenSecrets, UnitOfWork
from core.public_events import changes, session_ended


async def mail_token(
    uow: UnitOfWork,
    user: User,
    purpose: ActionPurpose,
    event_type: EventType,
    now: datetime,
    secrets: ActionTokenSecrets,
    *,
    email: str | None = None,
    **event: str | None,
) -> None:
    """Store a single-use token for `email` (the user's address by default) and record the
    event whose mail carries it."""
    token = ActionToken.issue(user, purpose, now=now, secret_for=secrets.secret_for, email=email)
    await uow.action_tokens.add(token)
    await uow.events.add(UserEvent.token_mailed(event_type, user, token, now, **event))


async def request_verification(
    uow: UnitOfWork, user: User, now: datetime, secrets: ActionTokenSecrets
) -> None:
    """Retire the user's unused confirmation tokens and mail a new one to the address that
    awaits confirmation: the pending one if there is one, else the account's."""
    await uow.action_tokens.invalidate(user.id, "verify_email", now)
    address = user.pending_email or user.email
    await mail_token(
        uow, user, "verify_email", "user.verification_requested", now, secrets, email=address
    )


async def save_changes(
    uow: UnitOfWork, before: User, after: User, now: datetime, secrets: ActionTokenSecrets
) -> None:
    """Store a changed user and what follows from the change. A raised token version retires
    every refresh token and ends every session (access tokens go by the version); a new pending
    address gets a confirmation mail and the current address a note with a link that cancels
    the change; and the user, and other services, hear of every change the outside world
    sees."""
    await uow.users.save(after)
    ended: list[uuid.UUID] = []
    if after.token_version != before.token_version:
        ended = await uow.refresh_tokens.revoke_all(after.id, now)
    updated = UserEvent.updated(before, after)
    if updated is not None:
        await uow.events.add(updated)
    public = changes(before, after, now)
    if not any(event.type == "user.password_changed" for event in public):
        # Sessions ended without a new password (an email change cancelled): no event says so
        # for all of them at once, so each says so itself.
        public.extend(session_ended(after.id, session_id, now) for session_id in ended)
    await uow.events.add_public(*public)
    if "pending_email" in after.changed and after.pending_email is not None:
        await request_verification(uow, after, now, secrets)
        await uow.action_tokens.invalidate(after.id, "cancel_email_change", now)
        await mail_token(
            uow,
            after,
            "cancel_email_change",
            "user.email_change_requested",
            now,
            secrets,
            new_email=after.pending_email,
        )
