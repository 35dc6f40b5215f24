"""How many token mails one address may receive, whoever asks."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import RateLimit, RateLimited
from core.ports import Admission, RateLimiter

SPENT = "Too many mails to this address lately. Try again later."


@dataclass(frozen=True, slots=True)
class MailQuota:
    """Confirmation and reset mails per address and window, whatever the client address or
    account that asks: nobody can turn the service into a mail cannon against an inbox."""

    limiter: RateLimiter
    mail_quota: RateLimit

    async def take(self, address: str) -> bool:
        """Count one mail to `address`; False when its quota is spent (send nothing then)."""
        return (await self._acquire(address)).allowed

    async def require(self, address: str) -> None:
        """Count one mail to `address`; RateLimited when its quota is spent."""
        admission = await self._acquire(address)
        if not admission.allowed:
            raise RateLimited(SPENT, retry_after=admission.reset_seconds)

    async def _acquire(self, address: str) -> Admission:
        return await self.limiter.acquire(f"mail-quota:{address.lower()}", self.mail_quota)
