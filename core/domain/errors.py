"""The errors use cases raise on purpose; api/ maps each to an HTTP status in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Conflict(DomainError):
    """A unique value is already taken; `field` names it, never the account holding it."""

    def __init__(self, field: str) -> None:
        super().__init__(f"This {field} is already registered.")
        self.field = field


class InvalidCredentials(DomainError):
    def __init__(self, detail: str = "Invalid username or password.") -> None:
        super().__init__(detail)


class Forbidden(DomainError):
    """The caller is known but may not do this (e.g. the re-entered password is wrong)."""


class Unauthenticated(DomainError):
    """The bearer token is missing, invalid, expired, or names no current user."""


class InvalidRefreshToken(DomainError):
    """The refresh token is unknown, expired, revoked, or no longer matches its user."""

    def __init__(
        self, detail: str = "The refresh token is invalid, expired or revoked. Log in again."
    ) -> None:
        super().__init__(detail)


class InvalidActionToken(DomainError):
    """An emailed token is unknown, expired, used, meant for something else, or was sent to an
    address the account no longer has."""

    def __init__(
        self, detail: str = "The token is invalid, expired or already used. Ask for a new one."
    ) -> None:
        super().__init__(detail)


class NotFound(DomainError):
    """The thing asked for (an account by its id, a passkey of the caller's) does not exist, or
    belongs to someone else: the answer is the same."""


class InvalidPasskey(DomainError):
    """A passkey ceremony failed: the answer is malformed, answers a challenge that is unknown,
    expired, used or meant for something else, comes from another origin or relying party,
    lacks user verification, is signed wrongly, or names a credential that is not registered
    (to this user). One error for all of it: the client learns nothing it could tune against."""

    def __init__(self, detail: str = "The passkey could not be verified. Try again.") -> None:
        super().__init__(detail)


class ClonedAuthenticator(InvalidPasskey):
    """The passkey's signature counter went back (or stood still): two authenticators hold the
    same key, so one is a copy. The client is told no more than for any other failure."""


class AlreadyVerified(DomainError):
    """The address asked to be confirmed is confirmed already."""

    def __init__(self, detail: str = "This email address is already verified.") -> None:
        super().__init__(detail)


class InvalidInput(DomainError):
    """A value breaks a domain rule; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request has invalid fields.")
        self.errors = errors


class RateLimited(DomainError):
    """Too many attempts; `retry_after` is the number of seconds until one more is allowed."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class MailServerUnavailable(DomainError):
    """The mail server cannot be reached; the mail itself may be fine."""


class MailRejected(DomainError):
    """The mail server refused this mail (temporarily or for good)."""


class Unavailable(DomainError):
    """A dependency the request cannot be served without is down."""


class SecondFactorRequired(DomainError):
    """The password was right, and the account asks for a second factor: the sign-in goes on
    at the second step with `mfa_token` and a code of one of `methods`."""

    def __init__(self, mfa_token: str, methods: tuple[str, ...]) -> None:
        super().__init__(
            "The password is right; this account also asks for a second factor. Send the "
            "mfa_token with a code to POST /api/v1/token/mfa within 5 minutes."
        )
        self.mfa_token = mfa_token
        self.methods = methods


class InvalidMfaToken(DomainError):
    """The mfa_token is unknown, expired, used, or its account changed its password since."""

    def __init__(
        self, detail: str = "The mfa_token is invalid, expired or already used. Log in again."
    ) -> None:
        super().__init__(detail)


class StateConflict(DomainError):
    """The request does not fit the state the account is in (two-step sign-in is on already,
    or is not on)."""
