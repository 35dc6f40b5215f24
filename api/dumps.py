"""A marshmallow schema's dump without marshmallow's per-field machinery, for schemas whose
fields only copy an attribute that orjson (the API's JSON writer) then writes exactly as the
field would have: str, bool, None, UUID (canonical text) and datetime (ISO 8601, as
`isoformat()`). The schema stays the one description of the output (and of the OpenAPI
document); this only skips work that changes nothing. Dumping a profile this way costs about a
seventh of `Schema.dump` (README, Performance).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields

# Field classes (exactly these, not subclasses) and the value types each writes unchanged.
_COPIED: dict[type[fields.Field[Any]], tuple[type, ...]] = {
    fields.String: (str,),
    fields.Email: (str,),
    fields.Boolean: (bool,),
    fields.UUID: (uuid.UUID,),
    fields.DateTime: (datetime,),
    fields.AwareDateTime: (datetime,),
}
_MISSING = object()


def attribute_dump(schema: Schema) -> Callable[[Any], dict[str, Any]]:
    """`schema.dump` for one object, copying attributes where every field allows it; any other
    schema (hooks, formats, nested fields) is left to `schema.dump`, and so is any object with
    a value of another type than its field expects."""
    copied = _copied_fields(schema)

    def dump(obj: Any) -> dict[str, Any]:
        if copied is None:
            return dict(schema.dump(obj))
        out = {}
        for key, attribute, types in copied:
            value = getattr(obj, attribute, _MISSING)
            if type(value) not in types:  # None is written as null by every field
                return dict(schema.dump(obj))
            out[key] = value
        return out

    return dump


def _copied_fields(schema: Schema) -> list[tuple[str, str, tuple[type, ...]]] | None:
    if schema.many or any(schema._hooks.values()):
        return None
    copied = []
    for name, field in schema.dump_fields.items():
        types = _COPIED.get(type(field))
        if types is None:
            return None
        if isinstance(field, fields.DateTime) and field.format not in (None, "iso"):
            return None
        copied.append((field.data_key or name, field.attribute or name, (*types, type(None))))
    return copied
