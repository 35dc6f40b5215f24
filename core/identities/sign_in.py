"""Sign-in with an identity a provider vouched for: the linked account, or a new one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.domain import (
    ACCOUNT_DISABLED,
    Conflict,
    Forbidden,
    InvalidCredentials,
    MfaChallenge,
    RefreshToken,
    SecondFactorRequired,
    User,
    email_problem,
)
from core.domain.identities import (
    EXTERNAL_AMR,
    EmailNotVerified,
    ExternalIdentity,
    IdentityRejected,
    LinkedIdentity,
    LinkRequired,
    account_for,
    username_candidates,
)
from core.events import UserEvent
from core.mfa.second_factors import SecondFactors
from core.ports import Clock, TokenIssuer, UnitOfWork, UnitOfWorkFactory
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, store_refresh_token

USERNAME_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class SignInWithIdentity:
    identity: ExternalIdentity
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SignInWithIdentityHandler:
    """Sign in the account linked to the identity (issuer, subject), starting a token family
    whose `amr` is `ext` and which names the provider.

    With no account linked, one is made only when the provider says the address is verified
    and no account has it: confirmed, its username from the provider's preferred username or
    the address, and no usable password. An account that has the address already is never
    signed in by it (LinkRequired: its owner signs in and links the provider); an unverified
    address opens nothing (EmailNotVerified).

    A provider is one way in, not a way around the account's second factor: an account with
    one gets no tokens for the provider's word alone, but SecondFactorRequired with an
    mfa_token, as for the right password (CompleteSignInHandler takes it from there, and the
    session's `amr` is then ext and the second factor)."""

    uow: UnitOfWorkFactory
    tokens: TokenIssuer
    clock: Clock
    refresh_ttl: timedelta
    refresh_family_lifetime: timedelta

    async def __call__(self, command: SignInWithIdentity) -> IssuedTokens:
        identity = command.identity
        now = self.clock.now()
        async with self.uow() as uow:
            linked = await uow.linked_identities.find(identity.issuer, identity.subject)
            if linked is not None:
                user = await uow.users.get(linked.user_id)
                assert user is not None, "a link goes with its account (ON DELETE CASCADE)"
                await uow.linked_identities.used(linked.id, now)
            else:
                user = await self._new_account(uow, identity, now)
            if user.email_status == "rejected":
                raise Forbidden(SIGN_IN_BLOCKED)
            if user.disabled_at is not None:
                raise Forbidden(ACCOUNT_DISABLED)
            if linked is not None and (methods := await SecondFactors.methods_in(uow, user.id)):
                mfa_token, challenge = MfaChallenge.issue(user, now, identity.provider)
                await uow.mfa_challenges.add(challenge)
                await uow.commit()
                raise SecondFactorRequired(mfa_token, methods)
            secret, refresh = RefreshToken.start(
                user,
                now=now,
                ttl=self.refresh_ttl,
                family_lifetime=self.refresh_family_lifetime,
                amr=EXTERNAL_AMR,
                provider=identity.provider,
            )
            issued = await store_refresh_token(
                uow, refresh, secret, self.tokens, command, user.roles
            )
            if issued is None:  # the account went, or every session was ended, meanwhile
                raise InvalidCredentials("The account changed meanwhile. Try again.")
            await uow.commit()
        return issued

    @staticmethod
    async def _new_account(uow: UnitOfWork, identity: ExternalIdentity, now: datetime) -> User:
        if identity.email is None or not identity.email_verified:
            raise EmailNotVerified(identity.label)
        if email_problem(identity.email) is not None:
            raise IdentityRejected(
                "unusable_email",
                f"The address {identity.label} gave cannot be used for an account here. "
                "Sign up with a password instead.",
            )
        if await uow.users.find_by_login(identity.email) is not None:
            raise LinkRequired(identity)
        names = username_candidates(identity, USERNAME_ATTEMPTS)
        for name in [*names, f"user-{uuid.uuid4().hex[:10]}"]:
            if await uow.users.find_by_login(name) is not None:
                continue
            user = account_for(identity, name, now)
            try:
                await uow.users.add(user)
            except Conflict as conflict:  # another sign-up took it since we looked
                if conflict.field == "email":
                    raise LinkRequired(identity) from None
                continue
            await uow.events.add(UserEvent.created(user))
            link = replace(LinkedIdentity.link(user, identity, now), last_used_at=now)
            await uow.linked_identities.add(link)
            return user
        raise Conflict("username")
