"""Users and the rules their fields obey."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

import idna

from core.domain.errors import InvalidInput, Unauthenticated

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
PASSWORD_LENGTH_RULE = f"Must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters long."
EMAIL_MAX_LENGTH = 254
STALE_TOKEN = "The access token was issued before the password changed. Log in again."


def normalise_email(email: str) -> str:
    """The one spelling an address is stored and compared in: NFC, lower-case, and the domain
    in its IDNA (punycode) form, so that neither case, Unicode composition nor the Unicode and
    ASCII spellings of a domain split an account in two. Never fails: a domain that is not a
    valid IDN stays as written (and `email_problem` refuses to store it)."""
    address = unicodedata.normalize("NFC", email.strip().lower())
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def login_key(login: str) -> str:
    """The spelling a login name, a username or an address, is looked up in (usernames hold
    no "@")."""
    login = login.strip()
    return normalise_email(login) if "@" in login else login.lower()


def email_problem(email: str) -> str | None:
    """Why an address may not be stored on an account, or None. Syntax is the schema's job;
    these are the rules about where the mail would go."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        return "Not a valid email address."
    if domain.startswith("[") or _is_ip_address(domain):
        return "Addresses at an IP address are not accepted; use one at a domain name."
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError:
            return "The domain is not a valid internationalised domain name."
    labels = domain.rstrip(".").split(".")
    if not all(_valid_a_label(label) for label in labels):
        return "The domain is not a valid internationalised domain name."
    if len(labels) < 2:
        return "Addresses at a single-label host (such as localhost) are not accepted."
    if labels[-1].isdigit():
        return "Addresses at an IP address are not accepted; use one at a domain name."
    if len(normalise_email(email)) > EMAIL_MAX_LENGTH:
        return f"Longer than {EMAIL_MAX_LENGTH} characters once the domain is in IDNA form."
    return None


def _valid_a_label(label: str) -> bool:
    """An ASCII label in punycode ("xn--…") must decode, or it is no spelling of any name."""
    if not label.lower().startswith("xn--"):
        return True
    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_email(email: str) -> None:
    problem = email_problem(email)
    if problem is not None:
        raise InvalidInput({"email": [problem]})


def check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            {"username": ["Must be 3-32 characters of letters, digits, '_', '.' or '-'."]}
        )


def normalise_password(password: str) -> str:
    """The form of a password that is checked, counted and hashed: Unicode NFKC, so that a
    password typed on another keyboard or input method (composed or decomposed accents,
    full-width letters) is the same password."""
    return unicodedata.normalize("NFKC", password)


def password_length_problem(password: str) -> str | None:
    """Length is counted in the normal form: combining marks do not pad a short password."""
    length = len(normalise_password(password))
    ok = PASSWORD_MIN_LENGTH <= length <= PASSWORD_MAX_LENGTH
    return None if ok else PASSWORD_LENGTH_RULE


def check_password(password: str) -> None:
    problem = password_length_problem(password)
    if problem is not None:
        raise InvalidInput({"password": [problem]})


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
    """Raised by every password change. Access and refresh tokens carry the version they were
    issued at, so a change retires every token issued before it."""
    changed: frozenset[str] = field(default=frozenset(), compare=False)

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
        """Return the user with the given fields changed; `changed` names what really differs.

        `email_status` is what the reputation check said of a new address."""
        changes: dict[str, object] = {}
        if username is not None and username != self.username:
            changes["username"] = username
        if email is not None and normalise_email(email) != self.email:
            changes["email"] = normalise_email(email)
            # A new address has not been confirmed by anyone yet.
            changes["email_verified"] = False
            changes["email_status"] = email_status
            changes["email_status_at"] = now
        if password_hash is not None:
            changes["password_hash"] = password_hash
            changes["token_version"] = self.token_version + 1
        if not changes:
            return replace(self, changed=frozenset())
        names = frozenset(changes) - {
            "email_verified",
            "email_status",
            "email_status_at",
            "token_version",
        }
        return replace(self, **changes, updated_at=now, changed=names)  # type: ignore[arg-type]

    def accepts_token_version(self, version: int | None) -> bool:
        """Whether a token issued at `version` still speaks for this user (None: no token)."""
        return version is None or version == self.token_version


def token_holder(user: User | None, token_version: int | None) -> User:
    """The user an access token speaks for; Unauthenticated when the account is gone or the
    token predates the user's last password change."""
    if user is None:
        raise Unauthenticated("The account of this token no longer exists.")
    if not user.accepts_token_version(token_version):
        raise Unauthenticated(STALE_TOKEN)
    return user
