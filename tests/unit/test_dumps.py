"""Profiles dumped by copying attributes are written exactly as the schema would write them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from marshmallow import Schema, fields

from api import schemas
from api.dumps import attribute_dump
from core.domain import User

CREATED = datetime(2026, 12, 1, 16, 6, 46, 409202, tzinfo=UTC)


class Label(str):
    """A str subclass: the schema writes str(value), which a plain copy would not."""

    def __str__(self) -> str:
        return f"label:{super().__str__()}"


def _user(**changes: object) -> User:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "username": "alice",
        "email": "alice@example.com",
        "password_hash": "not shown",
        "email_verified": False,
        "created_at": CREATED,
        "updated_at": CREATED,
        **changes,
    }
    return User(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "user",
    [
        _user(),
        _user(email_verified=True, pending_email="alice@example.org", email_status="pending"),
        _user(created_at=CREATED.replace(microsecond=0), updated_at=CREATED.replace(second=0)),
        _user(updated_at=CREATED.astimezone(timezone(timedelta(hours=5, minutes=30)))),
        _user(username=Label("alice")),
    ],
    ids=["plain", "pending", "whole-seconds", "other-offset", "str-subclass"],
)
def test_a_profile_is_written_as_the_schema_writes_it(user: User) -> None:
    schema = schemas.User()
    assert orjson.dumps(attribute_dump(schema)(user)) == orjson.dumps(schema.dump(user))


def test_a_schema_with_other_fields_is_dumped_by_marshmallow() -> None:
    class Counted(Schema):
        name = fields.String()
        count = fields.Integer(as_string=True)

    class Item:
        name = "a"
        count = 3

    assert attribute_dump(Counted())(Item()) == {"name": "a", "count": "3"}


def test_the_profile_schema_is_dumped_by_copying() -> None:
    """What makes it cheap: the values are handed to orjson as they are."""
    user = _user()
    assert attribute_dump(schemas.User())(user)["id"] is user.id
