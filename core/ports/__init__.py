"""What the use cases need from the outside world. Adapters implement these; tests fake them.

One import path for every port; the modules group them by what stands behind them."""

from core.ports.security import (
    AccessClaims,
    Admission,
    BreachCheckUnavailable,
    BreachedPasswords,
    CommonPasswords,
    IssuedToken,
    PasswordHasher,
    RateLimiter,
    TokenIssuer,
)
from core.ports.services import (
    BackgroundJobs,
    Clock,
    EmailCheckMisconfigured,
    EmailCheckUnavailable,
    EmailReputation,
    Mail,
    MailSender,
    Verdict,
)
from core.ports.storage import (
    ActionTokenRepository,
    Bookkeeping,
    EventOutbox,
    ProcessedEvents,
    RefreshTokenRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UserReader,
    UserRepository,
)

__all__ = [
    "AccessClaims",
    "ActionTokenRepository",
    "Admission",
    "BackgroundJobs",
    "Bookkeeping",
    "BreachCheckUnavailable",
    "BreachedPasswords",
    "Clock",
    "CommonPasswords",
    "EmailCheckMisconfigured",
    "EmailCheckUnavailable",
    "EmailReputation",
    "EventOutbox",
    "IssuedToken",
    "Mail",
    "MailSender",
    "PasswordHasher",
    "ProcessedEvents",
    "RateLimiter",
    "RefreshTokenRepository",
    "TokenIssuer",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserReader",
    "UserRepository",
    "Verdict",
]
