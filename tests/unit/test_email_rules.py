"""The one spelling an address is stored in, and the addresses an account may not have."""

from __future__ import annotations

import pytest

from core.domain import email_problem, login_key, normalise_email


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        (" user@bücher.example ", "user@xn--bcher-kva.example"),
        ("USER@BÜCHER.EXAMPLE", "user@xn--bcher-kva.example"),
        ("user@XN--BCHER-KVA.example", "user@xn--bcher-kva.example"),
        ("jose\u0301@example.com", "jos\u00e9@example.com"),
        ("a@fa\u00df.de", "a@xn--fa-hia.de"),  # IDNA 2008: ß is a letter of its own
        ("a@bücher\u3002example", "a@xn--bcher-kva.example"),  # an ideographic full stop
    ],
)
def test_every_spelling_of_an_address_is_stored_one_way(given: str, stored: str) -> None:
    assert normalise_email(given) == stored
    assert email_problem(given) is None
    assert login_key(given) == stored


def test_login_names_without_an_at_are_usernames() -> None:
    assert login_key(" Alice ") == "alice"


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("a@[127.0.0.1]", "IP address"),
        ("a@[IPv6:::1]", "IP address"),
        ("a@127.0.0.1", "IP address"),
        ("a@1.2.3", "IP address"),
        ("a@localhost", "single-label host"),
        ("a@localhost.", "single-label host"),
        ("a@xn--zz.example", "not a valid internationalised domain"),
        ("a@under_score.bücher.example", "not a valid internationalised domain"),
        ("no-at-sign", "Not a valid email address"),
        # 165 characters as typed, 256 in IDNA form.
        ("a" * 40 + "@" + ".".join(f"bücher{i:02}" for i in range(13)) + ".example", "254"),
    ],
)
def test_addresses_an_account_may_not_have(email: str, why: str) -> None:
    problem = email_problem(email)
    assert problem is not None
    assert why in problem


def test_normalising_never_fails_on_what_the_rules_refuse() -> None:
    assert normalise_email("A@Under_Score.Bücher.example") == "a@under_score.bücher.example"
