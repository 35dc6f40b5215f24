"""Reading the audit trail: pages cut by position, cursors, limits, pruning; and the device
names read from User-Agent headers."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from injector import Injector

from core.audit.device import UNKNOWN, device_name
from core.audit.events import SecurityEvent
from core.audit.list_security_events import ListSecurityEvents, ListSecurityEventsHandler
from core.domain import InvalidInput, Unauthenticated, User
from core.housekeeping.prune_audit_trail import PruneAuditTrail
from tests.unit.fakes import FixedClock, InMemoryUnitOfWorkFactory


@pytest.fixture
def listing(handlers: Injector) -> ListSecurityEventsHandler:
    return handlers.get(ListSecurityEventsHandler)


def _record(uow: InMemoryUnitOfWorkFactory, user: User, clock: FixedClock, n: int) -> list[str]:
    """`n` events a second apart, oldest first; returns their ids."""
    ids = []
    for _ in range(n):
        clock.advance(timedelta(seconds=1))
        event = SecurityEvent.of("sign_in.succeeded", user.id, clock.now(), None)
        uow.store.audit.append(event)
        ids.append(str(event.id))
    return ids


async def _all_pages(
    listing: ListSecurityEventsHandler, user: User, limit: int, between=None
) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = await listing(ListSecurityEvents(user.id, limit=limit, cursor=cursor))
        pages.append([str(e.id) for e in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        if between is not None:
            between()


async def test_pages_are_newest_first_and_the_last_has_no_cursor(
    listing: ListSecurityEventsHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    ids = _record(uow, alice, clock, 7)

    pages = await _all_pages(listing, alice, limit=3)

    assert pages == [ids[6:3:-1], ids[3:0:-1], ids[0:1]]


async def test_a_page_that_ends_exactly_at_the_oldest_event_has_no_cursor(
    listing: ListSecurityEventsHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    _record(uow, alice, clock, 3)
    page = await listing(ListSecurityEvents(alice.id, limit=3))
    assert (len(page.items), page.next_cursor) == (3, None)


async def test_events_recorded_while_paging_neither_repeat_nor_hide_any(
    listing: ListSecurityEventsHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    ids = _record(uow, alice, clock, 10)

    pages = await _all_pages(listing, alice, limit=4, between=lambda: _record(uow, alice, clock, 3))

    assert [i for page in pages for i in page] == ids[::-1]


async def test_events_of_one_instant_are_cut_by_id_without_loss(
    listing: ListSecurityEventsHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    at = clock.now()
    events = [SecurityEvent.of("sign_in.failed", alice.id, at, None) for _ in range(9)]
    uow.store.audit.extend(events)

    pages = await _all_pages(listing, alice, limit=2)

    listed = [i for page in pages for i in page]
    assert listed == [str(e.id) for e in sorted(events, key=lambda e: e.id, reverse=True)]


async def test_only_the_callers_own_events_are_listed(
    listing: ListSecurityEventsHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    uow.store.audit.append(SecurityEvent.of("sign_in.succeeded", uuid.uuid4(), clock.now(), None))
    assert (await listing(ListSecurityEvents(alice.id))).items == []
    with pytest.raises(Unauthenticated):
        await listing(ListSecurityEvents(uuid.uuid4()))
    with pytest.raises(Unauthenticated):
        await listing(ListSecurityEvents(alice.id, token_version=alice.token_version + 1))


# Not base64; base64 of no position; a position without a time zone; one without an id.
_NAIVE = base64.urlsafe_b64encode(f"2026-01-01T12:00:00|{uuid.UUID(int=1)}".encode()).decode()
_NO_ID = base64.urlsafe_b64encode(b"2026-01-01T12:00:00+00:00|not-an-id").decode()


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGEgY3Vyc29y", _NAIVE, _NO_ID])
async def test_a_cursor_it_did_not_give_out_is_invalid_input(
    listing: ListSecurityEventsHandler, alice, cursor: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await listing(ListSecurityEvents(alice.id, cursor=cursor))
    assert list(refused.value.errors) == ["cursor"]


@pytest.mark.parametrize("limit", [0, 101, -5])
async def test_a_limit_out_of_range_is_invalid_input(
    listing: ListSecurityEventsHandler, alice, limit: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await listing(ListSecurityEvents(alice.id, limit=limit))
    assert list(refused.value.errors) == ["limit"]


async def test_events_past_the_retention_period_are_pruned(
    handlers: Injector, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice
) -> None:
    _record(uow, alice, clock, 2)
    clock.advance(timedelta(days=365))
    kept = _record(uow, alice, clock, 1)

    assert await handlers.get(PruneAuditTrail)() == 2
    assert [str(e.id) for e in uow.store.audit] == kept


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
            "Opera on Linux",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("curl/8.5.0", "curl"),
        ("python-httpx/0.28.1", "python-httpx"),
        ("okhttp/4.12.0", "okhttp"),
        ("Mozilla/5.0", UNKNOWN),
        ("", UNKNOWN),
        ("\x00" * 10_000, UNKNOWN),
        (None, None),
    ],
)
def test_device_names_are_read_from_the_user_agent(user_agent: str | None, device: str) -> None:
    assert device_name(user_agent) == device
