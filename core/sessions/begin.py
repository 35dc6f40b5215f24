"""A sign-in's session: stored as its refresh-token family begins, and news to the account's
owner when it comes from a device and network none of their sessions used lately."""

from __future__ import annotations

from core.audit.device import device_name
from core.audit.events import Client
from core.domain import NEW_DEVICE_WINDOW, RefreshToken, Session
from core.events import UserEvent
from core.lockout import client_network
from core.ports import UnitOfWork


async def begin_session(uow: UnitOfWork, token: RefreshToken, client: Client | None) -> Session:
    """Store the session that `token`, the first of a new family, begins, with what `client`
    sent (its address, the device its User-Agent names); with no client, neither is known.

    The owner is mailed "New sign-in to your account" when no session of theirs used within
    NEW_DEVICE_WINDOW had this device and network, unless the account has no session stored at
    all and is younger than that window: its first sign-in, just after sign-up, is no news. (A
    sign-in that says neither its address nor its device would say nothing, and is not
    mailed.)"""
    ip = client.client_ip if client is not None else None
    device = device_name(client.user_agent) if client is not None else None
    session = Session.begin(token, ip=ip, network=client_network(ip), device=device)
    if ip is not None or device is not None:
        await _tell_of_new_device(uow, session)
    await uow.sessions.add(session)
    return session


async def _tell_of_new_device(uow: UnitOfWork, session: Session) -> None:
    since = session.created_at - NEW_DEVICE_WINDOW
    prior = await uow.sessions.prior_sign_ins(
        session.user_id, session.device, session.network, since
    )
    if prior.from_this_device:
        return
    user = await uow.users.get(session.user_id)
    if user is None or (not prior.any and user.created_at > since):
        return
    await uow.events.add(
        UserEvent.new_sign_in(user, session.created_at, session.device, session.ip)
    )
