"""Failed sign-ins lock an account out for strangers, never for the addresses its owner uses."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from core.domain import RateLimit, RateLimited, Unavailable, User
from core.ports import FamiliarAddresses, LockoutCounter

LOCKED = "Too many failed logins for this account. Try again later."


def client_network(address: str | None) -> str | None:
    """The unit an address is judged by: the IPv4 address, or the IPv6 /64 (one subscriber
    usually holds a whole /64 and can pick any address in it). None for no or no IP address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    user: User | None
    network: str | None
    keys: tuple[str, ...]
    lock_seconds: int | None = None
    """Set when this attempt took the last slot of a budget: if its password is wrong, the
    account is locked (for its network, or for every unfamiliar one) this many seconds."""


@dataclass(frozen=True, slots=True)
class LoginLockout:
    """Counts failed password checks (sign-in, and the password re-entered for a sensitive
    change) per account and per (account, client network).

    A network that signed in to the account successfully lately is familiar: it is held only
    to its own budget, so failures from elsewhere never lock the owner out. Every other network
    shares the account's budget: once strangers spend it, new networks are refused until the
    window frees a slot or a password reset (which raises the token version, part of every key)
    lifts every lock. Each attempt takes its slots before the password is checked, so
    concurrent guesses cannot outrun the budget. Unknown logins have a budget of their own
    under a hash of the name, and get the same answers as known ones."""

    limiter: LockoutCounter
    familiar: FamiliarAddresses
    failed_sign_ins: RateLimit
    """Failed password checks allowed per budget (account, or account and network)."""

    async def attempt(self, user: User | None, login: str, address: str | None) -> SignInAttempt:
        """Take a slot for one password check; raises RateLimited when locked out."""
        network = client_network(address)
        if user is None:
            name = hashlib.sha256(login.strip().lower().encode("utf-8", "replace")).hexdigest()
            keys: tuple[str, ...] = (f"login-failures:unknown:{name[:32]}",)
        else:
            account = f"login-failures:{user.id}:{user.token_version}"
            per_network = f"{account}:{network or 'none'}"
            familiar = network is not None and await self.familiar.seen(user, network)
            keys = (per_network,) if familiar else (per_network, account)
        admissions = await self.limiter.acquire_all([(key, self.failed_sign_ins) for key in keys])
        refused = [a for a in admissions if not a.allowed]
        if refused:
            raise RateLimited(LOCKED, retry_after=max(a.reset_seconds for a in refused))
        spent = [a.reset_seconds for a in admissions if a.remaining == 0]
        return SignInAttempt(user, network, keys, max(spent) if spent else None)

    async def lock_is_news(self, attempt: SignInAttempt) -> bool:
        """Whether the lock this failed attempt set is the account's first in a window, so
        its owner hears of it once: a sliding window frees one slot at a time, and a guesser
        who keeps going locks the account again with each."""
        if attempt.user is None or attempt.lock_seconds is None:
            return False
        key = f"login-lock-notice:{attempt.user.id}:{attempt.user.token_version}"
        once = RateLimit(1, self.failed_sign_ins.window_seconds)
        try:
            return (await self.limiter.acquire(key, once)).allowed
        except Unavailable:
            return True  # a notice twice rather than none

    async def succeeded(self, attempt: SignInAttempt) -> None:
        """The password was right: this network's failures are forgotten, it is familiar from
        now on, and this attempt does not count against the account's shared budget (which is
        not reset: an attack on the account may be under way)."""
        if attempt.user is None:
            return
        per_network, *account = attempt.keys
        await self.limiter.reset(per_network)
        for key in account:
            await self.limiter.give_back(key)
        if attempt.network is not None:
            await self.familiar.remember(attempt.user, attempt.network)

    async def password_passed(self, attempt: SignInAttempt, *, second_factor: bool) -> None:
        """The password was right: `succeeded`, unless the account has a second factor that
        did not come with it (`first_step_passed`)."""
        if second_factor:
            await self.first_step_passed(attempt)
        else:
            await self.succeeded(attempt)

    async def first_step_passed(self, attempt: SignInAttempt) -> None:
        """The password was right but the account asks for a second factor: this check was no
        failure (its slots are given back), but the sign-in is not done either, so the
        network's failures are not forgotten and it does not become familiar. Failed second
        steps count as failed sign-ins; a second step that succeeds calls `succeeded`."""
        if attempt.user is None:
            return
        for key in attempt.keys:
            await self.limiter.give_back(key)

    async def familiar_network(self, user: User, address: str | None) -> bool:
        network = client_network(address)
        return network is not None and await self.familiar.seen(user, network)

    async def remember(self, user: User, address: str | None) -> None:
        """The client's network has shown it holds the account (a reset from a mailed link)."""
        network = client_network(address)
        if network is not None:
            await self.familiar.remember(user, network)
