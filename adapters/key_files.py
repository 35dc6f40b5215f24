"""Secret keys kept as files in the key directory (`ops/keys ensure` makes them), never in the
database or the repository: the key mailed tokens derive from, the key that signs the pages'
CSRF tokens, and the key TOTP secrets are sealed with."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


class MissingKeyFile(RuntimeError):
    pass


def load_key_file(path: Path) -> bytes:
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except FileNotFoundError as error:
        raise MissingKeyFile(f"no key at {path}: create one with `ops/keys ensure`") from error
    if len(key) < KEY_BYTES:
        raise ValueError(f"the key at {path} is shorter than {KEY_BYTES} bytes")
    return key


def ensure_key_file(path: Path) -> bool:
    """Create the key file (mode 0600) unless it exists; True when created."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
    return True
