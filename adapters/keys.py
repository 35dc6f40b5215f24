"""`python -m adapters.keys new|list`: create and list the JWT signing keys (never committed)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from adapters.settings import Settings
from adapters.tokens import MissingKeys, load_keys, new_key_pem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops/keys", description=__doc__)
    parser.add_argument("command", choices=["new", "ensure", "list"])
    args = parser.parse_args(argv)
    key_dir = Settings.from_env().jwt_key_dir
    if args.command == "list":
        for key in load_keys(key_dir):
            print(key.kid)
        return 0
    if args.command == "ensure":
        try:
            load_keys(key_dir)
            return 0
        except MissingKeys:
            pass
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(new_key_pem())
    print(f"created signing key {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
