"""Deployment configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """What a deployment is told through its environment."""

    data_dir: Path
    database_url: str | None
    host: str
    port: int
    environment: str
    checkpoint_interval_s: int
    trust_proxy_headers: bool
    allow_embedded_database: bool = True
    run_keeper: bool = True

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `env` (the process environment by default)."""
        env = os.environ if env is None else env
        environment = env.get("CIVICA_ENV", "development")
        if environment not in ("development", "production"):
            raise ConfigError(
                f"CIVICA_ENV must be 'development' or 'production', not {environment!r}"
            )
        return cls(
            data_dir=Path(env.get("CIVICA_DATA_DIR", "data")).expanduser().absolute(),
            database_url=env.get("DATABASE_URL") or None,
            host=env.get("CIVICA_HOST", DEFAULT_HOST),
            port=_int(env, "CIVICA_PORT", DEFAULT_PORT, 1, 65535),
            environment=environment,
            checkpoint_interval_s=_int(env, "CIVICA_CHECKPOINT_INTERVAL", 30, 1, 60),
            trust_proxy_headers=env.get("CIVICA_TRUST_PROXY", "") == "1",
            allow_embedded_database=env.get("CIVICA_EMBEDDED_DB", "1") != "0",
            run_keeper=env.get("CIVICA_KEEPER", "1") != "0",
        )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value
