"""The password policy every new password passes: at sign-up, on a change and on a reset.

Sign-in does not apply it: a password chosen under older rules still signs in."""

from __future__ import annotations

import logging
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from core.domain import InvalidInput, Unavailable, normalise_password, password_length_problem
from core.ports import BreachCheckUnavailable, BreachedPasswords, CommonPasswords

log = logging.getLogger("core.passwords")

COMMON = "This is one of the most common passwords; choose another."
COMMON_VARIANT = "This is a common password with digits or symbols around it; choose another."
PERSONAL = "Must not contain the username or the part of the email address before the @."
BREACHED = "This password appears in known data breaches, so attackers try it; choose another."
UNAVAILABLE = "The breached-password check is unavailable; try again shortly."

# What people put around a common word to satisfy composition rules ("Dragon2024!"); guessers
# try these variants first, so a common word inside them is as weak as the word.
_PADDING = string.digits + string.punctuation + string.whitespace
# A shorter core than this is no word of the list but noise ("1!a2").
_MIN_CORE = 4
# Names this long or longer may not appear anywhere in a password. Three-letter ones ("bob",
# "new" of new@example.com) are everyday syllables: refusing every passphrase with them in it
# would be absurd, so they are refused only as the whole password apart from the digits and
# symbols around it ("bob2024!"). Shorter ones ("jo") are ignored.
_MIN_CONTAINED = 4
_MIN_IDENTITY = 3


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """Refuses, with InvalidInput naming `field`, a password that is too short or too long
    (counted after NFKC normalisation), one of the most common passwords (in any case, or with
    digits and symbols around it), one that contains the username or the email's local part
    (see _MIN_CONTAINED for short ones), and, when a breached-password corpus is configured,
    one that appears in it.

    The corpus is asked last, and only for a password every local rule accepts. When it cannot
    be asked the password is allowed (logged; the adapter counts it), or, with
    `breached_fail_closed`, the request fails with Unavailable."""

    common: CommonPasswords
    breached: BreachedPasswords
    breached_fail_closed: bool

    async def check(
        self, password: str, *, identities: Iterable[str | None] = (), field: str = "password"
    ) -> None:
        """Every rule. `identities` are the usernames and addresses the password must not
        contain. Call it before a unit of work opens: it may wait on the breach corpus."""
        problems = self.local_problems(password, identities)
        if problems:
            raise InvalidInput({field: problems})
        if await self._breached(normalise_password(password)):
            raise InvalidInput({field: [BREACHED]})

    def check_identities(
        self, password: str, identities: Iterable[str | None], *, field: str = "password"
    ) -> None:
        """Only the rule about the username and address, for a caller that learns them late
        (a reset learns whose password it sets from the token, inside its transaction)."""
        if _contains_identity(normalise_password(password).casefold(), identities):
            raise InvalidInput({field: [PERSONAL]})

    def local_problems(self, password: str, identities: Iterable[str | None]) -> list[str]:
        """Why the password breaks a rule that needs no outside service; empty if none."""
        length = password_length_problem(password)
        if length is not None:
            return [length]
        folded = normalise_password(password).casefold()
        problems = []
        common = [form for form in _common_forms(folded) if self.common.contains(form)]
        if common:
            problems.append(COMMON if common[0] == folded else COMMON_VARIANT)
        if _contains_identity(folded, identities):
            problems.append(PERSONAL)
        return problems

    async def _breached(self, normalised: str) -> bool:
        try:
            return await self.breached.times_seen(normalised) > 0
        except BreachCheckUnavailable as error:
            if self.breached_fail_closed:
                raise Unavailable(UNAVAILABLE) from error
            log.warning(
                "breached-password check unavailable; password allowed",
                extra={"error": error.detail},
            )
            return False


def _common_forms(folded: str) -> Iterator[str]:
    yield folded
    core = folded.strip(_PADDING)
    if core != folded and len(core) >= _MIN_CORE:
        yield core


def _contains_identity(folded: str, identities: Iterable[str | None]) -> bool:
    core = folded.strip(_PADDING)
    return any(
        part in folded if len(part) >= _MIN_CONTAINED else part == core
        for part in _identity_parts(identities)
    )


def _identity_parts(identities: Iterable[str | None]) -> set[str]:
    """The username, and an address's local part with and without its "+tag"."""
    parts = set()
    for identity in identities:
        if not identity:
            continue
        local = identity.rpartition("@")[0] or identity
        for part in (local, local.partition("+")[0]):
            folded = normalise_password(part).casefold()
            if len(folded) >= _MIN_IDENTITY:
                parts.add(folded)
    return parts
