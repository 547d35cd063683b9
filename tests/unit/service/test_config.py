"""Configuration from the environment."""

from __future__ import annotations

import pytest

from service.config import ConfigError, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.data_dir.name == "data"
    assert settings.data_dir.is_absolute()
    assert not settings.is_production


def test_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://x/y",
            "CIVICA_PORT": "9000",
            "CIVICA_HOST": "0.0.0.0",
            "CIVICA_DATA_DIR": "/srv/civica",
        }
    )
    assert settings.database_url == "postgresql://x/y"
    assert (settings.port, settings.host, str(settings.data_dir)) == (
        9000,
        "0.0.0.0",
        "/srv/civica",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("CIVICA_PORT", "eighty"), ("CIVICA_PORT", "70000"), ("CIVICA_ENV", "staging")],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
