"""Email ownership: the single-use token mailed to an address proves its owner reads it."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import InvalidActionToken, action_token_hash
from core.events import UserEvent
from core.ports import ActionTokenSecrets, BackgroundJobs, Clock, UnitOfWorkFactory
from core.public_events import changes, email_confirmed
from core.users.changes import mail_token


@dataclass(frozen=True, slots=True)
class ConfirmEmail:
    token: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmEmailHandler:
    """Confirm the address a token was mailed to. For the account's own address, it becomes
    verified. For a pending address, it becomes the account's address (verified), and the
    address it replaces is mailed a link that reverts the change for a while. The token is used
    up, and works only while the account still has (or awaits) the address it was sent to."""

    uow: UnitOfWorkFactory
    clock: Clock
    secrets: ActionTokenSecrets
    jobs: BackgroundJobs

    async def __call__(self, command: ConfirmEmail) -> None:
        now = self.clock.now()
        recheck = None
        async with self.uow() as uow:
            token = await uow.action_tokens.use(
                action_token_hash(command.token), "verify_email", now
            )
            if token is None:
                raise InvalidActionToken()
            user = await uow.users.get_for_update(token.user_id)
            if user is not None and user.pending_email == token.email:
                moved = user.with_pending_email_confirmed(now)
                await uow.users.save(moved)
                await uow.action_tokens.invalidate(user.id, "cancel_email_change", now)
                # Only the address this change replaced may revert it, not one left before.
                await uow.action_tokens.invalidate(user.id, "revert_email_change", now)
                await uow.events.add(
                    UserEvent("user.updated", user.id, moved.email, moved.username, now, ("email",))
                )
                await uow.events.add_public(*changes(user, moved, now))
                await mail_token(
                    uow,
                    moved,
                    "revert_email_change",
                    "user.email_changed",
                    now,
                    self.secrets,
                    email=user.email,
                    new_email=moved.email,
                )
                change = {"previous_email": user.email, "new_email": moved.email}
                confirmed = SecurityEvent.of(
                    "email_change.confirmed", user.id, now, command, **change
                )
                await uow.audit.add(confirmed)
                recheck = moved.id if moved.email_status == "pending" else None
            # Compare-and-set on the address: a token for an address changed away from fails.
            elif not await uow.users.confirm_email(token.user_id, email=token.email, now=now):
                raise InvalidActionToken()
            await uow.events.add_public(email_confirmed(token.user_id, token.email, now))
            await uow.commit()
        if recheck is not None:
            # The reputation service could not judge this address when it was asked for.
            await self.jobs.check_email_reputation_later(recheck)
