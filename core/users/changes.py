"""Steps several account operations share, each run inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from core.domain import ActionToken, User
from core.events import UserEvent
from core.ports import UnitOfWork


async def request_verification(uow: UnitOfWork, user: User, now: datetime) -> None:
    """Retire the user's unused confirmation tokens, store a new one for the current address,
    and record the event whose mail carries it."""
    secret, token = ActionToken.issue(user, "verify_email", now=now)
    await uow.action_tokens.invalidate(user.id, "verify_email", now)
    await uow.action_tokens.add(token)
    await uow.events.add(UserEvent.verification_requested(user, secret, now))


async def save_changes(uow: UnitOfWork, before: User, after: User, now: datetime) -> None:
    """Store a changed user and what follows from the change. A new password retires every
    refresh token (access tokens go by the raised token version); a new address gets a
    confirmation mail; and the user hears of every change."""
    await uow.users.save(after)
    if "password_hash" in after.changed:
        await uow.refresh_tokens.revoke_all(after.id, now)
    await uow.events.add(UserEvent.updated(before, after))
    if "email" in after.changed:
        await request_verification(uow, after, now)
