"""The domain: users, their credentials, rate limits, and the errors use cases raise.

One import path for all of it; the modules group it by subject."""

from core.domain.errors import (
    AlreadyVerified,
    Conflict,
    DomainError,
    Forbidden,
    InvalidActionToken,
    InvalidCredentials,
    InvalidInput,
    InvalidRefreshToken,
    MailRejected,
    MailServerUnavailable,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from core.domain.limits import (
    RateLimit,
)
from core.domain.tokens import (
    ACTION_TOKEN_TTL,
    ActionPurpose,
    ActionToken,
    RefreshToken,
    action_token_hash,
    refresh_token_hash,
)
from core.domain.users import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    STALE_TOKEN,
    USERNAME_PATTERN,
    User,
    check_password,
    check_username,
    normalise_email,
    token_holder,
)

__all__ = [
    "ACTION_TOKEN_TTL",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "STALE_TOKEN",
    "USERNAME_PATTERN",
    "ActionPurpose",
    "ActionToken",
    "AlreadyVerified",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidActionToken",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidRefreshToken",
    "MailRejected",
    "MailServerUnavailable",
    "RateLimit",
    "RateLimited",
    "RefreshToken",
    "Unauthenticated",
    "Unavailable",
    "User",
    "action_token_hash",
    "check_password",
    "check_username",
    "normalise_email",
    "refresh_token_hash",
    "token_holder",
]
