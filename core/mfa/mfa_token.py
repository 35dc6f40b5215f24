"""The mfa_token of a sign-in's password step, as each part of the second step reads it."""

from __future__ import annotations

from datetime import datetime

from core.domain import InvalidMfaToken, MfaChallenge, User, mfa_token_hash
from core.ports import UnitOfWorkFactory, UserReader


async def signing_in_user(
    uow: UnitOfWorkFactory, users: UserReader, mfa_token: str, now: datetime
) -> tuple[MfaChallenge, User]:
    """The first step `mfa_token` stands for and the user whose sign-in it goes on with.
    InvalidMfaToken when it is unknown, used or expired, or the account's token version (its
    password) changed since that step."""
    token_hash = mfa_token_hash(mfa_token)
    async with uow() as tx:
        challenge = await tx.mfa_challenges.get(token_hash)
    if challenge is None or not challenge.live(now):
        raise InvalidMfaToken()
    user = await users.get(challenge.user_id)
    if user is None or user.token_version != challenge.token_version:
        raise InvalidMfaToken()
    return challenge, user
