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
    "email_change_requested": (
        "Someone asked to change your account's address",
        "Hello $username,\n\nsomeone signed in to your account asked to change its address from "
        "this one to $new_email. Nothing changes until that address confirms.\n\nIf that was "
        "not you, cancel the change (this also signs your account out everywhere) by opening "
        "this link:\n\n$link\n\nor by sending this token to POST "
        "/api/v1/users/email-change/cancel:\n\n$token\n\nThen change your password.\n\n"
        "$signature\n",
        "<p>Hello <b>$username</b>,</p><p>someone signed in to your account asked to change its "
        "address from this one to <b>$new_email</b>. Nothing changes until that address "
        "confirms.</p><p>If that was not you, cancel the change (this also signs your account "
        'out everywhere) by opening this link:</p><p><a href="$link">$link</a></p><p>or by '
        "sending this token to POST /api/v1/users/email-change/cancel:</p><p><code>$token</code>"
        "</p><p>Then change your password.</p><p>$signature</p>",
    ),
    "email_changed": (
        "Your account no longer uses this address",
        "Hello $username,\n\nyour account's address was changed from this one to $new_email.\n"
        "If that was not you, take the account back within 7 days: this link restores this "
        "address, signs the account out everywhere and mails you a password reset link:\n\n"
        "$link\n\nor send this token to POST /api/v1/users/email-change/cancel:\n\n$token\n\n"
        "$signature\n",
        "<p>Hello <b>$username</b>,</p><p>your account's address was changed from this one to "
        "<b>$new_email</b>.</p><p>If that was not you, take the account back within 7 days: "
        "this link restores this address, signs the account out everywhere and mails you a "
        'password reset link:</p><p><a href="$link">$link</a></p><p>or send this token to POST '
        "/api/v1/users/email-change/cancel:</p><p><code>$token</code></p><p>$signature</p>",
    ),
    "email_change_cancelled": (
        "The change of your account's address was cancelled",
        "Hello $username,\n\nthe change of your account's address to $new_email was cancelled, "
        "and your account was signed out everywhere. If someone else asked for that change, "
        "they may know your password: change it now.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>the change of your account's address to "
        "<b>$new_email</b> was cancelled, and your account was signed out everywhere. If someone "
        "else asked for that change, they may know your password: change it now.</p>"
        "<p>$signature</p>",
    ),
    "verify_email": (
        "Confirm your email address",
        "Hello $username,\n\nplease confirm that $email is your address by opening this link:\n\n"
        "$link\n\nor by sending this token to POST /api/v1/users/verify-email:\n\n$token\n\n"
        "The link works once, for 24 hours. If you did not ask for it, ignore this mail.\n\n"
        "$signature\n",
        "<p>Hello <b>$username</b>,</p><p>please confirm that <b>$email</b> is your address by "
        'opening this link:</p><p><a href="$link">$link</a></p><p>or by sending this token to '
        "POST /api/v1/users/verify-email:</p><p><code>$token</code></p><p>The link works once, "
        "for 24 hours. If you did not ask for it, ignore this mail.</p><p>$signature</p>",
    ),
    "reset_password": (
        "Reset your password",
        "Hello $username,\n\nsomeone asked to reset the password of your account. To choose a "
        "new one, open this link:\n\n$link\n\nor send this token with your new password to "
        "POST /api/v1/password/reset:\n\n$token\n\nThe link works once, for 30 minutes. If "
        "you did not ask for it, ignore this mail: your password stays as it is.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>someone asked to reset the password of your account. "
        'To choose a new one, open this link:</p><p><a href="$link">$link</a></p><p>or send this '
        "token with your new password to POST /api/v1/password/reset:</p><p><code>$token</code>"
        "</p><p>The link works once, for 30 minutes. If you did not ask for it, ignore this mail: "
        "your password stays as it is.</p><p>$signature</p>",
    ),
    "passkey_added": (
        "A passkey was added to your account",
        "Hello $username,\n\na passkey was added to your account: from now on it can sign you in. "
        "If you did not add it, someone else may be signed in to your account: change your "
        "password now and remove the passkey from your account.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>a passkey was added to your account: from now on it can "
        "sign you in.</p><p>If you did not add it, someone else may be signed in to your "
        "account: change your password now and remove the passkey from your account.</p>"
        "<p>$signature</p>",
    ),
    "passkey_removed": (
        "A passkey was removed from your account",
        "Hello $username,\n\na passkey was removed from your account: it signs nobody in any "
        "more. If it was your only second factor, signing in with your password no longer asks "
        "for anything else. If you did not remove it, someone else may be signed in to your "
        "account: change your password now and check your passkeys and sessions.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>a passkey was removed from your account: it signs "
        "nobody in any more. If it was your only second factor, signing in with your password no "
        "longer asks for anything else.</p><p>If you did not remove it, someone else may be "
        "signed in to your account: change your password now and check your passkeys and "
        "sessions.</p><p>$signature</p>",
    ),
    "locked_out": (
        "Too many failed sign-ins to your account",
        "Hello $username,\n\nthere were too many failed attempts to sign in to your account, so "
        "signing in from where they came from is paused for a while. Devices you usually sign "
        "in from are not affected.\n\nIf these attempts were not yours, someone is guessing your "
        "password: they did not get in, but if you use this password anywhere else, change it "
        "there and here.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>there were too many failed attempts to sign in to your "
        "account, so signing in from where they came from is paused for a while. Devices you "
        "usually sign in from are not affected.</p><p>If these attempts were not yours, someone "
        "is guessing your password: they did not get in, but if you use this password anywhere "
        "else, change it there and here.</p><p>$signature</p>",
    ),
    "refresh_token_reused": (
        "We signed one of your sessions out",
        "Hello $username,\n\na sign-in session of your account was used from two places at "
        "once, which happens when someone else holds a copy of it. We ended that session, for "
        "both of them: if it was one of your devices, sign in there again.\n\nIf this keeps "
        "happening, or you do not recognise the sign-ins listed for your account, change your "
        "password: that ends every session.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>a sign-in session of your account was used from two "
        "places at once, which happens when someone else holds a copy of it. We ended that "
        "session, for both of them: if it was one of your devices, sign in there again.</p>"
        "<p>If this keeps happening, or you do not recognise the sign-ins listed for your "
        "account, change your password: that ends every session.</p><p>$signature</p>",
    ),
    "new_sign_in": (
        "New sign-in to your account",
        "Hello $username,\n\nyour account was just signed in to from a device and address it "
        "has not used lately:\n\n  When: $when\n  Device: $device\n  Address: $ip\n\n"
        "If that was you, there is nothing to do. If not, end that session on your account "
        "page, and change your password there:\n\n$link\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>your account was just signed in to from a device and "
        "address it has not used lately:</p><ul><li>When: <b>$when</b></li><li>Device: "
        "<b>$device</b></li><li>Address: <b>$ip</b></li></ul><p>If that was you, there is "
        "nothing to do. If not, end that session on your account page, and change your "
        'password there:</p><p><a href="$link">$link</a></p><p>$signature</p>',
    ),
    "mfa_enabled": (
        "Two-step sign-in is on",
        "Hello $username,\n\ntwo-step sign-in was just turned on for your account: from now on, "
        "signing in takes a code from your authenticator app (or one of your recovery codes) "
        "as well as your password. Keep the recovery codes somewhere safe.\n"
        "If that was not you, reset your password now and tell us.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>two-step sign-in was just turned on for your account: "
        "from now on, signing in takes a code from your authenticator app (or one of your "
        "recovery codes) as well as your password. Keep the recovery codes somewhere safe.</p>"
        "<p>If that was not you, reset your password now and tell us.</p><p>$signature</p>",
    ),
    "mfa_disabled": (
        "Two-step sign-in is off",
        "Hello $username,\n\ntwo-step sign-in was just turned off for your account: signing "
        "in takes only your password now, and your recovery codes no longer work.\n"
        "If that was not you, reset your password now, turn two-step sign-in on again, and "
        "tell us.\n\n$signature\n",
        "<p>Hello <b>$username</b>,</p><p>two-step sign-in was just turned off for your "
        "account: signing in takes only your password now, and your recovery codes no longer "
        "work.</p><p>If that was not you, reset your password now, turn two-step sign-in on "
        "again, and tell us.</p><p>$signature</p>",
    ),
    "recovery_code_used": (
        "A recovery code of your account was used",
        "Hello $username,\n\none of your recovery codes was just used for your account, in "
        "place of a code from your authenticator app. It works no more; $codes_left left.\n"
        "If that was not you, reset your password now and make new recovery codes.\n\n"
        "$signature\n",
        "<p>Hello <b>$username</b>,</p><p>one of your recovery codes was just used for your "
        "account, in place of a code from your authenticator app. It works no more; "
        "<b>$codes_left</b> left.</p><p>If that was not you, reset your password now and make "
        "new recovery codes.</p><p>$signature</p>",
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
