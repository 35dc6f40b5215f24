"""The JWT signing keys as PEM files named by their creation time (never committed): made,
dated and retired here, for `ops/admin keys new|ensure|list|retire` (adapters/admin/keys.py).

Rotation without logging anyone out:
  1. `ops/admin keys new`, then restart the processes: the new key signs, the old one still
     verifies.
  2. Once the access-token lifetime has passed, `ops/admin keys retire` deletes every key whose
     successor has been signing for longer than that (it says which it keeps and until when);
     restart again so the processes stop listing it in the JWKS.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.tokens import new_key_pem

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
