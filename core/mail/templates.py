"""Every lifecycle mail's words, plain text and HTML, in one place."""

from __future__ import annotations

from collections.abc import Callable
from string import Template

SIGNATURE = "The Accounts team"

# type -> (subject, plain text body, HTML body). $-placeholders; HTML values arrive escaped.
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "welcome": (
        "Welcome, $username",
        "Hello $username,\n\nyour account is ready. You sign in with your username or with "
        "this address, $email.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>your account is ready. You sign in with your username "
        "or with this address, <b>$email</b>.</p><p>$signature</p>",
    ),
    "changed": (
        "Your account changed",
        "Hello $username,\n\nthese details of your account were just changed: $changed.\n"
        "If that was not you, reset your password now and tell us.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>these details of your account were just changed: "
        "<b>$changed</b>.</p><p>If that was not you, reset your password now and tell us.</p>"
        "<p>$signature</p>",
    ),
    "email_moved": (
        "Your account no longer uses this address",
        "Hello $username,\n\nyour account's address was changed from this one to $email.\n"
        "If that was not you, tell us at once.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>your account's address was changed from this one to "
        "<b>$email</b>.</p><p>If that was not you, tell us at once.</p><p>$signature</p>",
    ),
    "goodbye": (
        "Your account was deleted",
        "Hello $username,\n\nyour account and its data were deleted. Goodbye, and thank you.\n\n"
        "$signature\n",
        "<p>Hello <b>$username</b>,</p><p>your account and its data were deleted. Goodbye, and "
        "thank you.</p><p>$signature</p>",
    ),
}


def render(name: str, values: dict[str, str], escape: Callable[[str], str]) -> tuple[str, str, str]:
    subject, text, html = TEMPLATES[name]
    plain = {**values, "signature": SIGNATURE}
    escaped = {key: escape(value) for key, value in plain.items()}
    return (
        Template(subject).substitute(plain),
        Template(text).substitute(plain),
        Template(html).substitute(escaped),
    )
