"""Pages cut by position, not by offset: a cursor names the (time, id) of the last item a page
held, and the next page holds the items after it in that order. Items added while someone
pages move nothing, so no item is listed twice or skipped."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from core.domain import InvalidInput


def encode_position(at: datetime, item_id: uuid.UUID) -> str:
    """Opaque to clients (they only hand it back); it names a position, nothing secret."""
    position = f"{at.isoformat()}|{item_id}".encode()
    return base64.urlsafe_b64encode(position).decode().rstrip("=")


def decode_position(cursor: str, bad_cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names; InvalidInput (422) on `cursor`, saying `bad_cursor`, for
    anything this service did not give out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, item_id = text.partition("|")
        position = datetime.fromisoformat(at), uuid.UUID(item_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput({"cursor": [bad_cursor]}) from None
    if position[0].tzinfo is None:
        raise InvalidInput({"cursor": [bad_cursor]})
    return position
