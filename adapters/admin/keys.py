"""`ops/admin keys ...` (and `ops/keys`, its alias): the JWT signing keys.

Rotation without logging anyone out: `keys new`, then restart the processes (the new key
signs, the old ones still verify); once the access-token lifetime has passed, `keys retire`
deletes every key whose successor has signed for longer than that, and a restart drops it from
the JWKS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer

from adapters.admin.runtime import err, out
from adapters.key_files import ensure_key_file
from adapters.keys import created_at, new_key, retire
from adapters.settings import Settings
from adapters.tokens import MissingKeys, load_keys

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="The JWT signing keys (ops/keys is an alias). Rotate: `keys new`, restart; after the "
    "access-token lifetime, `keys retire`, restart.",
)


@app.command()
def new() -> None:
    """Add a signing key; it signs from the next start, older keys keep verifying."""
    path = new_key(Settings.from_env().jwt_key_dir, datetime.now(UTC))
    err.print(f"created signing key {path}", highlight=False)


@app.command()
def ensure() -> None:
    """Add a signing key only if there is none, and the mailed-token, CSRF and TOTP keys.

    ops/run and the compose `keys` service run this."""
    settings = Settings.from_env()
    for key_file in (
        settings.action_token_key_file,
        settings.csrf_key_file,
        settings.totp_key_file,
    ):
        if ensure_key_file(key_file):
            err.print(f"created {key_file}", highlight=False)
    try:
        load_keys(settings.jwt_key_dir)
    except MissingKeys:
        path = new_key(settings.jwt_key_dir, datetime.now(UTC))
        err.print(f"created signing key {path}", highlight=False)


@app.command("list")
def list_keys() -> None:
    """The kid, creation time and role (signs / verifies) of every key, oldest first."""
    key_dir = Settings.from_env().jwt_key_dir
    paths = sorted(key_dir.glob("*.pem"))  # the order load_keys uses: the last one signs
    for path, key in zip(paths, load_keys(key_dir), strict=True):
        role = "signs" if path == paths[-1] else "verifies"
        out.print(f"{key.kid}  {created_at(path):%F %T} UTC  {role}  {path.name}", highlight=False)


@app.command("retire")
def retire_keys() -> None:
    """Delete the keys no unexpired access token can need; then restart the processes."""
    settings = Settings.from_env()
    ttl = timedelta(seconds=settings.jwt_ttl_seconds)
    for path in retire(settings.jwt_key_dir, ttl, datetime.now(UTC)):
        out.print(f"retired {path.name}", highlight=False)
