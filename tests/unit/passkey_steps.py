"""Steps a user of the passkey handlers takes, through the web wiring with fakes: adding a
passkey (with the password, and a step-up once the user has one), confirming a change with one,
removing one."""

from __future__ import annotations

import uuid

from injector import Injector

from core.domain import Passkey, User
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler
from core.passkeys.ceremony import PasskeyAnswer
from core.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from core.passkeys.finish_registration import (
    FinishPasskeyRegistration,
    FinishPasskeyRegistrationHandler,
)
from core.passkeys.list_passkeys import ListPasskeys, ListPasskeysHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fake_passkeys import created, signed

KEY = b"credential-1"


async def step_up(handlers: Injector, user: User) -> PasskeyAnswer:
    """The user confirms themselves with their first passkey, as a sensitive change asks."""
    (first, *_) = await handlers.get(ListPasskeysHandler)(ListPasskeys(user.id))
    ceremony = await handlers.get(BeginPasskeyStepUpHandler)(BeginPasskeyStepUp(user.id))
    answer = signed(ceremony.options, first.credential_id, 0, user.id)
    return PasskeyAnswer(ceremony.challenge_id, answer)


async def begin_registration(handlers: Injector, user: User) -> BeginPasskeyRegistration:
    """The command to add a passkey: the password, and a passkey once the user has one."""
    has_one = await handlers.get(ListPasskeysHandler)(ListPasskeys(user.id))
    passkey = await step_up(handlers, user) if has_one else None
    return BeginPasskeyRegistration(user.id, ALICE_PASSWORD, passkey=passkey)


async def remove(handlers: Injector, user: User, passkey_id: uuid.UUID) -> None:
    """Remove a passkey with the password, and a passkey if `user` has one."""
    has_one = await handlers.get(ListPasskeysHandler)(ListPasskeys(user.id))
    answer = await step_up(handlers, user) if has_one else None
    command = DeletePasskey(user.id, passkey_id, ALICE_PASSWORD, passkey=answer)
    await handlers.get(DeletePasskeyHandler)(command)


async def add_passkey(
    handlers: Injector, user: User, credential_id: bytes = KEY, name: str | None = None
) -> Passkey:
    ceremony = await handlers.get(BeginPasskeyRegistrationHandler)(
        await begin_registration(handlers, user)
    )
    return await handlers.get(FinishPasskeyRegistrationHandler)(
        FinishPasskeyRegistration(
            user.id, ceremony.challenge_id, created(ceremony.options, credential_id), name
        )
    )
