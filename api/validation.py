"""Field rules the request schemas share: core's rules as marshmallow validators, and the second
factor a sensitive change or a sign-in's second step carries."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import Any

from marshmallow import ValidationError, fields, validate

from core.domain import recovery_code_problem, totp_code_problem


def core_rule(problem: Callable[[str], str | None]) -> Callable[[str], None]:
    """A rule of core's as a validator: one rule, and the same words whichever layer refuses."""

    def validator(value: str) -> None:
        message = problem(value)
        if message is not None:
            raise ValidationError(message)

    return validator


# A second factor, given with the password for a sensitive change or at the second step of a
# sign-in. The patterns are stated for clients; the rules themselves are core's (fullmatch).
def code_field(required: bool = False, description: str | None = None) -> fields.String:
    return fields.String(
        required=required,
        load_only=True,
        validate=[validate.Length(equal=6), core_rule(totp_code_problem)],
        metadata={
            "pattern": "^[0-9]{6}$",
            "description": description or "A code from the authenticator app (6 digits).",
        },
    )


def recovery_code_field() -> fields.String:
    return fields.String(
        load_only=True,
        validate=[validate.Length(10, 11), core_rule(recovery_code_problem)],
        metadata={
            "pattern": "^[A-Za-z2-7]{5}-?[A-Za-z2-7]{5}$",
            "description": "One of the recovery codes, in place of `code` (each works once).",
        },
    )


SECOND_FACTORS = ("code", "recovery_code", "passkey")


def one_second_factor(data: dict[str, Any], *, required: bool) -> None:
    """`code`, `recovery_code` or `passkey`: never two, and one of them when `required`."""
    given = data.keys() & set(SECOND_FACTORS)
    if len(given) > 1:
        raise ValidationError("Give one of `code`, `recovery_code` and `passkey`, not more.")
    if required and not given:
        raise ValidationError(
            "Give `code` (from the authenticator app), `recovery_code` or `passkey`.",
            field_name="code",
        )


# Each alternative names the types of the members it requires: a rule about an object whose
# members are of any type would have generators (schemathesis) make up arbitrary JSON for them.
_FACTOR_TYPES: dict[str, Any] = {
    "code": {"type": "string"},
    "recovery_code": {"type": "string"},
    "passkey": {"$ref": "#/components/schemas/PasskeyAssertion"},
}


def _with(*names: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(names),
        "properties": {name: _FACTOR_TYPES[name] for name in names},
    }


AT_MOST_ONE_FACTOR: dict[str, Any] = {
    "not": {"anyOf": [_with(*pair) for pair in combinations(SECOND_FACTORS, 2)]}
}
ONE_FACTOR: dict[str, Any] = {"oneOf": [_with(name) for name in SECOND_FACTORS]}
ONE_CODE: dict[str, Any] = {"oneOf": [_with("code"), _with("recovery_code")]}
"""One of the factors a form can carry: a passkey's answer is JSON, not a form field."""
