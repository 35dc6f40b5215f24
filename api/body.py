"""Reading request bodies: size, media type, syntax, then schema, each with its own status."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import falcon.asgi
import orjson
from marshmallow import Schema, ValidationError

from api.problems import Problem

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _media_type(req: falcon.asgi.Request) -> str | None:
    if not req.content_type:
        return None
    return req.content_type.split(";", 1)[0].strip().lower()


async def read_body(
    req: falcon.asgi.Request, max_bytes: int, accept: tuple[str, ...] = (JSON,)
) -> tuple[str, bytes]:
    media_type = _media_type(req)
    if media_type not in accept:
        raise Problem(415, f"Send the body as {' or '.join(accept)}.")
    if req.content_length is not None and req.content_length > max_bytes:
        raise Problem(413, f"The body is larger than {max_bytes} bytes.")
    raw = await req.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise Problem(413, f"The body is larger than {max_bytes} bytes.")
    return media_type, raw


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow nests messages by field; problem+json wants field -> list of strings."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": messages}
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "_body" if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
    return flat


def load(schema: Schema, data: object) -> dict[str, Any]:
    try:
        return schema.load(data)  # type: ignore[no-any-return, arg-type]
    except ValidationError as error:
        raise Problem(
            422, "The request has invalid fields.", errors=_flatten(error.messages)
        ) from None


def parse_form(raw: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        raise Problem(400, "The form body is not valid UTF-8.") from None


async def read_form(req: falcon.asgi.Request, max_bytes: int) -> dict[str, str]:
    """An urlencoded form body, as a browser posts it (a field given twice keeps its last)."""
    _, raw = await read_body(req, max_bytes, (FORM,))
    return parse_form(raw)


async def load_body(
    req: falcon.asgi.Request, schema: Schema, max_bytes: int, accept: tuple[str, ...] = (JSON,)
) -> dict[str, Any]:
    media_type, raw = await read_body(req, max_bytes, accept)
    data: object
    if media_type == FORM:
        data = parse_form(raw)
    else:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise Problem(400, f"The body is not valid JSON: {error}.") from None
    return load(schema, data)
