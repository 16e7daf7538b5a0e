"""Configuration, read once from the environment (and overridden by CLI options)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("liaison-data")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    issuer: str
    audience: str
    token_lifetime_seconds: int
    max_body_bytes: int

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


def from_environment() -> Settings:
    data_dir = Path(os.environ.get("LIAISON_DATA_DIR", DEFAULT_DATA_DIR))
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get(
            "LIAISON_DATABASE_URL", f"sqlite:///{(data_dir / 'liaison.db').as_posix()}"
        ),
        issuer=os.environ.get("LIAISON_ISSUER", "urn:liaison:local"),
        audience=os.environ.get("LIAISON_AUDIENCE", "urn:liaison:api"),
        token_lifetime_seconds=_int("LIAISON_TOKEN_LIFETIME", 3600),
        max_body_bytes=_int("LIAISON_MAX_BODY_BYTES", 1_000_000),
    )
