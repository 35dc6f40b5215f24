"""Forms: what a person typed, checked by the API's own schemas and core's own rules, and the
errors to show beside each field. No rule is written here: the schema classes of api/schemas.py
load the form as they load a JSON body, and core's handlers raise what they raise for the API."""

from __future__ import annotations

import math
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from marshmallow import Schema

from api import body
from api.passkey_schemas import PasskeyAssertion, PasskeyRegistration
from api.problems import Problem, status_of
from core.domain import (
    AlreadyVerified,
    Conflict,
    DomainError,
    Forbidden,
    InvalidActionToken,
    InvalidCredentials,
    InvalidInput,
    InvalidPasskey,
    RateLimited,
)
from core.passkeys.ceremony import PasskeyAnswer

T = TypeVar("T")
WHOLE_FORM = "_body"
"""Where api.body puts messages that concern no one field; shown above the form."""
SECRET_FIELDS = frozenset(
    {"password", "current_password", "new_password", "code", "recovery_code", "credential"}
)
"""Never shown again, not even to their owner: a page can be cached, printed or looked at (and
a passkey's answer is asked for afresh each time)."""
SHOWN_ON_FORM = (
    InvalidInput,
    Conflict,
    Forbidden,
    RateLimited,
    InvalidCredentials,
    InvalidActionToken,
    InvalidPasskey,
    AlreadyVerified,
)
"""What a person can act on from the form itself; any other error gets the error page."""


async def succeeded(
    form: Form, action: Awaitable[object], forbidden_field: str | None = None
) -> bool:
    """Run a core command for `form`: True when done; False with its error put on the form."""
    try:
        await action
    except SHOWN_ON_FORM as error:
        form.reject(error, forbidden_field)
        return False
    return True


async def result_of(
    form: Form, action: Awaitable[T], forbidden_field: str | None = None
) -> T | None:
    """As `succeeded`, for a command whose result the next page shows: the result, or None
    with the command's error put on the form."""
    try:
        return await action
    except SHOWN_ON_FORM as error:
        form.reject(error, forbidden_field)
        return None


def given(values: dict[str, str], *names: str, always: tuple[str, ...] = ()) -> dict[str, str]:
    """The named fields as an API client would send them: one left empty is left out (the
    schema then says it is needed), except those in `always` (the value being changed)."""
    return {n: values.get(n, "") for n in names if values.get(n) or n in always}


NO_PASSKEY_ANSWER = (
    "Your browser gave no passkey's answer: it was cancelled or took too long, there is no "
    "passkey for this site on this device, or JavaScript is off (passkeys need it). Try again."
)
# A passkey's answer as the API reads it: to sign (`get`), or to make a passkey (`create`).
_ANSWERS: dict[str, Schema] = {
    "get": PasskeyAssertion(),
    "create": PasskeyRegistration(only=("challenge_id", "credential")),
}


def passkey_answer(form: Form, values: dict[str, str], kind: str = "get") -> PasskeyAnswer | None:
    """The passkey's answer a form carries in its hidden fields (`challenge_id` and
    `credential`, the JSON the page's script put there), loaded as the API loads it; None,
    with the reason on the form, when there is none."""
    try:
        credential = orjson.loads(values.get("credential") or "null")
        loaded = body.load(
            _ANSWERS[kind], {"challenge_id": values.get("challenge_id"), "credential": credential}
        )
    except (orjson.JSONDecodeError, Problem):
        form.status = 400
        form.errors[WHOLE_FORM] = [NO_PASSKEY_ANSWER]
        return None
    if isinstance(loaded, PasskeyAnswer):
        return loaded
    return PasskeyAnswer(loaded["challenge_id"], loaded["credential"])


def with_step_up(
    form: Form, values: dict[str, str], data: dict[str, Any] | None
) -> dict[str, Any] | None:
    """`data` and the passkey's answer that a form of a passkey-only account carries to confirm
    a change (`passkey`, as the API takes it); None, with the reason on the form, when the form
    has a place for one and no answer came."""
    if data is None or "credential" not in values:
        return data
    answer = passkey_answer(form, values)
    return None if answer is None else {**data, "passkey": answer}


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return "1 second" if seconds <= 1 else f"{seconds} seconds"
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = math.ceil(seconds / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def with_wait(error: RateLimited) -> str:
    """The error's words, saying how long to wait instead of 'later'."""
    wait = f"Try again in {wait_text(max(1, error.retry_after))}."
    detail = error.detail.removesuffix("Try again later.").rstrip()
    return f"{detail} {wait}"


# marshmallow's message for a required field left out, and what each form asks for instead.
MISSING = "Missing data for required field."
_TO_ENTER = {
    ("login", "username"): "your username or email address",
    ("", "username"): "a username",
    ("", "email"): "an email address",
    ("", "password"): "a password",
    ("login", "password"): "your password",
    ("delete", "password"): "your password",
    ("", "current_password"): "your current password",
    ("", "new_password"): "a new password",
    ("", "code"): "the code from your authenticator app",
    ("", "name"): "a name",
    ("", "token"): "the code from the mail",
}


@dataclass
class Form:
    """One form of a page: its values (never a password) and its errors, by field name."""

    id: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    status: int = 200

    @classmethod
    def of(cls, form_id: str, values: dict[str, str]) -> Form:
        kept = {name: value for name, value in values.items() if name not in SECRET_FIELDS}
        return cls(form_id, kept)

    def load(self, schema: Schema, data: dict[str, str]) -> dict[str, Any] | None:
        """The data loaded by `schema` as the API loads it, or None with the errors kept. An
        empty required field says what to enter: the error summary lists the messages alone,
        and two "Missing data for required field." would not tell the fields apart."""
        try:
            return body.load(schema, data)
        except Problem as problem:
            self.status = problem.status_code
            errors = problem.errors or {WHOLE_FORM: [str(problem.description)]}
            for name, messages in errors.items():
                self.errors[name] = [self._missing(name) if m == MISSING else m for m in messages]
            return None

    def _missing(self, name: str) -> str:
        what = _TO_ENTER.get((self.id, name)) or _TO_ENTER.get(("", name))
        return f"Enter {what}." if what else "Fill this in."

    def reject(self, error: DomainError, forbidden_field: str | None = None) -> None:
        """Show a domain error beside the field it concerns, else above the form.
        `forbidden_field` is the password that a Forbidden says was wrong."""
        self.status = status_of(error)
        if isinstance(error, InvalidInput):
            # A passkey's answer is no field a person fills in: its errors go above the form.
            for name, messages in error.errors.items():
                self.errors[WHOLE_FORM if name == "passkey" else name] = messages
        elif isinstance(error, Conflict):
            self.errors[error.field] = [error.detail]
        elif isinstance(error, Forbidden) and forbidden_field is not None:
            self.errors[forbidden_field] = [error.detail]
        elif isinstance(error, RateLimited):
            self.errors[WHOLE_FORM] = [with_wait(error)]
        else:
            self.errors[WHOLE_FORM] = [error.detail]

    @property
    def first_invalid(self) -> str | None:
        """The field to put the cursor in: the first one with an error."""
        return next((name for name in self.errors if name != WHOLE_FORM), None)

    def field_id(self, name: str) -> str:
        return f"{self.id}-{name.replace('_', '-')}"
