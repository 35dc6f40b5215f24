"""Administrators look at one account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.audit.events import SecurityEvent as AuditEntry
from core.domain import NotFound, User
from core.mfa.second_factors import SecondFactors
from core.ports import UnitOfWorkFactory, UserReader

NO_SUCH_USER = "No account has this id."


@dataclass(frozen=True, slots=True)
class SecondFactor:
    """Whether the account has a second factor, and which."""

    enabled: bool
    methods: tuple[str, ...] = ()


RECENT_EVENTS = 20


@dataclass(frozen=True, slots=True)
class UserDetails:
    user: User
    second_factor: SecondFactor
    recent_security_events: tuple[AuditEntry, ...]
    """The newest entries of the account's audit trail, newest first."""


@dataclass(frozen=True, slots=True)
class GetUserDetails:
    actor: Actor
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GetUserDetailsHandler:
    """An account's profile, status and roles, its second factor (whether and which), and the
    newest entries of its audit trail, for an administrator."""

    users: UserReader
    second_factors: SecondFactors
    uow: UnitOfWorkFactory

    async def __call__(self, query: GetUserDetails) -> UserDetails:
        user = await self.users.get(query.user_id)
        if user is None:
            raise NotFound(NO_SUCH_USER)
        methods = await self.second_factors.methods(user.id)
        async with self.uow() as uow:
            events = await uow.audit.newest(user.id, RECENT_EVENTS)
        actions.user_viewed(query.actor, user.id)
        return UserDetails(user, SecondFactor(bool(methods), tuple(methods)), tuple(events))
