"""`ops/keys new|ensure|list|retire`: the JWT signing keys (PEM files, never committed), and
(`ensure`) the key mailed tokens' secrets derive from (ACTION_TOKEN_KEY_FILE), the key the
pages sign their CSRF tokens with (CSRF_KEY_FILE) and the key TOTP secrets are sealed with
(TOTP_KEY_FILE).

Rotation without logging anyone out:
  1. `ops/keys new`, then restart the processes: the new key signs, the old one still verifies.
  2. Once the access-token lifetime has passed, `ops/keys retire` deletes every key whose
     successor has been signing for longer than that (it says which it keeps and until when);
     restart again so the processes stop listing it in the JWKS.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.key_files import ensure_key_file
from adapters.settings import Settings
from adapters.tokens import MissingKeys, load_keys, new_key_pem

_STAMP = "%Y%m%dT%H%M%S%fZ"


def created_at(path: Path) -> datetime:
    """Keys are named by their creation time; a file named otherwise counts from its mtime."""
    try:
        return datetime.strptime(path.stem, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def new_key(key_dir: Path, now: datetime) -> Path:
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_dir / f"{now:{_STAMP}}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(new_key_pem())
    return path


def retire(key_dir: Path, token_ttl: timedelta, now: datetime) -> list[Path]:
    """Delete the keys no unexpired token can have been signed with; returns them."""
    paths = sorted(key_dir.glob("*.pem"))  # the order load_keys uses: the last one signs
    retired = []
    for older, newer in itertools.pairwise(paths):
        # `older` stopped signing when `newer` arrived (processes restarted then).
        safe_from = created_at(newer) + token_ttl + timedelta(minutes=1)
        if now >= safe_from:
            older.unlink()
            retired.append(older)
        else:
            print(f"kept {older.name}: tokens it signed may live until {safe_from:%F %T} UTC")
    return retired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ops/keys", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["new", "ensure", "list", "retire"])
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    key_dir = settings.jwt_key_dir
    now = datetime.now(UTC)
    if args.command == "list":
        paths = sorted(key_dir.glob("*.pem"))  # the order load_keys uses: the last one signs
        for path, key in zip(paths, load_keys(key_dir), strict=True):
            role = "signs" if path == paths[-1] else "verifies"
            print(f"{key.kid}  {created_at(path):%F %T} UTC  {role}  {path.name}")
        return 0
    if args.command == "retire":
        for path in retire(key_dir, timedelta(seconds=settings.jwt_ttl_seconds), now):
            print(f"retired {path.name}")
        return 0
    if args.command == "ensure":
        for key_file in (
            settings.action_token_key_file,
            settings.csrf_key_file,
            settings.totp_key_file,
        ):
            if ensure_key_file(key_file):
                print(f"created {key_file}", file=sys.stderr)
        try:
            load_keys(key_dir)
            return 0
        except MissingKeys:
            pass
    print(f"created signing key {new_key(key_dir, now)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
