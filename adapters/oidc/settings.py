"""The providers' settings: `OIDC_PROVIDERS=local,google` names them, and each has its own
family `OIDC_<NAME>_*`; GitHub is a preset, on when `GITHUB_CLIENT_ID` is set. Secrets come
from a file (`..._CLIENT_SECRET_FILE`, like the other keys) or, failing that, the variable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from environs import Env

GITHUB_ISSUER = "https://github.com"
DEFAULT_SCOPES = "openid email profile"
GITHUB_SCOPES = "read:user user:email"
_NAME = re.compile(r"^[a-z][a-z0-9]{0,31}$")


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    name: str
    """Short name: in the settings' names, the paths (/login/<name>/callback) and the log."""
    label: str
    kind: Literal["oidc", "github"]
    issuer: str
    client_id: str
    client_secret: str | None
    client_secret_file: Path | None
    scopes: tuple[str, ...]

    def secret(self) -> str:
        """The client secret, read from its file when one is named."""
        if self.client_secret_file is not None:
            return self.client_secret_file.read_text().strip()
        if self.client_secret is None:
            raise ValueError(f"provider {self.name}: no client secret (set *_CLIENT_SECRET_FILE)")
        return self.client_secret


def _secret_file(env: Env, name: str) -> Path | None:
    value = env.str(name, None)
    return Path(value) if value else None


def read_providers(env: Env) -> tuple[ProviderSettings, ...]:
    """Every provider the environment configures, in the order of OIDC_PROVIDERS, then GitHub."""
    providers = []
    names: list[str] = env.list("OIDC_PROVIDERS", [])
    for name in names:
        if not _NAME.fullmatch(name) or name == "github":
            raise ValueError(
                f"OIDC_PROVIDERS: {name!r} must be lower-case letters and digits, not 'github' "
                "(GitHub is configured with GITHUB_CLIENT_ID)"
            )
        prefix = f"OIDC_{name.upper()}_"
        providers.append(
            ProviderSettings(
                name=name,
                label=env.str(f"{prefix}NAME", name.title()),
                kind="oidc",
                issuer=env.str(f"{prefix}ISSUER"),
                client_id=env.str(f"{prefix}CLIENT_ID"),
                client_secret=env.str(f"{prefix}CLIENT_SECRET", None),
                client_secret_file=_secret_file(env, f"{prefix}CLIENT_SECRET_FILE"),
                scopes=tuple(env.str(f"{prefix}SCOPES", DEFAULT_SCOPES).split()),
            )
        )
    github_id = env.str("GITHUB_CLIENT_ID", "")
    github_secret = env.str("GITHUB_CLIENT_SECRET", None)
    github_secret_file = _secret_file(env, "GITHUB_CLIENT_SECRET_FILE")
    if github_id:
        providers.append(
            ProviderSettings(
                name="github",
                label="GitHub",
                kind="github",
                issuer=GITHUB_ISSUER,
                client_id=github_id,
                client_secret=github_secret,
                client_secret_file=github_secret_file,
                scopes=tuple(GITHUB_SCOPES.split()),
            )
        )
    return tuple(providers)
