"""Where webhooks may go: the URL rules, the address rule (SSRF), and the event types."""

from __future__ import annotations

import pytest

from core.domain import InvalidInput
from core.public_events import PUBLIC_EVENT_TYPES
from core.webhooks.rules import (
    TargetRules,
    address_allowed,
    check_target,
    checked_event_types,
    url_problem,
)
from tests.unit.webhook_fakes import FakeResolver

PRODUCTION = TargetRules()
DEVELOPMENT = TargetRules(allow_http=True, allow_private=True)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.com/in", "Must be an https:// URL."),
        ("ftp://hooks.example.com/in", "Must be an https:// URL."),
        ("hooks.example.com/in", "Must be an https:// URL."),
        ("https://user:pass@hooks.example.com/in", "Must not carry credentials"),
        ("https://token@hooks.example.com/in", "Must not carry credentials"),
        ("https:///in", "Must name a host."),
        ("https://hooks.example.com:99999/in", "Not a URL."),
        ("https://hooks.example.com/in put", "Must not contain spaces or control characters."),
        ("https://hooks.example.com/\x00", "Must not contain spaces or control characters."),
        ("https://hooks.example.com/" + "a" * 2048, "Must be at most 2048 characters."),
    ],
)
def test_urls_that_are_refused(url: str, problem: str) -> None:
    found = url_problem(url, PRODUCTION)
    assert found is not None
    assert found.startswith(problem), found


def test_https_urls_pass_and_http_only_where_allowed() -> None:
    assert url_problem("https://hooks.example.com:8443/in?x=1", PRODUCTION) is None
    assert url_problem("HTTPS://Hooks.Example.com/in", PRODUCTION) is None
    assert url_problem("http://127.0.0.1:8080/in", DEVELOPMENT) is None
    assert url_problem("http://user@127.0.0.1/in", DEVELOPMENT) is not None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # a cloud's metadata service
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "not an address",
    ],
)
def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    assert not address_allowed(address, PRODUCTION)
    if address != "not an address":
        assert address_allowed(address, DEVELOPMENT)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address, PRODUCTION)


async def test_a_host_is_checked_by_every_address_it_resolves_to() -> None:
    resolver = FakeResolver(
        {
            "public.example": ["93.184.215.14"],
            "mixed.example": ["93.184.215.14", "10.0.0.5"],
            "inside.example": ["192.168.0.10"],
        }
    )
    await check_target("https://public.example/in", PRODUCTION, resolver)
    for host, says in [
        ("mixed.example", "resolves to a private"),
        ("inside.example", "resolves to a private"),
        ("169.254.169.254", "resolves to a private"),
        ("nowhere.example", "does not resolve"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            await check_target(f"https://{host}/in", PRODUCTION, resolver)
        assert says in refused.value.errors["url"][0]
    # Development: a receiver on this machine, whatever the name resolves to.
    await check_target("http://localhost:8080/in", DEVELOPMENT, FakeResolver())


def test_event_types_are_the_public_topics_each_once() -> None:
    assert checked_event_types(["user.created", "user.deleted", "user.created"]) == (
        "user.created",
        "user.deleted",
    )
    assert set(checked_event_types(PUBLIC_EVENT_TYPES)) == set(PUBLIC_EVENT_TYPES)
    with pytest.raises(InvalidInput) as unknown:
        checked_event_types(["user.created", "user.renamed", "password.changed"])
    messages = unknown.value.errors["event_types"]
    assert len(messages) == 2
    assert messages[0].startswith("Unknown event type: user.renamed. Known: user.created, ")
    assert messages[1].startswith("Unknown event type: password.changed.")
    with pytest.raises(InvalidInput):
        checked_event_types([])
