"""Users: what an account is, and the changes it goes through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.domain.account_fields import (
    UNUSABLE_PASSWORD,
    normalise_email,
)
from core.domain.errors import Unauthenticated

STALE_TOKEN = "The access token was issued before the password changed. Log in again."
ADMIN_ROLE = "admin"
ACCOUNT_DISABLED = "Account disabled: an administrator has turned sign-in off for this account."
USER_STATUSES = ("active", "unconfirmed", "rejected", "disabled")
"""What an account is, as an administrator sees it (see User.status)."""


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    username: str
    email: str
    password_hash: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime
    email_status: str = "unchecked"
    """What the email reputation check said of the current address:
      unchecked    the check is turned off
      pending      not decided yet (the service failed); a background job keeps trying
      verified_ok  deliverable
      rejected     undeliverable or disposable: signing in is refused until the address changes
      unknown      the service could not tell, or never answered within the retries"""
    email_status_at: datetime | None = None
    token_version: int = 0
    """Raised by every password change and whenever every session must end. Access and refresh
    tokens carry the version they were issued at, so raising it retires every token issued
    before (and, being part of the lockout's keys, lifts every sign-in lock of the account)."""
    pending_email: str | None = None
    """An address asked for and mailed a confirmation: no login, recovery or mail address until
    the token mailed to it comes back."""
    pending_email_status: str | None = None
    """What the reputation check said of `pending_email`; it becomes `email_status`."""
    roles: frozenset[str] = frozenset()
    """Granted by the operators' command line only (`ops/admin users grant-admin`)."""
    disabled_at: datetime | None = None
    """Set by an administrator: no sign-in, and every session ended, until enabled again."""
    changed: frozenset[str] = field(default=frozenset(), compare=False)
    """The stored fields that differ from the row as it was loaded: what `save` writes."""

    def __post_init__(self) -> None:
        # The database hands an array over as a list; a set is what membership asks of it.
        if not isinstance(self.roles, frozenset):
            object.__setattr__(self, "roles", frozenset(self.roles))

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    @property
    def status(self) -> str:
        """One of USER_STATUSES, the first that holds: disabled (by an administrator),
        rejected (the address failed the reputation check: sign-in blocked), unconfirmed (the
        address was never confirmed), active."""
        if self.disabled_at is not None:
            return "disabled"
        if self.email_status == "rejected":
            return "rejected"
        return "active" if self.email_verified else "unconfirmed"

    @classmethod
    def register(
        cls,
        *,
        username: str,
        email: str,
        password_hash: str,
        now: datetime,
        email_status: str = "unchecked",
    ) -> User:
        return cls(
            id=uuid.uuid4(),
            username=username,
            email=normalise_email(email),
            password_hash=password_hash,
            email_verified=False,
            created_at=now,
            updated_at=now,
            email_status=email_status,
            email_status_at=now,
        )

    def with_changes(
        self,
        *,
        now: datetime,
        username: str | None = None,
        email: str | None = None,
        password_hash: str | None = None,
        email_status: str = "unchecked",
    ) -> User:
        """The user with the given fields changed; `changed` names what really differs.

        A new email does not replace the current one: it becomes `pending_email` (with
        `email_status`, what the reputation check said of it) until its owner confirms it.
        Asking for the current address again drops a pending change."""
        changes: dict[str, object] = {}
        if username is not None and username != self.username:
            changes["username"] = username
        if email is not None:
            address = normalise_email(email)
            if address != self.email:
                changes["pending_email"] = address
                changes["pending_email_status"] = email_status
            elif self.pending_email is not None:
                changes["pending_email"] = None
                changes["pending_email_status"] = None
        if password_hash is not None:
            changes["password_hash"] = password_hash
            changes["token_version"] = self.token_version + 1
            if "pending_email" not in changes:
                # A new password ends every session; a change of address asked for in one of
                # them (perhaps by whoever knew the old password) ends with it.
                changes["pending_email"] = None
                changes["pending_email_status"] = None
        return self._changed(changes, now)

    def with_pending_email_confirmed(self, now: datetime) -> User:
        """The pending address becomes the account's, confirmed by its owner."""
        assert self.pending_email is not None
        return self._changed(
            {
                "email": self.pending_email,
                "email_verified": True,
                "email_status": self.pending_email_status or "unchecked",
                "email_status_at": now,
                "pending_email": None,
                "pending_email_status": None,
            },
            now,
        )

    def with_email_change_cancelled(self, now: datetime) -> User:
        """No pending address, and every session ended: someone else asked for the change."""
        return self._changed(
            {
                "pending_email": None,
                "pending_email_status": None,
                "token_version": self.token_version + 1,
            },
            now,
        )

    def with_email_reverted(self, email: str, now: datetime) -> User:
        """Back to an address the account had, which its owner has just shown they read (so it is
        deliverable); every session ended, and the password unusable until a reset through that
        address: whoever changed the address may know (or have set) the password."""
        return self._changed(
            {
                "email": email,
                "email_verified": True,
                "email_status": "verified_ok",
                "email_status_at": now,
                "pending_email": None,
                "pending_email_status": None,
                "token_version": self.token_version + 1,
                "password_hash": UNUSABLE_PASSWORD,
            },
            now,
        )

    def with_sessions_ended(self, now: datetime) -> User:
        """Every access and refresh token issued so far stops speaking for the user."""
        return self._changed({"token_version": self.token_version + 1}, now)

    def with_disabled(self, now: datetime) -> User:
        """No sign-in from now on, and every session ended at once (unchanged if disabled)."""
        if self.disabled_at is not None:
            return replace(self, changed=frozenset())
        return self._changed({"disabled_at": now, "token_version": self.token_version + 1}, now)

    def with_enabled(self, now: datetime) -> User:
        """Sign-in allowed again; the sessions ended by disabling stay ended."""
        return self._changed({"disabled_at": None}, now)

    def with_role(self, role: str, *, granted: bool, now: datetime) -> User:
        """The user with `role` granted or taken away (unchanged if it already was)."""
        roles = self.roles | {role} if granted else self.roles - {role}
        return self._changed({"roles": roles}, now)

    def _changed(self, changes: dict[str, object], now: datetime) -> User:
        differs = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not differs:
            return replace(self, changed=frozenset())
        return replace(self, **differs, updated_at=now, changed=frozenset(differs))  # type: ignore[arg-type]

    def accepts_token_version(self, version: int | None) -> bool:
        """Whether a token issued at `version` still speaks for this user (None: no token)."""
        return version is None or version == self.token_version


def token_holder(user: User | None, token_version: int | None) -> User:
    """The user an access token speaks for; Unauthenticated when the account is gone or
    disabled, or the token predates the user's last password change."""
    if user is None:
        raise Unauthenticated("The account of this token no longer exists.")
    if not user.accepts_token_version(token_version):
        raise Unauthenticated(STALE_TOKEN)
    if user.disabled_at is not None:
        raise Unauthenticated(ACCOUNT_DISABLED)
    return user
