"""Administrators look at one account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from core.admin import actions
from core.admin.actions import Actor
from core.domain import NotFound, User
from core.ports import UserReader

NO_SUCH_USER = "No account has this id."


@dataclass(frozen=True, slots=True)
class SecondFactor:
    """Whether the account has a second factor, and which."""

    enabled: bool
    methods: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """One entry of the account's security history (sign-ins, password changes, ...)."""

    type: str
    occurred_at: datetime
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    second_factor: SecondFactor | None = None
    """None while the service keeps no second factors: unknown, not "off"."""
    recent_security_events: tuple[SecurityEvent, ...] | None = None
    """None while the service keeps no security history."""


@dataclass(frozen=True, slots=True)
class GetUserDetails:
    actor: Actor
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GetUserDetailsHandler:
    """An account's profile, status and roles, for an administrator. Its second factor and
    recent security events come from ports of their own once the service keeps them: fill
    `second_factor` and `recent_security_events` here."""

    users: UserReader

    async def __call__(self, query: GetUserDetails) -> UserDetails:
        user = await self.users.get(query.user_id)
        if user is None:
            raise NotFound(NO_SUCH_USER)
        actions.user_viewed(query.actor, user.id)
        return UserDetails(user)
