"""The rules a user's fields obey: usernames, email addresses, passwords."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

import idna

from core.domain.errors import InvalidInput

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Stored in place of a hash: no password verifies against it; only a reset sets a new one.
UNUSABLE_PASSWORD = "!unusable"
PASSWORD_LENGTH_RULE = f"Must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters long."
EMAIL_MAX_LENGTH = 254


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
